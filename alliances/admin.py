from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eligibility import services as eligibility_services

from .models import Participation, Proposal


class ParticipationInline(admin.TabularInline):
    model = Participation
    fk_name = "proposal"
    extra = 0
    fields = ("organisation", "role", "status", "contact_name", "contact_email", "affiliated_to")
    autocomplete_fields = ("organisation",)
    show_change_link = True


@admin.register(Proposal)
class ProposalAdmin(admin.ModelAdmin):
    list_display = (
        "acronym",
        "title",
        "edition",
        "owner",
        "duration_months",
        "deadline",
        "archived_at",
        "updated_at",
    )
    list_filter = ("edition", "duration_months", ("archived_at", admin.EmptyFieldListFilter))
    search_fields = ("acronym", "title", "owner__email", "summary")
    list_select_related = ("edition", "owner")
    autocomplete_fields = ("owner", "co_editors")
    readonly_fields = ("version", "created_at", "updated_at")
    exclude = ("corrections_requested",)  # made by the builder and the invite links; curated as requests
    inlines = [ParticipationInline]
    actions = ["reevaluate_eligibility"]

    @admin.action(description=_("Re-evaluate eligibility of the selected proposals"))
    def reevaluate_eligibility(self, request, queryset):
        count = eligibility_services.reevaluate(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("Re-evaluated %(count)d proposal.", "Re-evaluated %(count)d proposals.", count)
            % {"count": count},
            messages.SUCCESS,
        )


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ("organisation", "proposal", "role", "status", "contact_email", "updated_at")
    list_filter = ("role", "status", "proposal__edition")
    search_fields = (
        "organisation__legal_name",
        "organisation__acronym",
        "proposal__acronym",
        "contact_email",
    )
    list_select_related = ("organisation", "proposal")
    autocomplete_fields = ("proposal", "organisation", "affiliated_to")
    readonly_fields = ("created_at", "updated_at")
