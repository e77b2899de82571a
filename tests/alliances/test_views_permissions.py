"""Every URL of the alliances app answers 404 to anyone but the proposal's owner and co-editors.

The URL patterns are enumerated from the URLconf, so a new view is covered without anyone remembering to.
"""

import pytest
from django.urls import URLPattern, get_resolver, reverse

from alliances.models import Participation, Proposal
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db

# URLs that belong to no proposal: they list or create the signed-in user's own.
NOT_PROPOSAL_URLS = {"proposal_create", "proposal_archived_list"}


def alliance_patterns():
    resolver = get_resolver()
    namespace = resolver.namespace_dict["alliances"][1]
    return [p for p in namespace.url_patterns if isinstance(p, URLPattern)]


def fill(pattern, proposal, participation, editor):
    kwargs = {}
    for name in pattern.pattern.converters:
        kwargs[name] = {"pk": proposal.pk, "participation_id": participation.pk, "user_id": editor.pk}[name]
    return reverse(f"alliances:{pattern.name}", kwargs=kwargs)


def snapshot(proposal):
    proposal = Proposal.objects.get(pk=proposal.pk)
    return (
        proposal.version,
        proposal.title,
        proposal.archived_at,
        list(proposal.co_editors.values_list("pk", flat=True)),
        list(Participation.objects.filter(proposal=proposal).values_list("pk", "role", "contact_name")),
    )


def test_the_enumeration_sees_every_proposal_url():
    names = {p.name for p in alliance_patterns()}
    assert {
        "builder",
        "participation_remove",
        "export_xlsx",
        "participation_eche",
        "coeditor_remove",
    } <= names
    assert len(names) == len(alliance_patterns())


def test_another_coordinator_gets_404_everywhere_and_changes_nothing(client, make_proposal):
    owner = UserFactory()
    proposal = make_proposal(owner=owner)
    editor = UserFactory()
    proposal.co_editors.add(editor)
    participation = proposal.participations.first()
    organisation = OrganisationFactory()
    before = snapshot(proposal)
    client.force_login(UserFactory())
    checked = 0
    for pattern in alliance_patterns():
        if pattern.name in NOT_PROPOSAL_URLS:
            continue
        path = fill(pattern, proposal, participation, editor)
        post_data = {
            "version": proposal.version,
            "role": "associated_partner",
            "organisation": organisation.pk,
            "email": "x@example.org",
            "title": "Hijacked",
            "acronym": "X",
        }
        for method, response in (
            ("GET", client.get(path, {"organisation": organisation.pk})),
            ("POST", client.post(path, post_data)),
            ("HTMX POST", client.post(path, post_data, HTTP_HX_REQUEST="true")),
        ):
            # 405 only where the view accepts no such method at all; anything else must be a 404.
            assert response.status_code in (404, 405), (pattern.name, method, response.status_code)
        checked += 1
    assert checked == len(alliance_patterns()) - len(NOT_PROPOSAL_URLS)
    assert snapshot(proposal) == before


@pytest.mark.parametrize("role", ["owner", "co-editor"])
def test_owner_and_coeditors_reach_every_get_url(client, make_proposal, role):
    owner = UserFactory()
    proposal = make_proposal(owner=owner)
    editor = UserFactory()
    proposal.co_editors.add(editor)
    participation = proposal.participations.first()
    client.force_login(owner if role == "owner" else editor)
    for pattern in alliance_patterns():
        path = fill(pattern, proposal, participation, editor)
        response = client.get(path, {"organisation": OrganisationFactory().pk}, HTTP_HX_REQUEST="true")
        assert response.status_code in (200, 286, 405), (pattern.name, response.status_code)


def test_signed_out_visitors_are_sent_to_sign_in(client, make_proposal):
    proposal = make_proposal()
    participation = proposal.participations.first()
    for pattern in alliance_patterns():
        response = client.get(fill(pattern, proposal, participation, proposal.owner))
        assert response.status_code in (302, 405), pattern.name
        if response.status_code == 302:
            assert response.url.startswith(reverse("login"))


@pytest.mark.parametrize("pk", ["9223372036854775807", "9223372036854775808", "99999999999999999999999"])
def test_an_id_beyond_the_database_range_is_a_404_not_a_500(client, pk):
    client.force_login(UserFactory())
    for url in (f"/proposals/{pk}/", f"/proposals/{pk}/eligibility/", f"/proposals/{pk}/participants/"):
        assert client.get(url).status_code == 404, url
