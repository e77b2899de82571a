from django import forms
from django.contrib import admin, messages
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin import ReadOnlyAdmin

from . import curation_admin  # noqa: F401  (registers the change requests' admin)
from .codes import fold_for_search
from .eche.list_storage import directory_summary
from .eche.services import PROVENANCE_FIELDS
from .forms import OrganisationForm
from .models import (
    Country,
    EcheHolder,
    EcheImportJob,
    EcheList,
    ImportJobStatus,
    Organisation,
    OrganisationType,
)
from .selectors import holding_every_word

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("flag", "iso_code", "name", "programme_status", "region", "member_state", "notes")
    list_display_links = ("iso_code", "name")
    list_filter = ("programme_status", "region")
    search_fields = ("code", "name", "notes")
    autocomplete_fields = ("member_state",)
    list_select_related = ("member_state",)
    ordering = ("name",)

    @admin.display(description=_("flag"))
    def flag(self, obj):
        return obj.flag

    @admin.display(description=_("code"), ordering="code")
    def iso_code(self, obj):
        """The code itself: as a field with choices, each row looked its name up among 251 (the list took
        160 ms to render, and showed the name twice)."""
        return obj.code

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key: editable when adding a country, fixed afterwards.
        return ("code",) if obj else ()

    def formfield_for_choice_field(self, db_field, request, **kwargs):
        if db_field.name == "code":  # adding: the codes not in the table yet (220 of 251 were refused)
            used = set(Country.objects.values_list("code", flat=True))
            kwargs["choices"] = [choice for choice in db_field.get_choices() if choice[0] not in used]
        return super().formfield_for_choice_field(db_field, request, **kwargs)


@admin.register(OrganisationType)
class OrganisationTypeAdmin(admin.ModelAdmin):
    list_display = (
        "name",
        "slug",
        "higher_education",
        "vet_provider",
        "labour_market_actor",
        "eligible",
        "position",
    )
    list_editable = ("higher_education", "vet_provider", "labour_market_actor", "eligible", "position")
    list_filter = ("higher_education", "vet_provider", "labour_market_actor", "eligible")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}

    # A type's slug is its name in code, in consortium files and in the eligibility contract
    # ("higher-education-institution"): set once, never changed.
    def get_readonly_fields(self, request, obj=None):
        return ("slug",) if obj is not None else ()

    def get_prepopulated_fields(self, request, obj=None):
        return self.prepopulated_fields if obj is None else {}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = (
        "legal_name",
        "acronym",
        "country",
        "type",
        "pic",
        "oid",
        "erasmus_code",
        "eche_status",
        "verified",
        "updated_at",
    )
    # Only the countries organisations are in (about 40 of the 250: the sidebar was 6,700 px tall).
    list_filter = (
        "verified",
        "eche_status",
        "type",
        "country__programme_status",
        ("country", admin.RelatedOnlyFieldListFilter),
    )
    search_fields = ("legal_name", "acronym", "pic", "oid", "erasmus_code", "city")
    list_select_related = ("country", "type")
    autocomplete_fields = ("country",)
    date_hierarchy = "created_at"
    readonly_fields = (*PROVENANCE_FIELDS, "created_by", "created_at", "updated_at")
    fieldsets = (
        (
            None,
            {
                "fields": (
                    "legal_name",
                    "acronym",
                    "country",
                    "city",
                    "website",
                    "type",
                    "confirm_not_duplicate",
                    "verified",
                )
            },
        ),
        (_("Identifiers"), {"fields": ("pic", "oid", "erasmus_code")}),
        (
            _("Erasmus Charter for Higher Education"),
            {"fields": PROVENANCE_FIELDS},
        ),
        (_("Record"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    actions = ["recheck_eche", "mark_verified"]

    def get_search_results(self, request, queryset, search_term):
        """Also as the directory's search finds a record: every word, accents and case aside, by name, city,
        PIC, OID or Erasmus code with or without its spaces ("universite" missed "Université", "plodz02"
        missed "PL LODZ02": a curator would then add the record again)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words = fold_for_search(search_term).split()
        if words:
            found |= queryset.filter(holding_every_word(words))
        return found, may_have_duplicates

    def get_deleted_objects(self, objs, request):
        """A record a proposal uses, or whose corrections were asked for, is protected (its participants; its
        requests, the curators' audit trail): the page names them, and not a permission to delete them that
        no one has (Django's admin counts the protected objects' types as lacking it)."""
        deleted, counts, perms_needed, protected = super().get_deleted_objects(objs, request)
        return deleted, counts, set() if protected else perms_needed, protected

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)

    @admin.action(description=_("Re-check the ECHE of the selected organisations"), permissions=["change"])
    def recheck_eche(self, request, queryset):
        """As every re-check: against the imported list at once, in batches (a task per organisation took
        32 s for 6,000 of them without a broker); against the HTTP source, a check queued for each. Those that
        need no check (no HEI, already said so) stay as they are, uncounted."""
        from .eche.services import organisations_recheck

        done = organisations_recheck(organisation_ids=queryset.values("pk"))
        if done["queued"]:
            message = ngettext(
                "The ECHE check of %(n)d organisation is queued.",
                "The ECHE checks of %(n)d organisations are queued.",
                done["queued"],
            ) % {"n": done["queued"]}
        else:
            message = ngettext(
                "Re-checked %(n)d organisation against the current list: %(changed)d changed.",
                "Re-checked %(n)d organisations against the current list: %(changed)d changed.",
                done["checked"],
            ) % {"n": done["checked"], "changed": done["changed"]}
        self.message_user(request, message, messages.SUCCESS)

    @admin.action(description=_("Mark the selected organisations as verified"), permissions=["change"])
    def mark_verified(self, request, queryset):
        """What curators have checked, many at once (each had to be opened, ticked and saved): suggested to
        every coordinator from then on, and changed only through requests."""
        marked = 0
        for organisation in queryset.filter(verified=False):
            organisation.verified = True
            organisation.save(update_fields=["verified", "updated_at"])
            self.log_change(request, organisation, _("Marked as verified"))
            marked += 1
        if not marked:
            self.message_user(
                request, _("Every selected organisation was verified already."), messages.WARNING
            )
            return
        message = ngettext(
            "%(n)d organisation marked as verified.", "%(n)d organisations marked as verified.", marked
        )
        self.message_user(request, message % {"n": marked}, messages.SUCCESS)


# --- ECHE registry ------------------------------------------------------------------------------------------


@admin.register(EcheList)
class EcheListAdmin(admin.ModelAdmin):
    list_display = (
        "source_name",
        "publication_date",
        "imported_at",
        "imported_by",
        "is_current",
        "rows_read",
        "holders_count",
        "refused_count",
        "warnings_count",
    )
    list_filter = ("is_current",)
    search_fields = ("source_name",)
    readonly_fields = (
        "source_name",
        "sheet",
        "header_row",
        "publication_date",
        "imported_at",
        "imported_by",
        "is_current",
        "rows_read",
        "holders_count",
        "refused_count",
        "warnings_count",
        "refused_rows",
        "warning_rows",
        "directory_records",
    )
    exclude = ("refused", "warnings", "directory_report")

    def has_add_permission(self, request):
        return False  # lists arrive through an import (upload or command), never typed in

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False  # the record of what was imported, when and by whom; a newer list supersedes one

    @admin.display(description=_("refused rows"))
    def refused_rows(self, obj):
        return "\n".join(f"row {p['row']}: {p['reason']}" for p in obj.refused) or "—"

    @admin.display(description=_("warnings"))
    def warning_rows(self, obj):
        return "\n".join(f"row {p['row']}: {p['reason']}" for p in obj.warnings) or "—"

    @admin.display(description=_("directory records"))
    def directory_records(self, obj):
        """What the import did to the directory: the counts, then each field or identifier it left out."""
        return "\n".join(directory_summary(obj.directory_report)) if obj.directory_report else "—"


@admin.register(EcheHolder)
class EcheHolderAdmin(ReadOnlyAdmin):
    list_display = ("erasmus_code", "pic", "oid", "legal_name", "city", "country", "start", "end", "row")
    list_filter = ("list__is_current", "country")
    search_fields = ("erasmus_code", "erasmus_code_normalised", "pic", "oid", "legal_name", "city")
    list_select_related = ("list",)
    show_full_result_count = False

    def get_queryset(self, request):
        return super().get_queryset(request).filter(list__is_current=True)


class EcheUploadForm(forms.ModelForm):
    upload = forms.FileField(
        label=_("List of ECHE holders"),
        help_text=_("The Commission's list as published (.xlsx), or a CSV export of it."),
    )

    class Meta:
        model = EcheImportJob
        fields = ("shorter_accepted",)

    def clean_upload(self):
        upload = self.cleaned_data["upload"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(_("The file is larger than 20 MB: that is not an ECHE list."))
        if not upload.name.lower().endswith((".xlsx", ".xlsm", ".csv", ".txt")):
            raise forms.ValidationError(_("Upload the list as .xlsx (as published) or .csv."))
        return upload


@admin.register(EcheImportJob)
class EcheImportJobAdmin(admin.ModelAdmin):
    """Upload a list: the import runs as a Celery task; the job page shows its progress and refreshes."""

    list_display = ("filename", "status", "rows_done", "created_at", "uploaded_by", "finished_at")
    list_filter = ("status",)
    readonly_fields = (
        "filename",
        "status",
        "rows_done",
        "uploaded_by",
        "created_at",
        "started_at",
        "finished_at",
        "eche_list",
    )  # and its result, shown once above them (change_form.html)
    change_form_template = "admin/partners/echeimportjob/change_form.html"

    def get_form(self, request, obj=None, change=False, **kwargs):
        if obj is None:
            kwargs["form"] = EcheUploadForm
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        return ("upload", "shorter_accepted") if obj is None else self.readonly_fields

    def get_readonly_fields(self, request, obj=None):
        return () if obj is None else self.readonly_fields

    def has_change_permission(self, request, obj=None):
        return False  # a job is only followed, never edited

    def get_queryset(self, request):
        return super().get_queryset(request).defer("content")  # the file: up to 20 MB a job, never shown

    def save_model(self, request, obj, form, change):
        if change:
            return
        upload = form.cleaned_data["upload"]
        obj.filename = upload.name[:255]
        obj.content = upload.read()
        obj.uploaded_by = request.user
        obj.status = ImportJobStatus.QUEUED
        super().save_model(request, obj, form, change)
        job_id = obj.pk
        transaction.on_commit(lambda: _queue_import(job_id), robust=True)

    def response_add(self, request, obj, post_url_continue=None):
        # Straight to the job's page, which follows the import; for whoever may upload but not view jobs,
        # Django's own answer (the admin's index, saying the job was added): the job's page was a 403 saying
        # "nothing was changed" while the import ran.
        from django.http import HttpResponseRedirect
        from django.urls import reverse

        if not self.has_view_permission(request, obj):
            return super().response_add(request, obj, post_url_continue)
        # No message: the import runs after this response's transaction commits (at once when no worker can
        # take it), and the page says how it went (a green "uploaded" stood above "The file was refused").
        return HttpResponseRedirect(reverse("admin:partners_echeimportjob_change", args=[obj.pk]))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["job"] = obj
        return super().render_change_form(request, context, add, change, form_url, obj)


def _queue_import(job_id: int) -> None:
    from .eche.list_storage import import_job_run
    from .tasks import import_eche_list

    try:
        import_eche_list.delay(job_id)
    except Exception:  # the broker is down: import here rather than leave the upload waiting forever
        import_job_run(job_id=job_id)
