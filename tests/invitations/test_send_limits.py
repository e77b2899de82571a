"""Invitation emails are limited, counted in a send log that outlives participants and proposals: per
recipient from one account, per recipient from all accounts, per proposal and per account in 24 hours; the
coordinator is told why (never that others invite the address), and nothing is sent. Reminders do not
count."""

import datetime

import pytest
import time_machine
from django.urls import reverse

from alliances import services as alliance_services
from alliances.models import ParticipationStatus, Proposal, Role
from invitations import services, tasks
from invitations.models import Invitation
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db
REFUSED = "this address has had as many invitations as it may get today"


def resend(client, participation, capture):
    url = reverse("invitations:resend", args=[participation.proposal_id, participation.pk])
    with capture(execute=True):
        return client.post(url, HTTP_HX_REQUEST="true")


def test_the_defaults(settings):
    assert settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY == 5
    assert settings.INVITATION_SENDS_PER_PROPOSAL_PER_DAY == 50
    assert settings.INVITATION_SENDS_PER_ACCOUNT_PER_DAY == 100


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
    assert REFUSED in response.content.decode()
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
    with pytest.raises(services.ValidationError, match=REFUSED):
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


def test_per_account_limit_across_its_proposals(proposal, invite, settings):
    """The per-proposal limit started again with each new proposal, and proposals cost nothing: one account
    sent the platform's emails to any number of addresses."""
    settings.INVITATION_SENDS_PER_ACCOUNT_PER_DAY = 2
    invite(proposal.invitee)
    invite(contact_of_own_proposal("someone@example.net", owner=proposal.owner))
    another = contact_of_own_proposal("another@example.net", owner=proposal.owner)
    with pytest.raises(services.ValidationError, match="your account has already sent 2 invitations"):
        services.invitation_create(participation=another, actor=proposal.owner)
    invite(contact_of_own_proposal("another@example.net"))  # another account's are its own


def test_reminders_are_exempt(proposal, invite, settings, mailoutbox):
    settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY = 1
    invitation, _token = invite(proposal.invitee)
    due = invitation.expires_at - datetime.timedelta(days=settings.INVITATION_REMINDER_DAYS - 1)
    with time_machine.travel(due):
        tasks.send_reminders()
    assert len(mailoutbox) == 2


def version(proposal) -> int:
    return Proposal.objects.values_list("version", flat=True).get(pk=proposal.pk)


def contact_of_own_proposal(email, owner=None):
    """A proposal of someone else (or of `owner`) with a participant whose contact is `email`."""
    proposal = ProposalFactory(owner=owner or UserFactory())
    return ParticipationFactory(proposal=proposal, status=ParticipationStatus.PROPOSED, contact_email=email)


def send_five(participation, invite):
    invite(participation)
    for _ in range(4):
        invite(participation, resend=True)


def test_removing_the_participant_gives_no_send_back(proposal, invite, mailoutbox):
    def add_contact():
        return alliance_services.participation_add(
            proposal=proposal,
            organisation=OrganisationFactory(),
            role=Role.ASSOCIATED_PARTNER,
            actor=proposal.owner,
            expected_version=version(proposal),
            contact_email="victim@example.net",
        )

    for _ in range(5):
        participation = add_contact()
        invite(participation)
        alliance_services.participation_remove(
            participation=participation, actor=proposal.owner, expected_version=version(proposal)
        )

    with pytest.raises(services.ValidationError, match=REFUSED):
        services.invitation_create(participation=add_contact(), actor=proposal.owner)
    assert [message.to for message in mailoutbox] == [["victim@example.net"]] * 5


def test_deleting_the_proposal_gives_no_send_back(coordinator, invite):
    send_five(contact_of_own_proposal("pablo@fabrica.example", owner=coordinator), invite)
    Proposal.objects.filter(owner=coordinator).delete()

    again = contact_of_own_proposal("pablo@fabrica.example", owner=coordinator)
    with pytest.raises(services.ValidationError, match=REFUSED):
        services.invitation_create(participation=again, actor=coordinator)


def test_a_stranger_cannot_use_up_the_coordinators_sends_to_an_address(proposal, invite):
    strangers = contact_of_own_proposal("Pablo@Fabrica.example")
    send_five(strangers, invite)
    with pytest.raises(services.ValidationError, match=REFUSED):
        services.invitation_resend(participation=strangers, actor=strangers.proposal.owner)

    invite(proposal.invitee)  # the coordinator's own five are untouched


def test_all_accounts_together_send_an_address_twenty_a_day(proposal, invite):
    for _ in range(4):
        send_five(contact_of_own_proposal("pablo@fabrica.example"), invite)

    with pytest.raises(services.ValidationError, match=REFUSED):
        services.invitation_create(participation=proposal.invitee, actor=proposal.owner)


def test_the_refusal_says_nothing_of_other_senders(
    coordinator_client, proposal, invite, settings, mailoutbox, django_capture_on_commit_callbacks
):
    settings.INVITATION_SENDS_PER_RECIPIENT_ALL_SENDERS_PER_DAY = 2
    for _ in range(2):
        invite(contact_of_own_proposal("pablo@fabrica.example"))

    url = reverse("invitations:send", args=[proposal.pk, proposal.invitee.pk])
    with django_capture_on_commit_callbacks(execute=True):
        html = coordinator_client.post(url, HTTP_HX_REQUEST="true").content.decode()

    assert "No invitation sent: " + REFUSED + ". Try again tomorrow." in html
    assert "2 invitations" not in html and "already been sent" not in html
    assert len(mailoutbox) == 2
    assert not Invitation.objects.filter(participation=proposal.invitee).exists()
