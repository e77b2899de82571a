from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from partners.models import ProgrammeStatus

REGIONS = range(1, 15)


def _validate_int_list(value, *, allowed=None, what):
    if not isinstance(value, list) or not all(isinstance(v, int) and not isinstance(v, bool) for v in value):
        raise ValidationError(_("Enter a list of whole numbers of %(what)s.") % {"what": what})
    if allowed is not None and any(v not in allowed for v in value):
        raise ValidationError(
            _("Every %(what)s must be one of %(allowed)s.") % {"what": what, "allowed": allowed}
        )


def validate_durations(value):
    _validate_int_list(value, what=_("months"))
    if not value or any(v <= 0 for v in value):
        raise ValidationError(_("Allow at least one duration, in months greater than zero."))


def validate_regions(value):
    if value is not None:
        _validate_int_list(value, allowed=list(REGIONS), what=_("region"))


def validate_aims(value):
    from eligibility.rules import AIMS

    if not isinstance(value, list) or any(v not in AIMS for v in value):
        raise ValidationError(_("Every aim must be one of: %(codes)s.") % {"codes": ", ".join(AIMS)})


class Edition(models.Model):
    """The parameters of one Programme Guide year. Rule logic is code; these numbers are data."""

    # The programme's years (2021-2027, and the next programme's): a typo such as 20260 is refused.
    year = models.PositiveSmallIntegerField(
        _("year"), unique=True, validators=[MinValueValidator(2021), MaxValueValidator(2100)]
    )
    name = models.CharField(_("name"), max_length=100)
    provisional = models.BooleanField(_("provisional"), default=False)
    min_full_partners = models.PositiveSmallIntegerField(
        _("minimum full partners"), validators=[MinValueValidator(1)]
    )
    min_countries = models.PositiveSmallIntegerField(
        _("minimum EU or associated countries"), help_text=_("Among full partners.")
    )
    min_labour_market_actors = models.PositiveSmallIntegerField(_("minimum labour market actors"))
    min_education_providers = models.PositiveSmallIntegerField(_("minimum education and training providers"))
    require_hei_and_vet = models.BooleanField(_("at least one HEI and one VET provider"), default=True)
    durations = models.JSONField(
        _("durations allowed (months)"), default=list, validators=[validate_durations]
    )
    excluded_countries = models.ManyToManyField(
        "partners.Country",
        verbose_name=_("excluded countries"),
        blank=True,
        related_name="+",
        help_text=_("Organisations from these countries may take no role at all."),
    )
    allowed_regions = models.JSONField(
        _("regions allowed for full partners and affiliated entities"),
        null=True,
        blank=True,
        validators=[validate_regions],
        help_text=_(
            "Empty means every region; otherwise third-country partners elsewhere must be associated."
        ),
    )
    aims = models.JSONField(_("aims"), default=list, validators=[validate_aims])
    max_grant_24_months = models.PositiveIntegerField(
        _("maximum grant, 24 months (EUR)"), null=True, blank=True
    )
    max_grant_36_months = models.PositiveIntegerField(
        _("maximum grant, 36 months (EUR)"), null=True, blank=True
    )
    notes = models.TextField(_("notes"), blank=True)

    class Meta:
        verbose_name = _("edition")
        verbose_name_plural = _("editions")
        ordering = ["-year"]

    def __str__(self):
        return self.name or str(self.year)


class EditionCountryStatus(models.Model):
    """A country whose programme status differs in this edition (associated from that year on)."""

    edition = models.ForeignKey(Edition, on_delete=models.CASCADE, related_name="country_statuses")
    country = models.ForeignKey("partners.Country", verbose_name=_("country"), on_delete=models.CASCADE)
    programme_status = models.CharField(_("programme status"), max_length=32, choices=ProgrammeStatus.choices)

    class Meta:
        verbose_name = _("programme status override")
        verbose_name_plural = _("programme status overrides")
        constraints = [
            models.UniqueConstraint(fields=["edition", "country"], name="edition_country_status_unique"),
        ]

    def __str__(self):
        return f"{self.country}: {self.get_programme_status_display()} ({self.edition.year})"

    def clean(self):
        """A third country not associated is judged by its region, and only such countries have one: an
        override making an EU Member State one (no region) put its partners "outside regions 1, 2 and 3"."""
        super().clean()
        third = self.programme_status == ProgrammeStatus.THIRD_NOT_ASSOCIATED
        if third and self.country_id and self.country.region is None:
            raise ValidationError(
                {
                    "programme_status": _(
                        "%(country)s has no region, which a third country not associated is judged by: "
                        "only a country with a region can be one."
                    )
                    % {"country": self.country.name}
                }
            )


class OverallStatus(models.TextChoices):
    ELIGIBLE = "eligible", _("Eligible")
    NOT_ELIGIBLE = "not_eligible", _("Not eligible")
    PENDING = "pending", _("Pending")


class EligibilityReport(models.Model):
    """The current evaluation of a proposal, both modes. Written only by eligibility.services."""

    proposal = models.OneToOneField(
        "alliances.Proposal", on_delete=models.CASCADE, related_name="eligibility_report"
    )
    edition_year = models.PositiveSmallIntegerField(_("edition"))
    confirmed_status = models.CharField(_("confirmed"), max_length=16, choices=OverallStatus.choices)
    projected_status = models.CharField(_("projected"), max_length=16, choices=OverallStatus.choices)
    confirmed = models.JSONField(_("confirmed evaluation"), default=dict)
    projected = models.JSONField(_("projected evaluation"), default=dict)
    evaluated_at = models.DateTimeField(_("evaluated at"))

    class Meta:
        verbose_name = _("eligibility report")
        verbose_name_plural = _("eligibility reports")

    def __str__(self):
        confirmed, projected = self.get_confirmed_status_display(), self.get_projected_status_display()
        return f"{self.proposal_id}: {confirmed} / {projected}"


class EligibilityChange(models.Model):
    """History: one row per criterion (or the overall status) whose outcome changed."""

    OVERALL = "overall"

    proposal = models.ForeignKey(
        "alliances.Proposal", on_delete=models.CASCADE, related_name="eligibility_changes"
    )
    mode = models.CharField(_("mode"), max_length=16)
    criterion = models.CharField(_("criterion"), max_length=40)
    from_status = models.CharField(_("from"), max_length=16, blank=True)
    to_status = models.CharField(_("to"), max_length=16)
    observed = models.IntegerField(_("observed"), null=True, blank=True)
    required = models.IntegerField(_("required"), null=True, blank=True)
    message = models.CharField(_("message"), max_length=500, blank=True)
    changed_at = models.DateTimeField(_("changed at"), db_index=True)

    class Meta:
        verbose_name = _("eligibility change")
        verbose_name_plural = _("eligibility changes")
        # Newest first; the lines of one evaluation in the checklist's order, as the builder lists them.
        ordering = ["-changed_at", "id"]
        indexes = [models.Index(fields=["proposal", "-changed_at"], name="eligibility_change_timeline")]

    def __str__(self):
        return f"{self.criterion} ({self.mode}): {self.from_status or '–'} → {self.to_status}"
