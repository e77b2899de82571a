"""A save from an out-of-date page is refused with what changed, and each change names who made it as the
reader sees them: you (from another tab), the coordinator, a co-editor, a partner through its invite link."""

import pytest
from django.test import Client
from django.urls import reverse

from alliances import services as alliance_services
from alliances.models import Participation, Role
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def remove_from_page(client, proposal, participation, version):
    """The Remove button of a builder page rendered at `version`."""
    path = reverse(
        "alliances:participation_remove", kwargs={"pk": proposal.pk, "participation_id": participation.pk}
    )
    return client.post(path, {"version": version}, **HTMX)


def confirm_through_link(proposal, invite, django_capture_on_commit_callbacks):
    invitation, token = invite(proposal.invitee)
    return confirm_link(invitation, token, django_capture_on_commit_callbacks)


def confirm_link(invitation, token, django_capture_on_commit_callbacks, email="pablo@fabrica.example"):
    """The partner opens the link and confirms, its contact's email as given; returns its organisation."""
    partner = Client()
    partner.get(f"/invite/{token}/")
    organisation = invitation.participation.organisation
    with django_capture_on_commit_callbacks(execute=True):
        response = partner.post(
            f"/invite/answer/{invitation.pk}/confirm/",
            {
                "org-pic": organisation.pic,
                "org-oid": organisation.oid,
                "org-city": organisation.city,
                "org-website": organisation.website,
                "contact-contact_name": "Pablo Partner",
                "contact-contact_email": email,
            },
        )
    assert response.status_code == 302
    return organisation


def test_your_own_change_from_another_tab_is_named_as_yours(proposal, coordinator):
    client = signed_in(coordinator)
    seen = proposal.version
    first, second = proposal.participations.filter(role=Role.FULL_PARTNER)[:2]
    assert remove_from_page(client, proposal, first, seen).status_code == 200  # tab A
    html = remove_from_page(client, proposal, second, seen).content.decode()  # tab B, still at `seen`
    assert "Nothing was saved" in html
    assert f"You removed a participant: {first.organisation.legal_name}" in html
    assert "Someone" not in html and f"{coordinator.display_name} removed" not in html
    assert Participation.objects.filter(pk=second.pk).exists()


def test_a_co_editors_change_names_the_co_editor_and_the_coordinator_sees_it_so(proposal, coordinator):
    editor = UserFactory(first_name="Anna", last_name="Keller")
    proposal.co_editors.add(editor)
    seen = proposal.version
    first, second = proposal.participations.filter(role=Role.FULL_PARTNER)[:2]
    remove_from_page(signed_in(editor), proposal, first, seen)

    html = remove_from_page(signed_in(coordinator), proposal, second, seen).content.decode()
    assert f"Anna Keller (co-editor) removed a participant: {first.organisation.legal_name}" in html

    # The co-editor reading about the coordinator's change sees "(coordinator)".
    proposal.refresh_from_db()
    seen = proposal.version
    alliance_services.participation_update(
        participation=second, actor=coordinator, expected_version=seen, role=second.role, contact_name="New"
    )
    html = remove_from_page(signed_in(editor), proposal, second, seen).content.decode()
    name = second.organisation.legal_name
    assert f"{coordinator.display_name} (coordinator) changed a participant: {name} (contact name)" in html


def test_a_partners_answer_is_named_and_refuses_no_ones_save(
    proposal, coordinator, invite, django_capture_on_commit_callbacks
):
    editor = UserFactory(first_name="Anna", last_name="Keller")
    proposal.co_editors.add(editor)
    proposal.refresh_from_db()
    seen_before_invite = proposal.version
    organisation = confirm_through_link(proposal, invite, django_capture_on_commit_callbacks)
    first, second = proposal.participations.exclude(pk=proposal.invitee.pk).filter(role=Role.FULL_PARTNER)[:2]

    # Only a partner's answer (and the invitation's progress) since the page: the save goes through.
    assert remove_from_page(signed_in(coordinator), proposal, first, seen_before_invite).status_code == 200
    assert not Participation.objects.filter(pk=first.pk).exists()

    # The co-editor's page predates both: refused, and the list names the partner and the coordinator.
    html = remove_from_page(signed_in(editor), proposal, second, seen_before_invite).content.decode()
    assert "Nothing was saved" in html
    assert f"Partner {organisation.display_name} confirmed its participation" in html
    assert f"{coordinator.display_name} (coordinator) removed a participant" in html
    assert Participation.objects.filter(pk=second.pk).exists()


def test_the_change_log_on_the_details_page_names_who_too(
    proposal, coordinator, invite, django_capture_on_commit_callbacks
):
    organisation = confirm_through_link(proposal, invite, django_capture_on_commit_callbacks)
    html = signed_in(coordinator).get(reverse("alliances:proposal_update", kwargs={"pk": proposal.pk}))
    text = html.content.decode()
    assert f"Partner {organisation.display_name} confirmed its participation" in text


def test_an_edit_form_older_than_the_partners_answer_is_refused_for_that_participant_only(
    proposal, coordinator, invite, django_capture_on_commit_callbacks
):
    """The partner corrected its contact email when confirming; the coordinator's edit form, opened before,
    wrote the old address back without a word."""
    invitee = proposal.invitee
    invitation, token = invite(invitee)
    proposal.refresh_from_db()
    seen = proposal.version  # the coordinator opens the edit row now
    organisation = confirm_link(
        invitation, token, django_capture_on_commit_callbacks, "pablo.new@fabrica.example"
    )

    def edit(participation, **fields):
        path = reverse(
            "alliances:participation_edit", kwargs={"pk": proposal.pk, "participation_id": participation.pk}
        )
        data = {"role": participation.role, "version": seen, **fields}
        return signed_in(coordinator).post(path, data, **HTMX)

    html = edit(invitee, contact_name="Pablo P.", contact_email=invitee.contact_email).content.decode()
    assert "Nothing was saved" in html
    assert f"Partner {organisation.display_name} confirmed its participation" in html
    invitee.refresh_from_db()
    assert (invitee.contact_name, invitee.contact_email) == ("Pablo Partner", "pablo.new@fabrica.example")

    # Another participant's edit from the same page goes through: the answer is not theirs.
    other = proposal.participations.exclude(pk=invitee.pk).filter(role=Role.FULL_PARTNER).first()
    assert edit(other, contact_name="Eva").status_code == 200
    other.refresh_from_db()
    assert other.contact_name == "Eva"
