"""Email content, reminders, the expiry sweep, lost sends, and the ECHE re-check after a correction."""

from unittest import mock

import pytest
import time_machine
from django.utils import timezone

from alliances.models import Participation, ParticipationStatus
from invitations import delivery, services, tasks
from invitations.models import MAX_SEND_ATTEMPTS, EventKind, Invitation, InvitationStatus, ParticipationEvent
from partners.models import EcheStatus, Organisation
from tests.factories import OrganisationFactory, ParticipationFactory, org_type
from tests.invitations.conftest import token_from

pytestmark = pytest.mark.django_db


def test_invitation_email_names_proposal_coordinator_role_and_expiry(proposal, invite, mailoutbox, settings):
    invitation, token = invite(proposal.invitee)

    message = mailoutbox[-1]
    assert message.to == ["pablo@fabrica.example"]
    assert message.reply_to == ["clara@example.org"]
    assert "GREENMAKE" in message.subject
    html = message.alternatives[0][0]
    assert message.alternatives[0][1] == "text/html"
    expiry = invitation.expires_at
    for body in (message.body, html):
        assert "Green Manufacturing Skills Alliance" in body
        assert "Clara Coordinator" in body
        assert "as a full partner" in body or "as <strong>a full partner</strong>" in body  # not "Full"
        assert proposal.invitee.organisation.legal_name in body
        assert str(expiry.year) in body and "expires" in body
        assert f"{settings.SITE_URL}/invite/{token}/" in body
    assert "Dear Pablo Partner" in message.body
    assert (expiry - invitation.sent_at).days == settings.INVITATION_TTL_DAYS - 1 or (
        expiry - invitation.sent_at
    ).days == settings.INVITATION_TTL_DAYS


def test_ttl_is_a_setting(proposal, invite, settings):
    settings.INVITATION_TTL_DAYS = 3
    invitation, _token = invite(proposal.invitee)
    assert round((invitation.expires_at - invitation.created_at).total_seconds() / 86400) == 3


def test_reminder_three_days_before_expiry_with_a_working_link(
    client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, _token = invite(proposal.invitee)
    with time_machine.travel(invitation.expires_at - timezone.timedelta(days=4)):
        assert tasks.send_reminders() == 0
    with time_machine.travel(invitation.expires_at - timezone.timedelta(days=3, minutes=-1)):
        assert tasks.send_reminders() == 1
        assert tasks.send_reminders() == 0  # once only
        reminder = mailoutbox[-1]
        assert reminder.subject.startswith("Reminder")
        assert "expires" in reminder.body
        reminder_token = token_from(reminder)
        assert client.get(f"/invite/{reminder_token}/", follow=True).status_code == 200
    assert len(mailoutbox) == 2
    assert ParticipationEvent.objects.filter(kind=EventKind.REMINDED).count() == 1


def test_no_reminder_for_answered_or_revoked_invitations(proposal, invite, mailoutbox):
    invitation, _token = invite(proposal.invitee)
    services.invitation_revoke(invitation=invitation, actor=proposal.owner)
    with time_machine.travel(invitation.expires_at - timezone.timedelta(days=1)):
        assert tasks.send_reminders() == 0
    assert len(mailoutbox) == 1


def test_sweep_marks_expired_invitations_and_the_participation_goes_back_to_proposed(proposal, invite):
    invitation, _token = invite(proposal.invitee)
    with time_machine.travel(invitation.expires_at - timezone.timedelta(seconds=1)):
        assert tasks.sweep_invitations()["expired"] == 0
    with time_machine.travel(invitation.expires_at + timezone.timedelta(seconds=1)):
        assert tasks.sweep_invitations()["expired"] == 1
        assert tasks.sweep_invitations()["expired"] == 0
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.EXPIRED and invitation.expired_at
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.PROPOSED
    expired = ParticipationEvent.objects.get(kind=EventKind.EXPIRED)
    assert expired.actor_kind == "system" and expired.actor is None


def test_a_send_lost_while_the_broker_was_down_is_queued_again(
    proposal, mailoutbox, django_capture_on_commit_callbacks
):
    broker_down = mock.patch.object(
        tasks.send_invitation, "delay", side_effect=ConnectionError("broker down")
    )
    with broker_down, django_capture_on_commit_callbacks(execute=True):
        invitation = services.invitation_create(participation=proposal.invitee, actor=proposal.owner)
    assert mailoutbox == []
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.QUEUED

    with time_machine.travel(timezone.now() + delivery.QUEUED_GRACE + timezone.timedelta(seconds=1)):
        assert tasks.sweep_invitations()["requeued"] == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT
    assert len(mailoutbox) == 1


def test_the_coordinator_sees_that_the_email_could_not_be_sent(proposal, client):
    """A queued invitation whose sends failed said "Queued" for ever."""
    from invitations import emails

    invitation = Invitation.objects.create(
        participation=proposal.invitee,
        email="pablo@fabrica.example",
        expires_at=timezone.now() + timezone.timedelta(days=14),
    )
    client.force_login(proposal.owner)
    builder = f"/proposals/{proposal.pk}/"
    assert "could not be sent" not in client.get(builder).content.decode()

    with mock.patch.object(emails, "send_invitation", side_effect=OSError("SMTP down")):
        assert tasks.send_invitation.apply(args=[invitation.pk]).failed()
    page = client.get(builder).content.decode()
    assert "the email could not be sent yet: it is tried again" in page
    assert "Re-send" in page

    # The sweep's tries fail too, up to the last attempt: the builder (cached until the proposal is touched)
    # says so at once.
    Invitation.objects.filter(pk=invitation.pk).update(send_attempts=MAX_SEND_ATTEMPTS - 1)
    with mock.patch.object(emails, "send_invitation", side_effect=OSError("SMTP down")):
        assert tasks.send_invitation.apply(args=[invitation.pk]).failed()
    page = client.get(builder).content.decode()
    assert "the email could not be sent: check the address, then re-send" in page
    assert delivery.invitation_issue_token(invitation_id=invitation.pk) is None  # nothing more is tried


def test_a_failing_mail_server_is_retried_and_the_link_of_a_failed_attempt_never_works(proposal, mailoutbox):
    from invitations import emails

    invitation = Invitation.objects.create(
        participation=proposal.invitee, email="pablo@fabrica.example", expires_at=timezone.now()
    )
    with mock.patch.object(emails, "send_invitation", side_effect=OSError("SMTP down")):
        result = tasks.send_invitation.apply(args=[invitation.pk])
    assert result.failed()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.QUEUED and invitation.send_attempts >= 2
    assert ParticipationEvent.objects.filter(kind=EventKind.SEND_FAILED).exists()
    failed_hash = invitation.token_hash
    assert tasks.send_invitation.apply(args=[invitation.pk]).result is True
    invitation.refresh_from_db()
    assert invitation.token_hash != failed_hash and invitation.status == InvitationStatus.SENT


def test_two_copies_of_the_send_task_send_one_email_whose_link_works(client, proposal, mailoutbox):
    """The sweep queues a send again while the worker is down; back, the worker ran both copies at once: two
    emails, and the first one's link no longer worked (each attempt makes a new token)."""
    from invitations import emails

    invitation = Invitation.objects.create(
        participation=proposal.invitee, email="pablo@fabrica.example", expires_at=timezone.now()
    )
    sending, token = delivery.invitation_issue_token(invitation_id=invitation.pk)  # one copy is sending

    assert tasks.send_invitation.apply(args=[invitation.pk]).result is False  # the other sends nothing
    emails.send_invitation(invitation=sending, token=token)
    delivery.invitation_mark_sent(invitation_id=invitation.pk)

    assert len(mailoutbox) == 1
    assert client.get(f"/invite/{token}/").status_code == 302  # to the invitation's page: the link works
    assert tasks.send_invitation.apply(args=[invitation.pk]).result is False


def test_a_send_whose_worker_died_is_sent_by_a_later_copy_once_its_claim_lapses(proposal, mailoutbox):
    invitation = Invitation.objects.create(
        participation=proposal.invitee, email="pablo@fabrica.example", expires_at=timezone.now()
    )
    delivery.invitation_issue_token(invitation_id=invitation.pk)  # and the worker is killed mid-send
    assert tasks.send_invitation.apply(args=[invitation.pk]).result is False
    with time_machine.travel(timezone.now() + delivery.SEND_CLAIM + timezone.timedelta(seconds=1)):
        assert tasks.send_invitation.apply(args=[invitation.pk]).result is True
    assert len(mailoutbox) == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.sending_since is None


def declined_while_the_broker_is_down(client, proposal, invite, capture) -> Invitation:
    """The partner declines through its link; the coordinator's notification cannot be queued."""
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    broker_down = mock.patch.object(
        tasks.notify_coordinator, "delay", side_effect=ConnectionError("broker down")
    )
    with broker_down, capture(execute=True):
        client.post(f"/invite/answer/{invitation.pk}/decline/", {"decline-reason": "Budget cut"})
    return invitation


def test_an_answer_the_broker_missed_is_told_to_the_coordinator_by_the_sweep_once(
    client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    """The coordinator was never told of answers given while the broker was down: nothing re-queued them."""
    invitation = declined_while_the_broker_is_down(
        client, proposal, invite, django_capture_on_commit_callbacks
    )
    told = [message for message in mailoutbox if "declined" in message.subject]
    assert told == []

    with time_machine.travel(timezone.now() + delivery.QUEUED_GRACE + timezone.timedelta(seconds=1)):
        assert tasks.sweep_invitations()["answers_notified"] == 1
        assert tasks.sweep_invitations()["answers_notified"] == 0
    told = [message for message in mailoutbox if "declined" in message.subject]
    assert len(told) == 1 and told[0].to == ["clara@example.org"]
    assert tasks.notify_coordinator.apply(args=[invitation.pk]).result is False  # a late copy: nothing more


def test_a_notification_that_keeps_failing_is_tried_by_its_task_then_left(
    client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    """Its claim ends with each failed try (the retry sends it once the mail server answers); after the last
    try it stays, so the sweep does not try a refused address every ten minutes for a week."""
    from invitations import emails

    invitation = declined_while_the_broker_is_down(
        client, proposal, invite, django_capture_on_commit_callbacks
    )

    once_down = mock.patch.object(
        emails, "send_answer_notification", side_effect=[OSError("SMTP down"), None]
    )
    with once_down as sending:
        assert tasks.notify_coordinator.apply(args=[invitation.pk]).result is True
    assert sending.call_count == 2

    Invitation.objects.filter(pk=invitation.pk).update(answer_notified_at=None)
    with mock.patch.object(emails, "send_answer_notification", side_effect=OSError("refused")):
        assert tasks.notify_coordinator.apply(args=[invitation.pk]).failed()
    with time_machine.travel(timezone.now() + delivery.QUEUED_GRACE + timezone.timedelta(seconds=1)):
        assert tasks.sweep_invitations()["answers_notified"] == 0


def test_coordinator_notified_of_a_decline_with_the_reason(
    client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/invite/answer/{invitation.pk}/decline/", {"decline-reason": "Budget <b>cut</b>"})

    message = mailoutbox[-1]
    assert message.to == ["clara@example.org"]
    assert "declined" in message.subject and "Budget <b>cut</b>" in message.body
    assert "Budget &lt;b&gt;cut&lt;/b&gt;" in message.alternatives[0][0]
    assert f"/proposals/{proposal.pk}/" in message.body


def test_changed_erasmus_code_queues_the_eche_check_again(
    client, proposal, invite, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):  # its first check runs (and is done with)
        hei = OrganisationFactory(type=org_type("higher-education-institution"), erasmus_code="D  BERLIN99")
    Organisation.objects.filter(pk=hei.pk).update(eche_status=EcheStatus.VALID)
    participation = ParticipationFactory(
        proposal=proposal,
        organisation=hei,
        status=ParticipationStatus.PROPOSED,
        contact_email="h@uni.example",
    )
    invitation, token = invite(participation)
    client.get(f"/invite/{token}/")

    with (
        mock.patch("partners.eche.services.queue_checks") as queue_checks,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(
            f"/invite/answer/{invitation.pk}/confirm/",
            {
                "org-erasmus_code": "D  BERLIN98",
                "org-city": "Berlin",
                "contact-contact_email": "h@uni.example",
            },
        )

    assert response.status_code == 302
    hei.refresh_from_db()
    assert hei.erasmus_code == "D  BERLIN98"
    assert hei.eche_status == EcheStatus.PENDING
    queued = [list(call.args[0]) for call in queue_checks.call_args_list]
    assert [hei.pk] in queued


def test_unchanged_organisation_queues_no_eche_check(
    client, proposal, invite, django_capture_on_commit_callbacks
):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    organisation = proposal.invitee.organisation
    with (
        mock.patch("partners.eche.services.queue_checks") as queue_checks,
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(
            f"/invite/answer/{invitation.pk}/confirm/",
            {"org-city": organisation.city, "contact-contact_email": "pablo@fabrica.example"},
        )
    queue_checks.assert_not_called()
    assert not ParticipationEvent.objects.filter(kind=EventKind.ORGANISATION_CORRECTED).exists()


def test_an_archived_proposal_emails_no_one_until_it_is_restored(
    proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    """Its links are refused, so neither a reminder nor an invitation queued just before archiving goes out
    (both did, with a link that opened the "archived" page); once restored, the queued one is sent."""
    from alliances import services as alliance_services

    reminded, _token = invite(proposal.invitee)
    other = ParticipationFactory(
        proposal=proposal,
        organisation=OrganisationFactory(),
        contact_email="o@other.example",
        status=ParticipationStatus.PROPOSED,
    )
    broker_down = ConnectionError("broker down")
    with (
        mock.patch.object(tasks.send_invitation, "delay", side_effect=broker_down),
        django_capture_on_commit_callbacks(execute=True),
    ):
        queued = services.invitation_create(participation=other, actor=proposal.owner)
    proposal.refresh_from_db()
    alliance_services.proposal_archive(proposal=proposal, actor=proposal.owner)
    sent_before = len(mailoutbox)

    with time_machine.travel(reminded.expires_at - timezone.timedelta(days=1)):
        assert tasks.send_reminders() == 0
    assert tasks.send_invitation.apply(args=[queued.pk]).result is False
    with time_machine.travel(timezone.now() + delivery.QUEUED_GRACE + timezone.timedelta(seconds=1)):
        assert tasks.sweep_invitations()["requeued"] == 0
    assert len(mailoutbox) == sent_before

    proposal.refresh_from_db()
    alliance_services.proposal_restore(proposal=proposal, actor=proposal.owner)
    # Restored after longer than an invitation lasts: the one never sent is sent now, with a link of its own.
    with time_machine.travel(queued.expires_at + timezone.timedelta(days=30)):
        swept = tasks.sweep_invitations()
        assert (swept["expired"], swept["requeued"]) == (1, 1)  # the reminded one expired
        assert mailoutbox[-1].to == ["o@other.example"]
        queued.refresh_from_db()
        assert queued.status == InvitationStatus.SENT and queued.expires_at > timezone.now()


def test_the_expiry_says_its_time_zone_and_the_link_works_until_answered(proposal, invite, mailoutbox):
    """Partners are in many countries: "expires on 21 December 2026, 08:29" said nothing of Brussels time; and
    the link works until the partner answers (a reminder adds another), not once."""
    invitation, _token = invite(proposal.invitee)
    zone = timezone.localtime(invitation.expires_at).strftime("%Z")  # CET or CEST
    message = mailoutbox[-1]
    for body in (message.body, message.alternatives[0][0]):
        assert f"({zone})" in body
        assert "works until you answer" in body and "works once" not in body


def test_a_reminder_gives_no_address_its_coordinator_has_not_proven(proposal, invite, mailoutbox):
    """Invitations need a confirmed sender, but a reminder names whoever coordinates now (the owner once the
    co-editor who sent it is gone, an address an admin changed): an unproven one went out as Reply-To."""
    from django.contrib.auth import get_user_model

    from invitations import emails

    invitation, token = invite(proposal.invitee)
    get_user_model().objects.filter(pk=proposal.owner_id).update(email_confirmed_at=None)
    invitation.refresh_from_db()

    emails.send_invitation(invitation=invitation, token=token, reminder=True)

    reminder = mailoutbox[-1]
    assert reminder.reply_to == []
    assert "write to" not in reminder.body and "write to" not in reminder.alternatives[0][0]
    assert proposal.owner.email not in reminder.body
