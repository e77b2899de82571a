"""Invitations of a participant's contact, the log of their sends (what the limits count), and the audit
trail of participations and their invitations.

An invitation's secret is never stored: only the SHA-256 of the random token that the email carries.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class InvitationStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    SENT = "sent", _("Sent")
    OPENED = "opened", _("Opened")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    EXPIRED = "expired", _("Expired")
    REVOKED = "revoked", _("Revoked")
    SUPERSEDED = "superseded", _("Replaced by a newer invitation")


# An invitation in one of these may still be answered (until it expires).
LIVE_STATUSES = (InvitationStatus.QUEUED, InvitationStatus.SENT, InvitationStatus.OPENED)
# The partner answered: the coordinator is told.
ANSWERED_STATUSES = (InvitationStatus.CONFIRMED, InvitationStatus.DECLINED)
# Its email is tried this many times at most (each try issues a new token), by the task's retries and by the
# sweep that queues lost sends again; then it waits for the coordinator to re-send it.
MAX_SEND_ATTEMPTS = 10
HASH_FORMAT = r"^[0-9a-f]{64}$"


class Invitation(models.Model):
    participation = models.ForeignKey(
        "alliances.Participation",
        verbose_name=_("participation"),
        on_delete=models.CASCADE,
        related_name="invitations",
    )
    email = models.EmailField(_("sent to"))
    status = models.CharField(
        _("status"), max_length=16, choices=InvitationStatus.choices, default=InvitationStatus.QUEUED
    )
    # SHA-256 (hex) of the link's token, and of the reminder's: the tokens themselves are never stored.
    token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    reminder_token_hash = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("invited by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires"))
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    opened_at = models.DateTimeField(_("opened"), null=True, blank=True)
    answered_at = models.DateTimeField(_("answered"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked"), null=True, blank=True)
    expired_at = models.DateTimeField(_("expired"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("reminded"), null=True, blank=True)
    send_attempts = models.PositiveSmallIntegerField(_("send attempts"), default=0)
    # An attempt to email the invitation is under way since then (a copy of the task queued twice waits).
    sending_since = models.DateTimeField(_("being sent since"), null=True, blank=True, editable=False)
    # The coordinator was told of the answer (the sweep tells those the broker missed).
    answer_notified_at = models.DateTimeField(_("answer notified"), null=True, blank=True, editable=False)
    decline_reason = models.TextField(_("reason for declining"), blank=True)

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["participation"],
                condition=Q(status__in=LIVE_STATUSES),
                name="invitation_one_live_per_participation",
                violation_error_message=_("This participant already has an open invitation."),
            ),
            # A raw token can never land in these columns by mistake.
            models.CheckConstraint(
                condition=Q(token_hash__isnull=True) | Q(token_hash__regex=HASH_FORMAT),
                name="invitation_token_hash_format",
            ),
            models.CheckConstraint(
                condition=Q(reminder_token_hash__isnull=True) | Q(reminder_token_hash__regex=HASH_FORMAT),
                name="invitation_reminder_token_hash_format",
            ),
        ]
        indexes = [models.Index(fields=["status", "expires_at"], name="invitation_status_expiry")]

    def __str__(self):
        return f"{self.email} ({self.get_status_display()})"

    @property
    def is_live(self) -> bool:
        return self.status in LIVE_STATUSES

    def has_expired(self, now=None) -> bool:
        return self.status == InvitationStatus.EXPIRED or (
            self.is_live and self.expires_at <= (now or timezone.now())
        )

    @property
    def display_status(self) -> str:
        """What the coordinator sees: a live invitation past its expiry is expired, swept or not."""
        return InvitationStatus.EXPIRED if self.has_expired() else self.status

    @property
    def display_status_label(self):
        return InvitationStatus(self.display_status).label

    @property
    def sending_failed(self) -> str:
        """Whether its email is not out because sending it failed: "" (no), "retrying" (tried more than once,
        it is tried again) or "given up" (every attempt failed; a re-send is the way on)."""
        if self.status != InvitationStatus.QUEUED or self.send_attempts <= 1:
            return ""
        return "given up" if self.send_attempts >= MAX_SEND_ATTEMPTS else "retrying"


class InvitationSend(models.Model):
    """One invitation email the limits let through (`invitations.limits`), kept when its invitation,
    participant or proposal is gone: removing a participant or a proposal gives no sends back."""

    email = models.EmailField(_("sent to"))  # in lower case: one address is counted once, however written
    sender = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("sent by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    proposal = models.ForeignKey(
        "alliances.Proposal",
        verbose_name=_("proposal"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,  # the index below leads with it
    )
    sent_at = models.DateTimeField(_("sent"), default=timezone.now)

    class Meta:
        verbose_name = _("invitation send")
        verbose_name_plural = _("invitation sends")
        indexes = [
            models.Index(fields=["email", "sent_at"], name="invitation_send_recipient"),
            models.Index(fields=["proposal", "sent_at"], name="invitation_send_proposal"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(email=Lower("email")), name="invitation_send_email_lower_case"
            ),
        ]

    def __str__(self):
        return f"{self.email} ({self.sent_at:%Y-%m-%d %H:%M})"


class EventKind(models.TextChoices):
    STATUS_CHANGED = "status_changed", _("Participation status changed")
    CREATED = "invitation_created", _("Invitation created")
    SENT = "invitation_sent", _("Invitation sent")
    SEND_FAILED = "invitation_send_failed", _("Invitation could not be sent")
    OPENED = "invitation_opened", _("Invitation opened")
    REMINDED = "invitation_reminded", _("Reminder sent")
    CONFIRMED = "invitation_confirmed", _("Invitation confirmed")
    DECLINED = "invitation_declined", _("Invitation declined")
    REVOKED = "invitation_revoked", _("Invitation revoked")
    SUPERSEDED = "invitation_superseded", _("Invitation replaced by a new one")
    EXPIRED = "invitation_expired", _("Invitation expired")
    ORGANISATION_CORRECTED = "organisation_corrected", _("Organisation details corrected")
    CONTACT_CORRECTED = "contact_corrected", _("Contact corrected")
    CORRECTION_APPROVED = "correction_approved", _("Correction of the organisation's details approved")
    CORRECTION_REJECTED = "correction_rejected", _("Correction of the organisation's details rejected")


class ActorKind(models.TextChoices):
    USER = "user", _("user")
    INVITATION = "invitation", _("via invitation")
    SYSTEM = "system", _("automatically")
    CURATOR = "curator", _("by a curator")


class ParticipationEvent(models.Model):
    """One entry of the audit trail: a participation's status change or an invitation event.

    Written only by `invitations.audit`, which the services call in the transaction that makes the change.
    """

    proposal = models.ForeignKey(
        "alliances.Proposal", verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="+"
    )
    participation = models.ForeignKey(
        "alliances.Participation",
        verbose_name=_("participation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    invitation = models.ForeignKey(
        Invitation,
        verbose_name=_("invitation"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="events",
    )
    # The organisation's name when it happened: the trail stays readable after a participant is removed.
    subject = models.CharField(_("participant"), max_length=255)
    kind = models.CharField(_("event"), max_length=32, choices=EventKind.choices)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16, blank=True)
    actor_kind = models.CharField(_("actor kind"), max_length=16, choices=ActorKind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), default=timezone.now)

    class Meta:
        verbose_name = _("participation event")
        verbose_name_plural = _("participation events")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["proposal", "-created_at"], name="participation_event_timeline")]
        constraints = [
            models.CheckConstraint(
                condition=Q(actor_kind="user") | Q(actor__isnull=True),
                name="participation_event_actor_only_for_users",
            ),
        ]

    def __str__(self):
        return f"{self.subject}: {self.get_kind_display()}"

    @property
    def actor_label(self) -> str:
        if self.actor_kind == ActorKind.USER:
            return self.actor.display_name if self.actor else str(_("a former user"))
        return str(ActorKind(self.actor_kind).label)
