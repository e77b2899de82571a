"""The directory's records: organisations, with their identifiers, ECHE status and searched text, and the
words the search looks misspellings up in."""

from django.conf import settings
from django.db import models
from django.db.models import Q, Value
from django.db.models.functions import Replace, Upper
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ..codes import (
    normalise_erasmus_code,
    normalise_legal_name,
    normalise_oid,
    normalise_pic,
    search_text_of,
)
from ..validators import (
    validate_erasmus_code,
    validate_legal_name,
    validate_oid,
    validate_pic,
    validate_plain_text,
)
from .reference import Country, OrganisationType


def compact_erasmus_code_sql(column: str = "erasmus_code") -> Replace:
    """An Erasmus code without its spaces, in SQL, as the records' unique index holds it (so a lookup written
    with it uses the index): `partners.codes.compact_erasmus_code` in the database."""
    return Replace(column, Value(" "), Value(""))


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
    legal_name = models.CharField(_("legal name"), max_length=255, validators=[validate_legal_name])
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
        help_text=_("An Erasmus Charter holder's code, for example “D  BERLIN01”."),
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
            # With or without its spaces, as every lookup compares it (`F  RACE10` is `FRACE10`): the
            # database refuses the second of two records saved at once, which the forms' checks both passed.
            models.UniqueConstraint(
                compact_erasmus_code_sql(),
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
