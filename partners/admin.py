from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from .forms import OrganisationForm
from .models import Country, Organisation, OrganisationType


@admin.register(Country)
class CountryAdmin(admin.ModelAdmin):
    list_display = ("flag", "code", "name", "programme_status", "region", "member_state", "notes")
    list_display_links = ("code", "name")
    list_filter = ("programme_status", "region")
    search_fields = ("code", "name", "notes")
    autocomplete_fields = ("member_state",)
    ordering = ("name",)

    @admin.display(description=_("flag"))
    def flag(self, obj):
        return obj.flag

    def get_readonly_fields(self, request, obj=None):
        # The code is the primary key: editable when adding a country, fixed afterwards.
        return ("code",) if obj else ()


@admin.register(OrganisationType)
class OrganisationTypeAdmin(admin.ModelAdmin):
    list_display = ("name", "slug", "higher_education", "vet_provider", "labour_market_actor", "eligible", "position")
    list_editable = ("higher_education", "vet_provider", "labour_market_actor", "eligible", "position")
    list_filter = ("higher_education", "vet_provider", "labour_market_actor", "eligible")
    search_fields = ("name", "slug", "description")
    prepopulated_fields = {"slug": ("name",)}


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    form = OrganisationForm
    list_display = ("legal_name", "acronym", "country", "type", "pic", "oid", "erasmus_code", "eche_status", "updated_at")
    list_filter = ("eche_status", "type", "country__programme_status", "country")
    search_fields = ("legal_name", "acronym", "pic", "oid", "erasmus_code", "city")
    list_select_related = ("country", "type")
    autocomplete_fields = ("country",)
    date_hierarchy = "created_at"
    readonly_fields = (
        "eche_status",
        "eche_checked_at",
        "eche_requested_at",
        "eche_source",
        "eche_source_row",
        "eche_matched_by",
        "eche_start",
        "eche_end",
        "eche_detail",
        "created_by",
        "created_at",
        "updated_at",
    )
    fieldsets = (
        (None, {"fields": ("legal_name", "acronym", "country", "city", "website", "type", "confirm_not_duplicate")}),
        (_("Identifiers"), {"fields": ("pic", "oid", "erasmus_code")}),
        (
            _("Erasmus Charter for Higher Education"),
            {
                "fields": (
                    "eche_status",
                    "eche_checked_at",
                    "eche_requested_at",
                    "eche_source",
                    "eche_source_row",
                    "eche_matched_by",
                    "eche_start",
                    "eche_end",
                    "eche_detail",
                )
            },
        ),
        (_("Record"), {"fields": ("created_by", "created_at", "updated_at")}),
    )

    def save_model(self, request, obj, form, change):
        if not change and obj.created_by_id is None:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)
