"""The builder's fragments are cached: every change still shows on the next view, each user sees their own
page, and an empty or unreachable cache renders the same page."""

import re

import pytest
from django.conf import settings
from django.core.cache import caches
from django.test import Client, override_settings
from django.urls import reverse

from alliances import services
from alliances.models import ParticipationStatus, Role
from alliances.rendering import csrf_placeholder
from invitations import services as invitation_services
from partners.models import EcheStatus, Organisation
from tests.factories import OrganisationFactory, UserFactory, country

pytestmark = pytest.mark.django_db
NAVBAR_USER = re.compile(r'<a class="navbar-text [^"]*" href="[^"]*" title="[^"]*">([^<]*)<')
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
ANY_TOKEN = re.compile(r'(name="csrfmiddlewaretoken" value=|"X-CSRFToken": )"[^"]+"')


def builder(proposal, **query):
    path = reverse("alliances:builder", kwargs={"pk": proposal.pk})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page(client, proposal, **query) -> str:
    response = client.get(builder(proposal, **query))
    assert response.status_code == 200
    html = response.content.decode()
    assert csrf_placeholder() not in html
    return html


def without_tokens(html: str) -> str:
    """The page with its CSRF tokens blanked: each response masks the token anew."""
    return ANY_TOKEN.sub(r'\1""', html)


def test_a_page_from_the_cache_carries_this_requests_working_csrf_token(owner, proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    first = page(client, proposal)
    cached = page(client, proposal)
    assert cached.count("csrfmiddlewaretoken") == first.count("csrfmiddlewaretoken") > 0
    participation = proposal.participations.filter(role=Role.ASSOCIATED_PARTNER).first() or (
        proposal.participations.exclude(role=Role.APPLICANT).last()
    )
    proposal.refresh_from_db()
    response = client.post(
        reverse(
            "alliances:participation_remove", kwargs={"pk": proposal.pk, "participation_id": participation.pk}
        ),
        {"csrfmiddlewaretoken": FORM_TOKEN.findall(cached)[-1], "version": proposal.version},
    )
    assert response.status_code == 302


def test_text_that_looks_like_a_placeholder_is_shown_as_typed(owner_client, proposal, add):
    """A token placeholder anyone could type would put the viewer's token into the page as text."""
    typed = "__csrf_token_placeholder__"
    proposal.title = f"Title {typed}"
    proposal.save(update_fields=["title", "updated_at"])
    add(proposal, OrganisationFactory(legal_name=f"Org {typed}", country=country("AT")))
    for _ in range(2):  # rendered, then from the cache
        html = page(owner_client, proposal)
        assert f"Title {typed}" in html and f"Org {typed}" in html


def test_each_user_gets_their_own_page_and_strangers_none(client, owner, proposal):
    editor = UserFactory(email="ed@example.org", first_name="Edda", last_name="Editor", is_staff=True)
    proposal.co_editors.add(editor)
    client.force_login(owner)
    for _ in range(2):
        html = page(client, proposal)
        assert NAVBAR_USER.findall(html) == ["Olga Owner"]
        assert 'href="/admin/"' not in html
    client.force_login(editor)
    for _ in range(2):
        html = page(client, proposal)
        assert NAVBAR_USER.findall(html) == ["Edda Editor"]
        assert 'href="/admin/"' in html
    client.force_login(UserFactory())
    assert client.get(builder(proposal)).status_code == 404
    client.logout()
    assert client.get(builder(proposal)).status_code == 302


def test_the_owners_new_name_shows_at_once(owner_client, owner, proposal):
    page(owner_client, proposal)
    owner.first_name = "Olivia"
    owner.save()
    html = page(owner_client, proposal)
    assert NAVBAR_USER.findall(html) == ["Olivia Owner"] and "owner Olivia Owner" in html


def test_changes_show_on_the_next_view(
    owner_client, owner, proposal, add, django_capture_on_commit_callbacks
):
    for mode in ("projected", "confirmed"):
        page(owner_client, proposal, mode=mode)
    # A participant added through the service.
    add(proposal, OrganisationFactory(legal_name="Freshly Added GmbH", country=country("AT")))
    assert "Freshly Added GmbH" in page(owner_client, proposal)
    assert "Freshly Added GmbH" in page(owner_client, proposal, mode="confirmed")
    # An organisation's ECHE status, changed by a check (a save outside the proposal's services).
    hei = proposal.participations.get(organisation__type__higher_education=True, role=Role.APPLICANT)
    assert "ECHE valid" in page(owner_client, proposal)
    with django_capture_on_commit_callbacks(execute=True):
        hei.organisation.eche_status = EcheStatus.EXPIRED
        hei.organisation.save(update_fields=["eche_status", "updated_at"])
    html = page(owner_client, proposal)
    assert "ECHE expired" in html and "ECHE valid" not in html
    # An organisation renamed in the admin.
    with django_capture_on_commit_callbacks(execute=True):
        organisation = Organisation.objects.get(pk=hei.organisation_id)
        organisation.legal_name = "Renamed University"
        organisation.save()
    assert "Renamed University" in page(owner_client, proposal)
    # The proposal archived, then its title edited in the admin.
    proposal.refresh_from_db()
    services.proposal_archive(proposal=proposal, actor=owner)
    assert "This proposal was archived" in page(owner_client, proposal)
    proposal.refresh_from_db()
    proposal.title = "Retitled In The Admin"
    proposal.save(update_fields=["title", "updated_at"])
    assert "Retitled In The Admin" in page(owner_client, proposal)


def test_invitation_events_show_on_the_next_view(
    owner_client, owner, make_proposal, django_capture_on_commit_callbacks, mailoutbox
):
    proposal = make_proposal(owner=owner, status=ParticipationStatus.PROPOSED)
    participation = proposal.participations.exclude(role=Role.APPLICANT).first()
    participation.contact_email = "partner@example.org"
    participation.save(update_fields=["contact_email"])
    assert 'data-invitation-status="' not in page(owner_client, proposal)
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_services.invitation_create(participation=participation, actor=owner)
    assert re.search(r'data-invitation-status="(queued|sent)"', page(owner_client, proposal))
    invitation.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        invitation_services.invitation_open(invitation=invitation)
    html = page(owner_client, proposal)
    assert 'data-invitation-status="opened"' in html and "Invitation opened" in html
    # The new versions an invitation makes refuse no one's edit.
    response = owner_client.post(
        reverse(
            "alliances:participation_remove", kwargs={"pk": proposal.pk, "participation_id": participation.pk}
        ),
        {"version": proposal.version},
        follow=True,
    )
    assert "Removed from the consortium" in response.content.decode()


def test_messages_are_shown_once(owner_client, proposal, django_capture_on_commit_callbacks):
    page(owner_client, proposal)
    participation = proposal.participations.exclude(role=Role.APPLICANT).last()
    proposal.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):  # the removal's evaluation, as after a commit
        response = owner_client.post(
            reverse(
                "alliances:participation_remove",
                kwargs={"pk": proposal.pk, "participation_id": participation.pk},
            ),
            {"version": proposal.version},
            follow=True,
        )
    assert "Removed from the consortium" in response.content.decode()
    html = page(owner_client, proposal)
    assert "Removed from the consortium" not in html
    assert participation.organisation.legal_name not in html


@pytest.mark.skipif(not settings.REDIS_CACHE_URL, reason="the fragments cache is Redis only when configured")
def test_an_empty_or_unreachable_cache_renders_the_same_page(owner_client, proposal):
    rendered = without_tokens(page(owner_client, proposal, mode="confirmed"))
    assert without_tokens(page(owner_client, proposal, mode="confirmed")) == rendered  # from the cache
    caches["fragments"].clear()
    assert without_tokens(page(owner_client, proposal, mode="confirmed")) == rendered
    unreachable = {**settings.CACHES["fragments"], "LOCATION": "redis://127.0.0.1:9/0"}  # nothing listens
    with override_settings(CACHES={**settings.CACHES, "fragments": unreachable}):
        assert without_tokens(page(owner_client, proposal, mode="confirmed")) == rendered
        response = owner_client.get(
            reverse("alliances:eligibility", kwargs={"pk": proposal.pk}), HTTP_HX_REQUEST="true"
        )
        assert response.status_code == 200 and 'data-overall="eligible"' in response.content.decode()
