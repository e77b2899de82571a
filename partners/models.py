from functools import cache
from pathlib import Path

import django_countries
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.db.models.functions import Upper
from django.templatetags.static import static
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _
from django_countries import countries

from .codes import (
    normalise_erasmus_code,
    normalise_legal_name,
    normalise_oid,
    normalise_pic,
    search_text_of,
)
from .validators import validate_erasmus_code, validate_oid, validate_pic, validate_plain_text


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


class EcheStatus(models.TextChoices):
    NOT_REQUIRED = "not_required", _("Not required")
    PENDING = "pending", _("Pending")
    VALID = "valid", _("Valid")
    EXPIRED = "expired", _("Expired")
    NOT_FOUND = "not_found", _("Not found")
    ERROR = "error", _("Error")


# What an ECHE check looks at: a change to any of these makes the last result stale.
ECHE_IDENTITY_FIELDS = ("erasmus_code", "pic", "oid", "country_id", "type_id")
# What the directory search finds an organisation by, folded into `search_text`.
SEARCHED_FIELDS = ("legal_name", "acronym", "city", "erasmus_code", "pic", "oid")
_UNKNOWN = object()


class Organisation(models.Model):
    legal_name = models.CharField(_("legal name"), max_length=255, validators=[validate_plain_text])
    legal_name_key = models.CharField(max_length=255, editable=False, db_index=True)
    acronym = models.CharField(_("acronym"), max_length=50, blank=True, validators=[validate_plain_text])
    country = models.ForeignKey(
        Country, verbose_name=_("country"), on_delete=models.PROTECT, related_name="organisations"
    )
    city = models.CharField(_("city"), max_length=120, blank=True, validators=[validate_plain_text])
    website = models.URLField(_("website"), blank=True)
    type = models.ForeignKey(
        OrganisationType,
        verbose_name=_("organisation type"),
        on_delete=models.PROTECT,
        related_name="organisations",
    )
    pic = models.CharField(
        _("PIC"),
        max_length=9,
        blank=True,
        validators=[validate_pic],
        help_text=_("Participant Identification Code: 9 digits."),
    )
    oid = models.CharField(
        _("OID"),
        max_length=9,
        blank=True,
        validators=[validate_oid],
        help_text=_("Organisation ID: E followed by 8 digits."),
    )
    erasmus_code = models.CharField(
        _("Erasmus code"),
        max_length=20,
        blank=True,
        validators=[validate_erasmus_code],
        help_text=_("Higher education institutions only, for example “D  BERLIN01”."),
    )

    eche_status = models.CharField(
        _("ECHE status"), max_length=16, choices=EcheStatus.choices, default=EcheStatus.PENDING
    )
    eche_checked_at = models.DateTimeField(_("ECHE checked at"), null=True, blank=True)
    eche_requested_at = models.DateTimeField(_("ECHE check requested at"), null=True, blank=True)
    eche_source = models.CharField(_("ECHE source"), max_length=255, blank=True)
    eche_source_row = models.PositiveIntegerField(_("row in the list"), null=True, blank=True)
    eche_matched_by = models.CharField(
        _("matched by"),
        max_length=16,
        blank=True,
        choices=[("erasmus_code", _("Erasmus code")), ("pic", _("PIC")), ("oid", _("OID"))],
    )
    eche_start = models.DateField(_("charter start"), null=True, blank=True)
    eche_end = models.DateField(_("charter end"), null=True, blank=True)
    eche_detail = models.CharField(_("ECHE detail"), max_length=500, blank=True)

    # Curated: from an official list, or checked by a curator. Verified records, and records that another
    # proposal or user relies on, change only through an OrganisationChangeRequest.
    verified = models.BooleanField(
        _("verified"),
        default=False,
        help_text=_("From an official list or checked by a curator; changed only through reviewed requests."),
    )

    # What the last official list imported said of each field it gives: a field still equal to it follows
    # the next list; one changed since (by a curator) is kept, and the list's new value becomes a request.
    listed = models.JSONField(_("as the official list gave it"), default=dict, blank=True, editable=False)
    # SEARCHED_FIELDS folded (partners.codes.search_text_of), kept by save(); a trigram index on PostgreSQL.
    search_text = models.TextField(editable=False, blank=True, default="")

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["legal_name"]
        constraints = [
            models.UniqueConstraint(
                fields=["pic"],
                condition=~Q(pic=""),
                name="organisation_pic_unique",
                violation_error_message=_("Another organisation already has this PIC."),
            ),
            models.UniqueConstraint(
                fields=["oid"],
                condition=~Q(oid=""),
                name="organisation_oid_unique",
                violation_error_message=_("Another organisation already has this OID."),
            ),
            models.UniqueConstraint(
                fields=["erasmus_code"],
                condition=~Q(erasmus_code=""),
                name="organisation_erasmus_code_unique",
                violation_error_message=_("Another organisation already has this Erasmus code."),
            ),
            models.CheckConstraint(
                condition=Q(pic="") | Q(pic__regex=r"^[0-9]{9}$"), name="organisation_pic_format"
            ),
            models.CheckConstraint(
                condition=Q(oid="") | Q(oid__regex=r"^E[0-9]{8}$"), name="organisation_oid_format"
            ),
            models.CheckConstraint(condition=~Q(legal_name=""), name="organisation_legal_name_required"),
        ]
        indexes = [
            models.Index(fields=["country", "legal_name_key"], name="organisation_name_country"),
            models.Index(fields=["-verified", "legal_name_key", "id"], name="organisation_listing"),
            # An acronym typed as it is (`acronym__iexact`, UPPER on both sides): "TU Berlin" found at once.
            models.Index(Upper("acronym"), name="organisation_acronym"),
        ]

    def __str__(self):
        return f"{self.legal_name} ({self.acronym})" if self.acronym else self.legal_name

    def save(self, *args, **kwargs):
        self.normalise_identifiers()
        update_fields = kwargs.get("update_fields")
        extra = set()
        if update_fields is not None and "legal_name" in update_fields:
            extra.add("legal_name_key")
        if update_fields is not None and set(SEARCHED_FIELDS) & set(update_fields):
            extra.add("search_text")
        # Bookkeeping saved with the change itself, so a check asked for is never lost, even when the broker
        # is down: the organisation stays `pending` with the time of the request, and the sweep re-queues it.
        self._eche_check_requested = self._eche_check_due(update_fields)
        if self._state.adding and self.eche_status == EcheStatus.PENDING and not self._is_hei():
            self.eche_status = EcheStatus.NOT_REQUIRED  # no charter to look up: what a check would decide
        if self._eche_check_requested:
            self.eche_status = EcheStatus.PENDING
            self.eche_requested_at = timezone.now()
            extra |= {"eche_status", "eche_requested_at"}
        if update_fields is not None and extra:
            kwargs["update_fields"] = {*update_fields, *extra}
        super().save(*args, **kwargs)
        self._eche_identity = self._current_eche_identity()

    def clean(self):
        self.normalise_identifiers()
        super().clean()

    @property
    def eche_check_awaited(self) -> bool:
        """Whether a check may still change the ECHE status shown: a pending HEI with something to look up
        (without an Erasmus code, PIC or OID it stays pending until one is given; nothing to wait for)."""
        return (
            self.eche_status == EcheStatus.PENDING
            and self.type.higher_education
            and bool(self.erasmus_code or self.pic or self.oid)
        )

    def normalise_identifiers(self) -> None:
        """Identifiers in their canonical form whichever path saves them (forms, admin, importers)."""
        self.legal_name = " ".join((self.legal_name or "").split())
        self.legal_name_key = normalise_legal_name(self.legal_name)
        self.pic = normalise_pic(self.pic)
        self.oid = normalise_oid(self.oid)
        self.erasmus_code = normalise_erasmus_code(self.erasmus_code)
        if not self.get_deferred_fields() & set(SEARCHED_FIELDS):  # a deferred field would cost a query
            self.search_text = search_text_of(**{name: getattr(self, name) for name in SEARCHED_FIELDS})

    @classmethod
    def from_db(cls, db, field_names, values):
        instance = super().from_db(db, field_names, values)
        instance._eche_identity = instance._current_eche_identity()
        return instance

    def _current_eche_identity(self) -> tuple:
        # From __dict__, not attribute access: a deferred field must not cost a query here.
        return tuple(self.__dict__.get(name, _UNKNOWN) for name in ECHE_IDENTITY_FIELDS)

    def _eche_check_due(self, update_fields) -> bool:
        """Whether this save makes the ECHE status stale (see `partners.signals`).

        A new HEI is due unless it arrives with a status already decided (fixtures copying a checked record);
        an existing organisation is due when an identity field changes and it is, or was, an HEI.
        """
        if update_fields is not None and not {
            "erasmus_code",
            "pic",
            "oid",
            "country",
            "country_id",
            "type",
            "type_id",
        } & set(update_fields):
            return False
        if self._state.adding:
            return self.eche_status == EcheStatus.PENDING and self._is_hei()
        before = getattr(self, "_eche_identity", None)
        now = self._current_eche_identity()
        if before is not None and before == now:
            return False
        type_at = ECHE_IDENTITY_FIELDS.index("type_id")
        type_changed = before is None or before[type_at] != now[type_at]
        return type_changed or self._is_hei()

    def _is_hei(self) -> bool:
        return self.type_id is not None and self.type.higher_education

    @property
    def display_name(self) -> str:
        return str(self)


class SearchWord(models.Model):
    """A word of the directory's searched text (`Organisation.search_text`), each once: where the search
    looks for what a misspelt word was meant to be (PostgreSQL; a trigram index). Rebuilt from the directory
    by `partners.services.search_words_refresh`, after each ECHE import and every few minutes: a word newer
    than that is still found as typed, and its misspellings by a slower way."""

    word = models.CharField(_("word"), max_length=100, primary_key=True)

    class Meta:
        verbose_name = _("search word")
        verbose_name_plural = _("search words")

    def __str__(self):
        return self.word


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


# --- The ECHE registry: imported lists of charter holders ---------------------------------------------------
# In `partners/eche/models.py`, with the rest of the ECHE code; imported here, so they are the app's models.
from .eche.models import EcheHolder, EcheImportJob, EcheList, ImportJobStatus  # noqa: E402, F401
