"""Invitation emails are limited, counted in the database: per recipient and per proposal in 24 hours; the
coordinator is told why, and nothing is sent. Reminders do not count."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from alliances.models import ParticipationStatus
from invitations import services, tasks
from invitations.models import Invitation
from tests.factories import OrganisationFactory, ParticipationFactory

pytestmark = pytest.mark.django_db


def resend(client, participation, capture):
    url = reverse("invitations:resend", args=[participation.proposal_id, participation.pk])
    with capture(execute=True):
        return client.post(url, HTTP_HX_REQUEST="true")


def test_the_defaults(settings):
    assert settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY == 5
    assert settings.INVITATION_SENDS_PER_PROPOSAL_PER_DAY == 50


def test_the_sixth_send_to_one_address_in_a_day_is_refused_with_a_clear_message(
    coordinator_client, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    for _ in range(5):
        assert (
            resend(coordinator_client, proposal.invitee, django_capture_on_commit_callbacks).status_code
            == 200
        )
    assert len(mailoutbox) == 5
    live = Invitation.objects.get(participation=proposal.invitee, status__in=["queued", "sent"])
    response = resend(coordinator_client, proposal.invitee, django_capture_on_commit_callbacks)
    assert response.status_code == 200
    assert "already been sent 5 invitations in the last 24 hours" in response.content.decode()
    assert len(mailoutbox) == 5  # nothing sent
    assert Invitation.objects.filter(participation=proposal.invitee).count() == 5
    live.refresh_from_db()
    assert live.status == "sent"  # the open invitation and its link are untouched


def test_the_recipient_is_counted_whatever_the_case_of_the_address(
    proposal, invite, settings, django_capture_on_commit_callbacks
):
    settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY = 1
    invite(proposal.invitee)
    other = ParticipationFactory(
        proposal=proposal,
        organisation=OrganisationFactory(),
        status=ParticipationStatus.PROPOSED,
        contact_email="PABLO@Fabrica.example",
    )
    with pytest.raises(services.ValidationError, match="already been sent 1 invitations"):
        services.invitation_create(participation=other, actor=proposal.owner)


def test_a_day_later_the_address_may_be_invited_again(proposal, invite, settings):
    settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY = 1
    invite(proposal.invitee)
    with pytest.raises(services.ValidationError):
        services.invitation_resend(participation=proposal.invitee, actor=proposal.owner)
    with time_machine.travel(datetime.timedelta(days=1, minutes=1)):
        invite(proposal.invitee, resend=True)


def test_per_proposal_limit(proposal, invite, settings):
    settings.INVITATION_SENDS_PER_PROPOSAL_PER_DAY = 2
    invite(proposal.invitee)
    invite(proposal.invitee, resend=True)
    with pytest.raises(services.ValidationError, match="this proposal has already sent 2 invitations"):
        services.invitation_resend(participation=proposal.invitee, actor=proposal.owner)


def test_reminders_are_exempt(proposal, invite, settings, mailoutbox):
    settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY = 1
    invitation, _token = invite(proposal.invitee)
    due = invitation.expires_at - datetime.timedelta(days=settings.INVITATION_REMINDER_DAYS - 1)
    with time_machine.travel(due):
        tasks.send_reminders()
    assert len(mailoutbox) == 2
