from django.contrib import admin, messages
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from eligibility import services as eligibility_services

from .models import Participation, Proposal, Role


class ParticipationInline(admin.TabularInline):
    model = Participation
    fk_name = "proposal"
    extra = 0
    fields = ("organisation", "role", "status", "contact_name", "contact_email", "affiliated_to")
    autocomplete_fields = ("organisation",)
    show_change_link = True

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("organisation", "proposal")

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "affiliated_to":
            # What an affiliated entity may belong to: a full partner of this proposal. Every participation of
            # every proposal, each named with two queries, made the page 600 queries for 29 participants.
            kwargs["queryset"] = Participation.objects.filter(
                proposal_id=request.resolver_match.kwargs.get("object_id"), role=Role.FULL_PARTNER
            ).select_related("organisation", "proposal")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)


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
