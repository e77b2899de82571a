"""An archived proposal is read-only: every POST route of the proposal, its participants and its invitations
is refused with a message and changes nothing. Only the owner archives or restores. Exports are private."""

import pytest
from django.contrib.messages import get_messages
from django.urls import URLPattern, get_resolver, reverse
from django.utils import timezone

from tests.factories import OrganisationFactory, UserFactory

from .test_views_permissions import alliance_patterns, snapshot

pytestmark = pytest.mark.django_db
# Reads, or no proposal of its own: nothing to refuse. A co-editor leaving changes nothing in the proposal
# (tests/alliances/test_views.py leaves an archived one).
NOT_WRITES = {
    "proposal_create",
    "proposal_archived_list",
    "proposal_archive",
    "proposal_restore",
    "coeditor_leave",
}


def invitation_patterns():
    namespace = get_resolver().namespace_dict["invitations"][1]
    return [
        p
        for p in namespace.url_patterns
        if isinstance(p, URLPattern) and "participation_id" in str(p.pattern)
    ]


@pytest.mark.parametrize("role", ["owner", "co-editor"])
def test_every_post_to_an_archived_proposal_is_refused_and_changes_nothing(client, make_proposal, role):
    owner, editor = UserFactory(), UserFactory()
    proposal = make_proposal(owner=owner)
    proposal.co_editors.add(editor)
    participation = proposal.participations.first()
    participation.contact_email = "x@example.org"
    participation.status = "proposed"
    participation.save()
    proposal.archived_at = timezone.now()
    proposal.save(update_fields=["archived_at"])
    before = snapshot(proposal)
    client.force_login(owner if role == "owner" else editor)
    post_data = {
        "version": proposal.version,
        "role": "associated_partner",
        "organisation": OrganisationFactory().pk,
        "email": "x@example.org",
        "title": "Changed",
        "acronym": "X",
        "legal_name": "New Org",
    }
    checked = 0
    patterns = [(f"alliances:{p.name}", p) for p in alliance_patterns() if p.name not in NOT_WRITES]
    patterns += [(f"invitations:{p.name}", p) for p in invitation_patterns()]
    for name, pattern in patterns:
        path = reverse(name, kwargs=resolve_kwargs(pattern, proposal, participation, editor))
        for headers in ({}, {"HTTP_HX_REQUEST": "true"}):
            response = client.post(path, post_data, **headers)
            if response.status_code == 405:  # a read-only view: no POST at all
                continue
            assert response.status_code in (303, 409), (name, headers, response.status_code)
            text = " ".join(str(m) for m in get_messages(response.wsgi_request))
            assert "archived and read-only" in text, (name, text)
            checked += 1
    assert checked >= 2 * 10
    assert snapshot(proposal) == before


@pytest.mark.parametrize("name", ["participation_add", "organisation_create", "participation_edit"])
def test_the_participants_forms_of_an_archived_proposal_are_not_offered(client, make_proposal, name):
    """Opened from a page older than the archiving (or typed), they were forms with a Save button, whose
    POST was then refused."""
    proposal = make_proposal()
    participation = proposal.participations.first()
    proposal.archived_at = timezone.now()
    proposal.save(update_fields=["archived_at"])
    client.force_login(proposal.owner)
    kwargs = {"pk": proposal.pk} | ({"participation_id": participation.pk} if name.endswith("edit") else {})
    path = reverse(f"alliances:{name}", kwargs=kwargs)

    response = client.get(path, {"organisation": OrganisationFactory().pk}, HTTP_HX_REQUEST="true")

    assert response.status_code == 409 and response["HX-Redirect"] == reverse(
        "alliances:builder", args=[proposal.pk]
    )
    said = " ".join(str(m) for m in get_messages(response.wsgi_request))
    assert "archived and read-only. Its owner can restore it." in said


def resolve_kwargs(pattern, proposal, participation, editor):
    values = {"pk": proposal.pk, "participation_id": participation.pk, "user_id": editor.pk}
    return {name: values[name] for name in pattern.pattern.converters}


def test_a_co_editor_can_neither_archive_nor_restore(client, make_proposal):
    owner, editor = UserFactory(), UserFactory()
    proposal = make_proposal(owner=owner)
    proposal.co_editors.add(editor)
    client.force_login(editor)
    response = client.post(reverse("alliances:proposal_archive", args=[proposal.pk]))
    assert "Only the proposal's owner can archive it" in " ".join(
        map(str, get_messages(response.wsgi_request))
    )
    proposal.refresh_from_db()
    assert proposal.archived_at is None
    proposal.archived_at = timezone.now()
    proposal.save(update_fields=["archived_at"])
    response = client.post(reverse("alliances:proposal_restore", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.archived_at is not None
    client.force_login(owner)
    client.post(reverse("alliances:proposal_restore", args=[proposal.pk]))
    proposal.refresh_from_db()
    assert proposal.archived_at is None


@pytest.mark.parametrize("name", ["export_csv", "export_xlsx"])
def test_exports_are_private_and_never_stored(owner_client, owner, make_proposal, name):
    proposal = make_proposal(owner=owner)
    response = owner_client.get(reverse(f"alliances:{name}", args=[proposal.pk]))
    assert response.status_code == 200
    directives = {part.strip() for part in response["Cache-Control"].split(",")}
    assert {"private", "no-store"} <= directives
