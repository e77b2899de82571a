"""Delivery of invitations, what the tasks call: a token for each send, the outcome of each send, the
reminder, expiry, and the sweep of sends that never went out. Each write locks as `services` does (the
proposal, the participation, then the invitation) and does nothing when the invitation has gone meanwhile.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from alliances.models import ParticipationStatus
from alliances.services import proposal_touch

from . import audit, tokens
from .models import (
    ANSWERED_STATUSES,
    LIVE_STATUSES,
    MAX_SEND_ATTEMPTS,
    ActorKind,
    EventKind,
    Invitation,
    InvitationStatus,
)
from .services import lock_invitation_if_there, set_participation_status, ttl

# A queued invitation whose email has not gone out after this long is queued again by the sweep; so is the
# coordinator's notification of an answer, if it is no older than ANSWER_NOTICE_DAYS.
QUEUED_GRACE = timedelta(minutes=15)
ANSWER_NOTICE_DAYS = 7
# An attempt to email an invitation holds it this long: another copy of the task (queued again by the sweep
# while the worker was down) sends nothing meanwhile. A worker killed mid-send leaves its claim, which lapses.
SEND_CLAIM = timedelta(minutes=5)


@transaction.atomic
def invitation_issue_token(*, invitation_id: int) -> tuple[Invitation, str] | None:
    """A new token for a queued invitation about to be emailed (None if it is no longer to be sent, or if
    another attempt is sending it: two copies of the task sent two emails, the first one's link dead).

    Each attempt makes a new token, so a link from an attempt that failed half-way never works.
    """
    locked = lock_invitation_if_there(invitation_id)
    if locked is None or _archived(locked):  # its link would be refused: sent once the proposal is restored
        return None
    if locked.status != InvitationStatus.QUEUED or locked.send_attempts >= MAX_SEND_ATTEMPTS:
        return None
    now = timezone.now()
    if locked.sending_since is not None and now - locked.sending_since < SEND_CLAIM:
        return None
    token, digest = tokens.new_token()
    locked.token_hash = digest
    locked.expires_at = now + ttl()
    locked.send_attempts += 1
    locked.sending_since = now
    locked.save(update_fields=["token_hash", "expires_at", "send_attempts", "sending_since"])
    proposal_touch(proposal_id=locked.participation.proposal_id)  # the builder shows the new expiry
    return locked, token


@transaction.atomic
def invitation_mark_sent(*, invitation_id: int) -> None:
    locked = lock_invitation_if_there(invitation_id)
    if locked is None:
        return
    if locked.sent_at is None:
        locked.sent_at = timezone.now()
        locked.sending_since = None
        fields = ["sent_at", "sending_since"]
        if locked.status == InvitationStatus.QUEUED:
            locked.status = InvitationStatus.SENT
            fields.append("status")
        locked.save(update_fields=fields)
        audit.invitation_event(
            kind=EventKind.SENT,
            invitation=locked,
            actor=locked.created_by or ActorKind.SYSTEM,
            detail={"email": locked.email},
        )
        proposal_touch(proposal_id=locked.participation.proposal_id)


def invitation_send_interrupted(*, invitation_id: int) -> None:
    """The attempt ended before its email went: its claim ends with it, so a retry may try again."""
    Invitation.objects.filter(pk=invitation_id).update(sending_since=None)


def invitation_send_failed(*, invitation_id: int, error: str) -> None:
    _system_event(invitation_id, EventKind.SEND_FAILED, detail={"error": error[:200]})


@transaction.atomic
def _system_event(invitation_id: int, kind: str, detail: dict | None = None) -> None:
    """An event of the invitation's audit trail that the worker records, shown in the builder at once."""
    locked = lock_invitation_if_there(invitation_id)
    if locked is None:
        return
    audit.invitation_event(kind=kind, invitation=locked, actor=ActorKind.SYSTEM, detail=detail)
    proposal_touch(proposal_id=locked.participation.proposal_id)


# An archived proposal's links are refused, so no email goes out for it (`_archived` for one invitation).
OF_PROPOSALS_NOT_ARCHIVED = Q(participation__proposal__archived_at__isnull=True)


def _archived(invitation: Invitation) -> bool:
    return invitation.participation.proposal.archived_at is not None


def reminder_due(invitation: Invitation, now=None) -> bool:
    now = now or timezone.now()
    return (
        not _archived(invitation)
        and invitation.status in (InvitationStatus.SENT, InvitationStatus.OPENED)
        and invitation.reminded_at is None
        and now < invitation.expires_at <= now + timedelta(days=settings.INVITATION_REMINDER_DAYS)
    )


def invitations_to_remind() -> list[int]:
    """The invitations due a reminder: `reminder_due`, as a query."""
    now = timezone.now()
    return list(
        Invitation.objects.filter(
            OF_PROPOSALS_NOT_ARCHIVED,
            status__in=[InvitationStatus.SENT, InvitationStatus.OPENED],
            reminded_at__isnull=True,
            expires_at__gt=now,
            expires_at__lte=now + timedelta(days=settings.INVITATION_REMINDER_DAYS),
        ).values_list("pk", flat=True)
    )


@transaction.atomic
def invitation_issue_reminder(*, invitation_id: int) -> tuple[Invitation, str] | None:
    """Claim the reminder of an invitation that is due one, with a second link of its own.

    The first link keeps working: the reminder's link is another way into the same invitation, which can
    still be answered only once and expires at the same time.
    """
    locked = lock_invitation_if_there(invitation_id)
    if locked is None:
        return None
    if not reminder_due(locked):
        return None
    token, digest = tokens.new_token()
    locked.reminder_token_hash = digest
    locked.reminded_at = timezone.now()
    locked.save(update_fields=["reminder_token_hash", "reminded_at"])
    return locked, token


def invitation_reminder_sent(*, invitation_id: int) -> None:
    _system_event(invitation_id, EventKind.REMINDED)


@transaction.atomic
def invitation_reminder_failed(*, invitation_id: int) -> None:
    """Release the claim, so a later run sends the reminder."""
    Invitation.objects.filter(pk=invitation_id).update(reminded_at=None, reminder_token_hash=None)


@transaction.atomic
def invitation_expire(*, invitation_id: int, now=None) -> bool:
    """Mark a live invitation past its expiry as expired; the participation goes back to proposed."""
    locked = lock_invitation_if_there(invitation_id)
    if locked is None:
        return False
    now = now or timezone.now()
    if not (locked.is_live and locked.expires_at <= now):
        return False
    locked.status = InvitationStatus.EXPIRED
    locked.expired_at = now
    locked.save(update_fields=["status", "expired_at"])
    audit.invitation_event(kind=EventKind.EXPIRED, invitation=locked, actor=ActorKind.SYSTEM)
    proposal_touch(proposal_id=locked.participation.proposal_id)
    if locked.participation.status == ParticipationStatus.INVITED:
        set_participation_status(
            participation=locked.participation,
            status=ParticipationStatus.PROPOSED,
            actor=ActorKind.SYSTEM,
            invitation=locked,
        )
    return True


def invitations_expire_due() -> int:
    """Expire the live invitations past their expiry. One whose email never went out has no link to expire
    (each send makes its link, and its expiry): it waits for its send, as while its proposal is archived."""
    now = timezone.now()
    due = Invitation.objects.filter(status__in=LIVE_STATUSES, expires_at__lte=now).exclude(
        status=InvitationStatus.QUEUED, sent_at__isnull=True
    )
    due = list(due.values_list("pk", flat=True))
    return sum(invitation_expire(invitation_id=pk, now=now) for pk in due)


def invitations_to_requeue() -> list[int]:
    """Queued invitations whose email never went out (broker or mail server down)."""
    return list(
        Invitation.objects.filter(
            OF_PROPOSALS_NOT_ARCHIVED,  # sent once it is restored
            status=InvitationStatus.QUEUED,
            sent_at__isnull=True,
            created_at__lte=timezone.now() - QUEUED_GRACE,
            send_attempts__lt=MAX_SEND_ATTEMPTS,
        ).values_list("pk", flat=True)
    )


def answer_notify_claim(*, invitation_id: int) -> Invitation | None:
    """Claim telling the coordinator of a partner's answer (`answer_notified_at` set now, in one statement, if
    no one has): the invitation to tell of, or None when there is nothing (more) to tell. One copy of the task
    claims it; another finds it claimed. Nothing stays locked while the email goes."""
    claimed = Invitation.objects.filter(
        pk=invitation_id, status__in=ANSWERED_STATUSES, answer_notified_at__isnull=True
    ).update(answer_notified_at=timezone.now())
    if not claimed:
        return None
    return Invitation.objects.select_related(
        "created_by", "participation__organisation", "participation__proposal__owner"
    ).get(pk=invitation_id)


def answer_notify_failed(*, invitation_id: int) -> None:
    """The email did not go, and is tried again (the task's retry, or the sweep): the claim ends. After the
    task's last try the claim stays, and nothing more is tried (a refused address would be tried for days)."""
    Invitation.objects.filter(pk=invitation_id).update(answer_notified_at=None)


def answers_to_notify() -> list[int]:
    """Answers of the last days whose coordinator was never told (the broker was down when they came)."""
    now = timezone.now()
    return list(
        Invitation.objects.filter(
            OF_PROPOSALS_NOT_ARCHIVED,
            status__in=ANSWERED_STATUSES,
            answer_notified_at__isnull=True,
            answered_at__lte=now - QUEUED_GRACE,
            answered_at__gte=now - timedelta(days=ANSWER_NOTICE_DAYS),
        ).values_list("pk", flat=True)
    )
