"""A coordinator who corrects a participant's contact email kills the open invitation to the old address:
its link answers as revoked, and its addressee can no longer confirm over the correction."""

import pytest
from django.test import Client
from django.urls import reverse

from alliances.models import Participation, ParticipationStatus
from invitations.models import ActorKind, EventKind, Invitation, InvitationStatus, ParticipationEvent

pytestmark = pytest.mark.django_db


def edit_contact(client, proposal, participation, said="", **contact):
    """The builder's edit of a participant, from a page at the current version (and what it tells)."""
    proposal.refresh_from_db()
    data = {
        "role": participation.role,
        "affiliated_to": "",
        "contact_name": participation.contact_name,
        "contact_email": participation.contact_email,
        "version": proposal.version,
        **contact,
    }
    url = reverse("alliances:participation_edit", args=[proposal.pk, participation.pk])
    response = client.post(url, data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert said in response.content.decode()
    return Participation.objects.get(pk=participation.pk)


def test_a_new_contact_email_revokes_the_invitation_to_the_old_one(coordinator_client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    old_addressee = Client()
    old_addressee.get(f"/invite/{token}/")  # opened before the correction

    participation = edit_contact(
        coordinator_client,
        proposal,
        proposal.invitee,
        contact_email="pilar@fabrica.example",
        said="The invitation sent to pablo@fabrica.example no longer works: invite pilar@fabrica.example",
    )

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED and invitation.revoked_at
    assert participation.status == ParticipationStatus.PROPOSED
    event = ParticipationEvent.objects.get(invitation=invitation, kind=EventKind.REVOKED)
    assert event.detail == {"email": "pablo@fabrica.example"} and event.actor_kind == ActorKind.SYSTEM
    response = Client().get(f"/invite/{token}/", follow=True)
    assert response.status_code == 410 and 'data-reason="revoked"' in response.content.decode()
    confirm = old_addressee.post(
        f"/invite/answer/{invitation.pk}/confirm/",
        {"contact-contact_name": "Pablo Partner", "contact-contact_email": "pablo@fabrica.example"},
    )
    assert confirm.status_code == 410
    participation.refresh_from_db()
    assert participation.contact_email == "pilar@fabrica.example"
    assert participation.status == ParticipationStatus.PROPOSED


def test_an_invitation_not_yet_sent_never_goes_to_the_old_address(
    coordinator_client, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    send = reverse("invitations:send", args=[proposal.pk, proposal.invitee.pk])
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        coordinator_client.post(send, HTTP_HX_REQUEST="true")

    edit_contact(coordinator_client, proposal, proposal.invitee, contact_email="pilar@fabrica.example")
    for callback in callbacks:
        callback()

    assert mailoutbox == []
    assert Invitation.objects.get(participation=proposal.invitee).status == InvitationStatus.REVOKED


@pytest.mark.parametrize(
    "contact", [{"contact_name": "Pablo P. Partner"}, {"contact_email": "Pablo@Fabrica.example"}]
)
def test_the_same_address_keeps_its_invitation(coordinator_client, proposal, invite, contact):
    invitation, token = invite(proposal.invitee)

    participation = edit_contact(coordinator_client, proposal, proposal.invitee, **contact)

    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert participation.status == ParticipationStatus.INVITED
    assert Client().get(f"/invite/{token}/", follow=True).status_code == 200
