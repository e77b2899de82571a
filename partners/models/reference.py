"""The directory's reference data: countries (with their programme status and flags) and organisation types,
which the rules read and admins curate."""

from functools import cache
from pathlib import Path

import django_countries
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from ..validators import validate_plain_text


def country_choices():
    """ISO 3166-1 codes as django-countries knows them, with Kosovo (XK) from COUNTRIES_OVERRIDE."""
    return list(countries)


class ProgrammeStatus(models.TextChoices):
    EU_MEMBER = "eu_member", _("EU Member State")
    ASSOCIATED = "associated", _("Third country associated to the Programme")
    THIRD_NOT_ASSOCIATED = "third_not_associated", _("Third country not associated to the Programme")


class Country(models.Model):
    """A country as the Programme sees it. Curated by admins, seeded from the reference CSV."""

    # What decides whether its HEIs need a charter, as last read or saved (a change re-checks their ECHE).
    saved_charter_fields = None

    code = models.CharField(_("code"), max_length=2, primary_key=True, choices=country_choices)
    name = models.CharField(_("name"), max_length=100)
    programme_status = models.CharField(_("programme status"), max_length=32, choices=ProgrammeStatus.choices)
    region = models.PositiveSmallIntegerField(
        _("region"), null=True, blank=True, help_text=_("Region 1–14 of a third country not associated.")
    )
    member_state = models.ForeignKey(
        "self",
        verbose_name=_("counts as"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="territories",
        help_text=_("The Member State an overseas country or territory or an outermost region counts as."),
    )
    notes = models.CharField(_("notes"), max_length=255, blank=True)

    class Meta:
        verbose_name = _("country")
        verbose_name_plural = _("countries")
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(region__isnull=True) | Q(region__gte=1, region__lte=14),
                name="country_region_1_to_14",
                violation_error_message=_("A region is a number from 1 to 14."),
            ),
            models.CheckConstraint(
                condition=Q(programme_status=ProgrammeStatus.THIRD_NOT_ASSOCIATED, region__isnull=False)
                | (~Q(programme_status=ProgrammeStatus.THIRD_NOT_ASSOCIATED) & Q(region__isnull=True)),
                name="country_region_iff_third_not_associated",
                violation_error_message=_(
                    "A third country not associated needs a region; other countries have none."
                ),
            ),
            models.CheckConstraint(
                condition=~Q(member_state=models.F("code")),
                name="country_not_its_own_member_state",
                violation_error_message=_("A country cannot count as itself."),
            ),
        ]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.saved_charter_fields = instance.charter_fields()
        return instance

    def charter_fields(self) -> tuple:
        return self.__dict__.get("programme_status"), self.__dict__.get("member_state_id")

    def clean(self):
        """A territory counts as an EU Member State, once: never as itself, never as another kind of
        country (its charter and eligibility would follow a country it is no part of), never as one that
        counts as another, and a country territories count as counts as no other and stays an EU Member State
        (the admin edits the code-less form of an existing country, so the database's own check would only
        answer with an error page)."""
        super().clean()
        territories = (
            list(
                Country.objects.filter(member_state_id=self.code)
                .order_by("name")
                .values_list("name", flat=True)
            )
            if self.code
            else []
        )
        if territories and self.programme_status != ProgrammeStatus.EU_MEMBER:
            raise ValidationError(
                {
                    "programme_status": _(
                        "%(territories)s count as this country, so it stays an EU Member State while they do."
                    )
                    % {"territories": ", ".join(territories)}
                }
            )
        if self.member_state_id is None:
            return
        if self.member_state_id == self.code:
            raise ValidationError({"member_state": _("A country cannot count as itself.")})
        member_state = self.member_state
        if member_state.programme_status != ProgrammeStatus.EU_MEMBER:
            raise ValidationError(
                {"member_state": _("%(country)s is not an EU Member State.") % {"country": member_state.name}}
            )
        if member_state.member_state_id is not None:
            raise ValidationError(
                {
                    "member_state": _("%(country)s counts as %(other)s itself: choose %(other)s.")
                    % {"country": member_state.name, "other": member_state.member_state.name}
                }
            )
        if territories:
            raise ValidationError(
                {"member_state": _("Other countries count as this one, so it cannot count as another.")}
            )

    @property
    def effective_code(self) -> str:
        return self.member_state_id or self.code

    @property
    def flag(self) -> str:
        """The flag as a small image from django-countries' set (emoji flags show as empty boxes on many
        desktops); decorative, since the country's name is always written beside it."""
        return flag_image(self.code.lower())


@cache
def flag_image(code: str) -> str:
    """A country's flag image, once per process (the static files are those deployed with it)."""
    if code not in flag_codes():
        return ""
    image = static(f"flags/{code}.gif")
    return format_html('<img src="{}" alt="" class="flag-image" width="16" height="11">', image)


@cache
def flag_codes() -> frozenset[str]:
    """The country codes django-countries ships a flag image for."""
    flags = Path(django_countries.__file__).parent / "static" / "flags"
    return frozenset(path.stem for path in flags.glob("*.gif"))


class OrganisationType(models.Model):
    # The "higher education" flag as last read or saved (a change re-checks its organisations' ECHE).
    saved_higher_education = None

    name = models.CharField(_("name"), max_length=200, unique=True, validators=[validate_plain_text])
    slug = models.SlugField(_("slug"), max_length=80, unique=True)
    higher_education = models.BooleanField(_("higher education institution"), default=False)
    vet_provider = models.BooleanField(_("VET provider"), default=False)
    labour_market_actor = models.BooleanField(_("labour market actor"), default=False)
    eligible = models.BooleanField(_("eligible"), default=True)
    description = models.TextField(_("description"), blank=True)
    position = models.PositiveSmallIntegerField(_("ordering"), default=0)

    class Meta:
        verbose_name = _("organisation type")
        verbose_name_plural = _("organisation types")
        ordering = ["position", "name"]

    def __str__(self):
        return self.name

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance.saved_higher_education = instance.__dict__.get("higher_education")
        return instance
