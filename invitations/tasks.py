"""Thin Celery tasks: load by id, call a service. Queued only after the transaction that asked commits."""

import logging

from celery import shared_task

from config.mail import EMAIL_TASK

from . import delivery, emails
from .models import MAX_SEND_ATTEMPTS

logger = logging.getLogger(__name__)

# Retried by hand, as each failure is recorded on the invitation, with the pauses of every email.
RETRY = {
    "max_retries": EMAIL_TASK["max_retries"],
    "acks_late": True,
    "time_limit": 120,
    "soft_time_limit": 100,
}


def _backoff(retries: int) -> int:
    return min(EMAIL_TASK["retry_backoff_max"], EMAIL_TASK["retry_backoff"] * 2**retries)


def queue(task_name: str, invitation_id: int) -> None:
    """Queue a task; if the broker is down, log it: the sweep queues lost sends again."""
    task = {"send_invitation": send_invitation, "notify_coordinator": notify_coordinator}[task_name]
    try:
        task.delay(invitation_id)
    except Exception:
        logger.exception("Could not queue %s for invitation %s; the sweep retries", task_name, invitation_id)


@shared_task(bind=True, **RETRY)
def send_invitation(self, invitation_id: int) -> bool:
    issued = delivery.invitation_issue_token(invitation_id=invitation_id)
    if issued is None:
        return False
    invitation, token = issued
    try:
        emails.send_invitation(invitation=invitation, token=token)
    except Exception as exc:
        delivery.invitation_send_interrupted(invitation_id=invitation_id)
        # The last try of this task, or the invitation's last attempt: the coordinator sees it failed.
        if self.request.retries >= self.max_retries or invitation.send_attempts >= MAX_SEND_ATTEMPTS:
            delivery.invitation_send_failed(invitation_id=invitation_id, error=type(exc).__name__)
            raise
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    delivery.invitation_mark_sent(invitation_id=invitation_id)
    return True


@shared_task(bind=True, **RETRY)
def send_reminder(self, invitation_id: int) -> bool:
    issued = delivery.invitation_issue_reminder(invitation_id=invitation_id)
    if issued is None:
        return False
    invitation, token = issued
    try:
        emails.send_invitation(invitation=invitation, token=token, reminder=True)
    except Exception as exc:
        delivery.invitation_reminder_failed(invitation_id=invitation_id)
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    delivery.invitation_reminder_sent(invitation_id=invitation_id)
    return True


@shared_task(bind=True, **RETRY)
def notify_coordinator(self, invitation_id: int) -> bool:
    invitation = delivery.answer_notify_claim(invitation_id=invitation_id)
    if invitation is None:
        return False
    try:
        emails.send_answer_notification(invitation=invitation)
    except Exception as exc:
        if self.request.retries >= self.max_retries:
            logger.warning("The answer of invitation %s could not be told to its coordinator", invitation_id)
            raise
        delivery.answer_notify_failed(invitation_id=invitation_id)
        raise self.retry(exc=exc, countdown=_backoff(self.request.retries)) from exc
    return True


@shared_task(acks_late=True, time_limit=600)
def send_reminders() -> int:
    """Beat: queue the reminders due (an invitation expiring within INVITATION_REMINDER_DAYS)."""
    ids = delivery.invitations_to_remind()
    for pk in ids:
        send_reminder.delay(pk)
    return len(ids)


@shared_task(acks_late=True, time_limit=600)
def sweep_invitations() -> dict:
    """Beat: mark expired links expired, and queue again the emails that never went out (invitations, and
    coordinators' notifications of answers)."""
    expired = delivery.invitations_expire_due()
    requeued = delivery.invitations_to_requeue()
    for pk in requeued:
        queue("send_invitation", pk)
    answers = delivery.answers_to_notify()
    for pk in answers:
        queue("notify_coordinator", pk)
    return {"expired": expired, "requeued": len(requeued), "answers_notified": len(answers)}
