"""Corrections of shared directory records, waiting for a curator's decision (`partners.curation`)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from .organisations import Organisation


class ChangeRequestStatus(models.TextChoices):
    PENDING = "pending", _("Pending review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    # An official list's correction that a newer list no longer asks for: nobody decided it, and approving it
    # would bring an outdated value back.
    SUPERSEDED = "superseded", _("Replaced by a newer list")


class ChangeRequestOrigin(models.TextChoices):
    INVITATION = "invitation", _("Partner, through an invite link")
    COORDINATOR = "coordinator", _("Coordinator or co-editor")
    ECHE_LIST = "eche_list", _("Official ECHE list")


class OrganisationChangeRequest(models.Model):
    """A proposed correction to a shared directory record, applied only when a curator approves it."""

    # The curators' audit trail, which no one deletes: it keeps its record (the admin names it as protected).
    organisation = models.ForeignKey(
        Organisation, verbose_name=_("organisation"), on_delete=models.PROTECT, related_name="change_requests"
    )
    # {"field": {"old": "...", "new": "..."}} with the values as the form or list gave them.
    changes = models.JSONField(_("changes"), default=dict)
    origin = models.CharField(_("from"), max_length=16, choices=ChangeRequestOrigin.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    requester_email = models.EmailField(_("requester's email"), blank=True)
    # Where it was asked for, in words ("Proposal “GreenSkills”, invitation to j.doe@example.org"): partners
    # sits below alliances and invitations, so it names them rather than pointing at their rows.
    context = models.CharField(_("context"), max_length=255, blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ChangeRequestStatus.choices, default=ChangeRequestStatus.PENDING
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.CharField(_("note to the requester"), max_length=500, blank=True)
    # When the requester was told the outcome (the email sent, or the message shown in the builder).
    outcome_notified_at = models.DateTimeField(_("requester told at"), null=True, blank=True)
    created_at = models.DateTimeField(_("requested at"), auto_now_add=True)

    class Meta:
        verbose_name = _("organisation change request")
        verbose_name_plural = _("organisation change requests")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["organisation", "status"], name="change_request_pending")]

    def __str__(self):
        return f"{self.organisation} ({self.get_status_display()})"

    @property
    def requester_label(self) -> str:
        return str(self.requested_by or self.requester_email or "—")

    @property
    def described(self) -> str:
        """Which request, among others for the same record: "Request #3 for KW1C, from Cora Coord"."""
        return _("Request #%(pk)s for %(organisation)s, from %(requester)s") % {
            "pk": self.pk,
            "organisation": self.organisation,
            "requester": self.requester_label,
        }
