"""The builder page is cached whole, per user: it still shows every change right after it happens, and never
one user's page to another."""

import re

import pytest
from django.core.cache import cache
from django.db import connection, connections
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances import services
from alliances.models import Role
from alliances.selectors import STAMP_STATEMENT
from alliances.views import forget_pages
from partners.models import Country, EcheStatus, Organisation
from tests.factories import OrganisationFactory, UserFactory, country, org_type

pytestmark = pytest.mark.django_db
NAVBAR_USER = re.compile(r'<span class="navbar-text me-3 small">([^<]*)</span>')
TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


def builder(proposal, **query):
    path = reverse("alliances:builder", kwargs={"pk": proposal.pk})
    return path + ("?" + "&".join(f"{k}={v}" for k, v in query.items()) if query else "")


def page(client, proposal, **query) -> str:
    response = client.get(builder(proposal, **query))
    assert response.status_code == 200
    html = response.content.decode()
    assert "__csrf_token_placeholder__" not in html
    return html


def queries(client, path) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(path).status_code == 200
    return len(captured)


def test_a_cached_page_costs_one_query_and_carries_a_working_csrf_token(owner, proposal):
    client = Client(enforce_csrf_checks=True)
    client.force_login(owner)
    cache.clear()
    forget_pages()
    first = page(client, proposal)
    queries(client, builder(proposal))  # the session back in the cache
    assert queries(client, builder(proposal)) <= 3  # the user, the page's stamp (and a health check at most)
    cached = client.get(builder(proposal))
    html = cached.content.decode()
    assert html.count("csrfmiddlewaretoken") == first.count("csrfmiddlewaretoken") > 0
    assert 'hx-headers=\'{"X-CSRFToken": "' in html
    # The token in the cached page is this request's: a form posted with it passes the CSRF check.
    token = TOKEN.search(html).group(1)
    participation = proposal.participations.filter(role=Role.ASSOCIATED_PARTNER).first() or (
        proposal.participations.exclude(role=Role.APPLICANT).last()
    )
    proposal.refresh_from_db()
    response = client.post(
        reverse(
            "alliances:participation_remove", kwargs={"pk": proposal.pk, "participation_id": participation.pk}
        ),
        {"csrfmiddlewaretoken": token, "version": proposal.version},
    )
    assert response.status_code == 302


def test_each_user_gets_their_own_page_and_strangers_none(client, owner, proposal):
    editor = UserFactory(email="ed@example.org", first_name="Edda", last_name="Editor", is_staff=True)
    proposal.co_editors.add(editor)
    client.force_login(owner)
    for _ in range(2):  # rendered, then from the cache
        html = page(client, proposal)
        assert NAVBAR_USER.findall(html) == ["Olga Owner"]
        assert 'href="/admin/"' not in html
    client.force_login(editor)
    for _ in range(2):
        html = page(client, proposal)
        assert NAVBAR_USER.findall(html) == ["Edda Editor"]
        assert 'href="/admin/"' in html
    client.force_login(owner)
    assert NAVBAR_USER.findall(page(client, proposal)) == ["Olga Owner"]
    client.force_login(UserFactory())
    assert client.get(builder(proposal)).status_code == 404
    client.logout()
    assert client.get(builder(proposal)).status_code == 302


def test_the_users_own_changes_show_at_once(owner_client, owner, proposal):
    page(owner_client, proposal)
    owner.first_name = "Olivia"
    owner.save()
    html = page(owner_client, proposal)
    assert NAVBAR_USER.findall(html) == ["Olivia Owner"] and "owner Olivia Owner" in html


def test_changes_show_right_after_they_happen(
    owner_client, owner, proposal, add, django_capture_on_commit_callbacks
):
    for mode in ("projected", "confirmed"):
        page(owner_client, proposal, mode=mode)
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
    # The proposal archived, then its details edited in the admin (no new version).
    proposal.refresh_from_db()
    services.proposal_archive(proposal=proposal, actor=owner)
    assert "This proposal was archived" in page(owner_client, proposal)
    proposal.refresh_from_db()
    proposal.title = "Retitled In The Admin"
    proposal.save(update_fields=["title", "updated_at"])
    assert "Retitled In The Admin" in page(owner_client, proposal)


def test_suggestions_follow_the_directory_on_a_cached_page(owner_client, make_proposal, owner):
    from tests.alliances.conftest import ELIGIBLE

    proposal = make_proposal([m for m in ELIGIBLE if m[1] != "chamber"], owner=owner)  # one actor short

    def suggested() -> str:
        html = page(owner_client, proposal)
        start = html.index('data-criterion="labour-market-actors"')
        return html[start : html.index('data-criterion="education-providers"')]

    candidate = OrganisationFactory(legal_name="Polmetal", country=country("PL"), type=org_type("ngo"))
    assert "Polmetal" not in suggested()
    assert "Polmetal" not in suggested()  # from the cache
    # A bulk update (no signal, no new `updated_at`) makes it a labour market actor...
    Organisation.objects.filter(pk=candidate.pk).update(type=org_type("enterprise"))
    assert "Polmetal" in suggested()
    # ...a country's status change in the admin takes it out of the programme...
    Country.objects.filter(code="PL").update(programme_status="third_not_associated", region=2)
    assert "Polmetal" not in suggested()
    Country.objects.filter(code="PL").update(programme_status="eu_member", region=None)
    assert "Polmetal" in suggested()
    # ...and deleting it takes it away.
    candidate.delete()
    assert "Polmetal" not in suggested()


def test_messages_are_shown_once_even_when_the_page_is_cached(owner_client, proposal):
    page(owner_client, proposal)
    page(owner_client, proposal)
    participation = proposal.participations.exclude(role=Role.APPLICANT).last()
    proposal.refresh_from_db()
    response = owner_client.post(
        reverse(
            "alliances:participation_remove", kwargs={"pk": proposal.pk, "participation_id": participation.pk}
        ),
        {"version": proposal.version},
        follow=True,
    )
    assert "Removed from the consortium" in response.content.decode()
    html = page(owner_client, proposal)
    assert "Removed from the consortium" not in html
    assert participation.organisation.legal_name not in html


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_the_stamp_statement_is_prepared_again_when_the_connection_lost_it(owner_client, proposal):
    page(owner_client, proposal)
    connection.ensure_connection()
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {STAMP_STATEMENT}")
    connections["default"].__dict__.pop("_prepared_statements")  # as for a new connection
    assert "Olga Owner" in page(owner_client, proposal)
