from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from config.text import validate_plain_paragraphs
from partners.validators import validate_plain_text


class Role(models.TextChoices):
    APPLICANT = "applicant", _("Applicant (coordinator)")
    FULL_PARTNER = "full_partner", _("Full partner")
    AFFILIATED_ENTITY = "affiliated_entity", _("Affiliated entity")
    ASSOCIATED_PARTNER = "associated_partner", _("Associated partner")


# Each role as a sentence names it ("… added as a full partner."): the labels are capitalised for lists.
ROLE_IN_A_SENTENCE = {
    Role.APPLICANT: _("the applicant (coordinator)"),
    Role.FULL_PARTNER: _("a full partner"),
    Role.AFFILIATED_ENTITY: _("an affiliated entity"),
    Role.ASSOCIATED_PARTNER: _("an associated partner"),
}


def role_in_a_sentence(role: str) -> str:
    """The role as a sentence names it, with its article: "… as a full partner"; an unknown one as it is."""
    return ROLE_IN_A_SENTENCE.get(role, role)


class ParticipationStatus(models.TextChoices):
    PROPOSED = "proposed", _("Proposed")
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")
    WITHDRAWN = "withdrawn", _("Withdrawn")


class Proposal(models.Model):
    title = models.CharField(_("title"), max_length=255, validators=[validate_plain_text])
    acronym = models.CharField(_("acronym"), max_length=40, validators=[validate_plain_text])
    edition = models.ForeignKey(
        "eligibility.Edition",
        verbose_name=_("call edition"),
        on_delete=models.PROTECT,
        related_name="proposals",
    )
    duration_months = models.PositiveSmallIntegerField(
        _("duration (months)"), default=24, validators=[MinValueValidator(1), MaxValueValidator(120)]
    )
    aims = models.JSONField(_("aims"), default=list, blank=True)
    economic_sectors = models.CharField(
        _("economic sector(s)"),
        max_length=500,
        blank=True,
        help_text=_("The economic sector or sectors the alliance works in."),
        validators=[validate_plain_text],
    )
    # A proposal abstract's length. The database keeps longer texts stored before the cap; the form asks for
    # them to be shortened at their next edit.
    summary = models.TextField(
        _("summary"), max_length=2000, blank=True, validators=[validate_plain_paragraphs]
    )
    deadline = models.DateField(_("submission deadline"), null=True, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("owner"),
        on_delete=models.PROTECT,
        related_name="owned_proposals",
    )
    co_editors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, verbose_name=_("co-editors"), blank=True, related_name="coedited_proposals"
    )
    # Corrections of its organisations asked through this proposal: its builder shows them while pending.
    corrections_requested = models.ManyToManyField(
        "partners.OrganisationChangeRequest",
        verbose_name=_("corrections requested"),
        blank=True,
        related_name="requesting_proposals",
    )
    archived_at = models.DateTimeField(_("archived"), null=True, blank=True)
    # Optimistic locking: every edit of the proposal or its consortium bumps it; a stale form is refused.
    version = models.PositiveIntegerField(_("version"), default=1)
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-updated_at"]
        constraints = [
            models.CheckConstraint(condition=Q(duration_months__gte=1), name="proposal_duration_positive"),
            models.CheckConstraint(condition=~Q(title=""), name="proposal_title_required"),
        ]

    def __str__(self):
        return f"{self.acronym}: {self.title}" if self.acronym else self.title


class Participation(models.Model):
    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="participations"
    )
    organisation = models.ForeignKey(
        "partners.Organisation",
        verbose_name=_("organisation"),
        on_delete=models.PROTECT,
        related_name="participations",
    )
    role = models.CharField(_("role"), max_length=24, choices=Role.choices, default=Role.FULL_PARTNER)
    status = models.CharField(
        _("status"), max_length=16, choices=ParticipationStatus.choices, default=ParticipationStatus.PROPOSED
    )
    contact_name = models.CharField(
        _("contact name"), max_length=200, blank=True, validators=[validate_plain_text]
    )
    contact_email = models.EmailField(_("contact email"), blank=True)
    affiliated_to = models.ForeignKey(
        "self",
        verbose_name=_("affiliated to"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="affiliated_entities",
        help_text=_("The full partner an affiliated entity belongs to."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["proposal", "created_at", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal"],
                condition=Q(role="applicant"),
                name="participation_one_applicant_per_proposal",
                violation_error_message=_("This proposal already has an applicant."),
            ),
            models.UniqueConstraint(
                fields=["proposal", "organisation"],
                name="participation_organisation_once_per_proposal",
                violation_error_message=_("This organisation is already in the consortium."),
            ),
            # Target of the composite foreign key that keeps an affiliated entity in its partner's
            # proposal (added in SQL by a migration: Django has no composite foreign keys yet).
            models.UniqueConstraint(fields=["id", "proposal"], name="participation_id_proposal_unique"),
            models.CheckConstraint(
                condition=(Q(role="affiliated_entity") & Q(affiliated_to__isnull=False))
                | (~Q(role="affiliated_entity") & Q(affiliated_to__isnull=True)),
                name="participation_affiliated_entity_has_partner",
                violation_error_message=_(
                    "An affiliated entity must name the full partner it belongs to; other roles name none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(affiliated_to=models.F("id")),
                name="participation_not_affiliated_to_itself",
            ),
        ]

    def __str__(self):
        return f"{self.organisation} as {self.get_role_display()} in {self.proposal.acronym}"

    def save(self, *args, **kwargs):
        super().save(*args, **kwargs)
        self.saved_contact_email = self.contact_email

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.saved_contact_email = instance.__dict__.get("contact_email")  # a deferred field stays unread
        return instance

    @property
    def role_in_a_sentence(self) -> str:
        """The role as a sentence names it: "… as a full partner" (the choices' labels are capitalised)."""
        return role_in_a_sentence(self.role)

    @property
    def contact_email_changed(self) -> bool:
        """Whether the contact email differs from the one last read or saved (an open invitation to the old
        address must not stay usable); unknown counts as changed."""
        return getattr(self, "saved_contact_email", None) != self.contact_email


class ActivityAction(models.TextChoices):
    CREATED = "created", _("created the proposal")
    UPDATED = "updated", _("edited the proposal's details")
    ARCHIVED = "archived", _("archived the proposal")
    RESTORED = "restored", _("restored the proposal")
    COEDITOR_ADDED = "coeditor_added", _("added a co-editor")
    COEDITOR_REMOVED = "coeditor_removed", _("removed a co-editor")
    COEDITOR_LEFT = "coeditor_left", _("stopped editing the proposal")
    PARTICIPANT_ADDED = "participant_added", _("added a participant")
    PARTICIPANT_CHANGED = "participant_changed", _("changed a participant")
    PARTICIPANT_REMOVED = "participant_removed", _("removed a participant")
    PARTNER_CONFIRMED = "partner_confirmed", _("confirmed its participation")
    PARTNER_DECLINED = "partner_declined", _("declined the invitation")


# A partner's answer through an invite link: shown to a stale page with the rest, refusing no one's edit.
PARTNER_ACTIONS = (ActivityAction.PARTNER_CONFIRMED, ActivityAction.PARTNER_DECLINED)


class ProposalActivity(models.Model):
    """One change of a proposal or its consortium: what a stale page is told about, and the change log.

    Written by alliances.services in the same transaction that bumps Proposal.version, so version N's
    activity explains how the proposal went from N - 1 to N.
    """

    proposal = models.ForeignKey(
        Proposal, verbose_name=_("proposal"), on_delete=models.CASCADE, related_name="activities"
    )
    version = models.PositiveIntegerField(_("version"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=24, choices=ActivityAction.choices)
    subject = models.CharField(_("subject"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    created_at = models.DateTimeField(_("when"), auto_now_add=True)

    class Meta:
        verbose_name = _("proposal activity")
        verbose_name_plural = _("proposal activities")
        ordering = ["-version", "-id"]
        indexes = [models.Index(fields=["proposal", "-version"], name="proposal_activity_timeline")]

    def __str__(self):
        return f"{self.proposal_id} v{self.version}: {self.action}"
