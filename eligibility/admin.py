from django import forms
from django.contrib import admin
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _

from alliances.labels import (
    CRITERION_TITLES,
    MODE_LABELS,
    STATUS_LABELS,
    criterion_title,
    mode_label,
    status_label,
)
from config.admin import ReadOnlyAdmin

from .models import REGIONS, Edition, EditionCountryStatus, EligibilityChange, EligibilityReport
from .rules import AIMS


class EditionForm(forms.ModelForm):
    """Lists as the admin thinks of them: checkboxes for aims and regions, numbers for durations."""

    durations = forms.TypedMultipleChoiceField(
        label=_("durations allowed (months)"),
        choices=[
            (months, _("%(months)d months") % {"months": months}) for months in (12, 18, 24, 30, 36, 48)
        ],
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
    )
    aims = forms.MultipleChoiceField(
        label=_("aims"), choices=list(AIMS.items()), widget=forms.CheckboxSelectMultiple
    )
    all_regions = forms.BooleanField(
        label=_("every region may provide full partners and affiliated entities"), required=False
    )
    allowed_regions = forms.TypedMultipleChoiceField(
        label=_("otherwise, only these regions"),
        choices=[(region, _("Region %(n)d") % {"n": region}) for region in REGIONS],
        coerce=int,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Edition
        fields = [
            "year",
            "name",
            "provisional",
            "notes",
            "min_full_partners",
            "min_countries",
            "min_labour_market_actors",
            "min_education_providers",
            "require_hei_and_vet",
            "excluded_countries",
            "durations",
            "aims",
            "max_grant_24_months",
            "max_grant_36_months",
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["all_regions"].initial = self.instance.pk is None or self.instance.allowed_regions is None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("all_regions"):
            cleaned["allowed_regions"] = None
        elif not cleaned.get("allowed_regions"):
            self.add_error("allowed_regions", _("Choose the regions allowed, or tick “every region”."))
        else:
            cleaned["allowed_regions"] = sorted(cleaned["allowed_regions"])
        if cleaned.get("durations"):
            cleaned["durations"] = sorted(cleaned["durations"])
        if cleaned.get("aims"):
            cleaned["aims"] = [aim for aim in AIMS if aim in cleaned["aims"]]
        return cleaned


class EditionCountryStatusInline(admin.TabularInline):
    model = EditionCountryStatus
    extra = 0
    autocomplete_fields = ("country",)


@admin.register(Edition)
class EditionAdmin(admin.ModelAdmin):
    form = EditionForm
    list_display = (
        "year",
        "name",
        "provisional",
        "min_full_partners",
        "min_countries",
        "min_labour_market_actors",
        "min_education_providers",
        "durations",
        "allowed_regions",
    )
    list_filter = ("provisional",)
    search_fields = ("name", "notes")
    filter_horizontal = ("excluded_countries",)
    inlines = [EditionCountryStatusInline]
    fieldsets = (
        (None, {"fields": ("year", "name", "provisional", "notes")}),
        (
            _("Partnership"),
            {
                "fields": (
                    "min_full_partners",
                    "min_countries",
                    "min_labour_market_actors",
                    "min_education_providers",
                    "require_hei_and_vet",
                )
            },
        ),
        (_("Countries"), {"fields": ("excluded_countries", "all_regions", "allowed_regions")}),
        (_("Project"), {"fields": ("durations", "aims", "max_grant_24_months", "max_grant_36_months")}),
    )


# Written by eligibility.services alone, and deleted with their proposal: a report saved here wrote a
# "changed" line to the admin log, and one deleted here left its builder saying "Not evaluated yet".


def _checklist(evaluation: dict):
    """An evaluation as the builder's checklist words it: each criterion, its status, why, and what would
    fix it."""
    if not evaluation:
        return "–"
    rows = format_html_join(
        "",
        "<li><strong>{}</strong>: {}. {} {}</li>",
        (
            (
                criterion_title(criterion["code"]),
                status_label(criterion["status"]),
                criterion.get("message", ""),
                criterion.get("hint", ""),
            )
            for criterion in evaluation.get("criteria", [])
        ),
    )
    return format_html("<p>{}</p><ul>{}</ul>", status_label(evaluation.get("status")), rows)


@admin.register(EligibilityReport)
class EligibilityReportAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "edition_year", "confirmed_status", "projected_status", "evaluated_at")
    list_filter = ("confirmed_status", "projected_status", "edition_year")
    search_fields = ("proposal__acronym", "proposal__title")
    list_select_related = ("proposal",)
    # The evaluations as words, not their JSON.
    fields = ("proposal", "edition_year", "evaluated_at", "confirmed_checklist", "projected_checklist")
    readonly_fields = ("confirmed_checklist", "projected_checklist")

    @admin.display(description=_("confirmed evaluation"))
    def confirmed_checklist(self, report):
        return _checklist(report.confirmed)

    @admin.display(description=_("projected evaluation"))
    def projected_checklist(self, report):
        return _checklist(report.projected)


class InWords(admin.SimpleListFilter):
    """A filter on a column of codes that lists them as the builder words them ("Full partners", not
    "full-partners")."""

    labels: dict = {}

    def lookups(self, request, model_admin):
        return [(code, label) for code, label in self.labels.items() if code]

    def queryset(self, request, queryset):
        return queryset.filter(**{self.parameter_name: self.value()}) if self.value() else queryset


class ModeFilter(InWords):
    title = _("mode")
    parameter_name = "mode"
    labels = MODE_LABELS


class CriterionFilter(InWords):
    title = _("criterion")
    parameter_name = "criterion"
    labels = CRITERION_TITLES


class ToStatusFilter(InWords):
    title = _("to")
    parameter_name = "to_status"
    labels = STATUS_LABELS


@admin.register(EligibilityChange)
class EligibilityChangeAdmin(ReadOnlyAdmin):
    list_display = ("proposal", "mode_label", "criterion_title", "from_label", "to_label", "changed_at")
    list_filter = (ModeFilter, CriterionFilter, ToStatusFilter)
    search_fields = ("proposal__acronym", "criterion", "message")
    list_select_related = ("proposal",)
    date_hierarchy = "changed_at"
    fields = (
        "proposal",
        "mode_label",
        "criterion_title",
        "from_label",
        "to_label",
        "observed",
        "required",
        "message",
        "changed_at",
    )
    readonly_fields = ("mode_label", "criterion_title", "from_label", "to_label")

    @admin.display(description=_("mode"), ordering="mode")
    def mode_label(self, change):
        return mode_label(change.mode)

    @admin.display(description=_("criterion"), ordering="criterion")
    def criterion_title(self, change):
        return criterion_title(change.criterion)

    @admin.display(description=_("from"))
    def from_label(self, change):
        return status_label(change.from_status)

    @admin.display(description=_("to"), ordering="to_status")
    def to_label(self, change):
        return status_label(change.to_status)
