"""The registry of imported ECHE lists: each list with what its import reported, its holders (only the current
list keeps them), and the admin's upload jobs. Imported by `partners.models`, whose models they are."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .list_format import CITY_MAX_LENGTH, CODE_MAX_LENGTH, NAME_MAX_LENGTH


class EcheList(models.Model):
    """One import of the Commission's list of ECHE holders. Exactly one is current (the last imported)."""

    source_name = models.CharField(_("file"), max_length=255)
    sheet = models.CharField(_("sheet"), max_length=100, blank=True)
    header_row = models.PositiveIntegerField(_("header row"), default=1)
    publication_date = models.DateField(_("published"), null=True, blank=True)
    imported_at = models.DateTimeField(_("imported at"), default=timezone.now)
    imported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("imported by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    is_current = models.BooleanField(_("current"), default=False)
    rows_read = models.PositiveIntegerField(_("rows read"), default=0)
    holders_count = models.PositiveIntegerField(_("holders"), default=0)
    refused_count = models.PositiveIntegerField(_("rows refused"), default=0)
    warnings_count = models.PositiveIntegerField(_("warnings"), default=0)
    # [{"row": 12, "reason": "..."}]: what the importer could not use, and what it imported with a remark.
    refused = models.JSONField(_("refused rows"), default=list, blank=True)
    warnings = models.JSONField(_("warnings"), default=list, blank=True)
    # What the import did to the directory: counts, and the identifiers and fields it left out, with reasons.
    directory_report = models.JSONField(_("directory records"), default=dict, blank=True)

    class Meta:
        verbose_name = _("ECHE list")
        verbose_name_plural = _("ECHE lists")
        ordering = ["-imported_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["is_current"],
                condition=Q(is_current=True),
                name="eche_list_one_current",
                violation_error_message=_("Only one ECHE list can be current."),
            ),
        ]

    def __str__(self):
        published = f", {self.publication_date.isoformat()}" if self.publication_date else ""
        return f"{self.source_name}{published}"

    @property
    def provenance(self) -> str:
        """How an organisation's ECHE status names the list it came from."""
        imported = timezone.localtime(self.imported_at).date().isoformat()
        return str(_("ECHE list “%(name)s” imported %(date)s") % {"name": self.source_name, "date": imported})


class EcheHolder(models.Model):
    """A row of an imported list: one institution's charter."""

    list = models.ForeignKey(EcheList, on_delete=models.CASCADE, related_name="holders")
    row = models.PositiveIntegerField(_("row"))
    erasmus_code = models.CharField(_("Erasmus code"), max_length=CODE_MAX_LENGTH, blank=True)
    erasmus_code_normalised = models.CharField(
        _("normalised Erasmus code"), max_length=CODE_MAX_LENGTH, blank=True
    )
    pic = models.CharField(_("PIC"), max_length=9, blank=True)
    oid = models.CharField(_("OID"), max_length=9, blank=True)
    legal_name = models.CharField(_("legal name"), max_length=NAME_MAX_LENGTH, blank=True)
    city = models.CharField(_("city"), max_length=CITY_MAX_LENGTH, blank=True)
    # ISO 3166-1 code as the importer maps it (EL → GR, UK → GB); no foreign key: the list is the authority.
    country = models.CharField(_("country"), max_length=2)
    start = models.DateField(_("charter start"), null=True, blank=True)
    end = models.DateField(_("charter end"), null=True, blank=True)

    class Meta:
        verbose_name = _("ECHE holder")
        verbose_name_plural = _("ECHE holders")
        ordering = ["list", "row"]
        indexes = [
            models.Index(fields=["list", "erasmus_code_normalised"], name="eche_holder_code"),
            models.Index(fields=["list", "pic"], name="eche_holder_pic"),
            models.Index(fields=["list", "oid"], name="eche_holder_oid"),
        ]

    def __str__(self):
        return f"{self.erasmus_code or self.pic or self.oid} {self.legal_name}"


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    REFUSED = "refused", _("Refused")  # the file, for a reason it gives: the current list is unchanged
    FAILED = "failed", _("Failed")  # the import, for a reason in the worker's log


class EcheImportJob(models.Model):
    """An upload of a list through the admin, imported by a Celery task that reports its progress here.

    The file is kept in the database, not on disk: the worker that imports it may run on another machine.
    """

    filename = models.CharField(_("file"), max_length=255)
    content = models.BinaryField(_("content"), editable=False)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("uploaded by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    created_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    status = models.CharField(
        _("status"), max_length=16, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED
    )
    shorter_accepted = models.BooleanField(
        _("replace a much longer list"),
        default=False,
        help_text=_(
            "Tick only if the Commission's list really holds fewer than half the charters of the current one "
            "(otherwise such a file is refused: the charters it leaves out would look withdrawn)."
        ),
    )
    rows_done = models.PositiveIntegerField(_("rows processed"), default=0)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    message = models.TextField(_("result"), blank=True)
    eche_list = models.ForeignKey(
        EcheList,
        verbose_name=_("list imported"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )

    class Meta:
        verbose_name = _("ECHE list import")
        verbose_name_plural = _("ECHE list imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.filename} ({self.get_status_display()})"

    @property
    def finished(self) -> bool:
        return self.status in {ImportJobStatus.DONE, ImportJobStatus.REFUSED, ImportJobStatus.FAILED}
