"""Proposals and their participants are shown in the admin, never added or changed there (ShownNotChanged): a
change made there skipped what the builder's services do (a new version, so a page opened before is refused
rather than saving over it; the history; the open invitation of a changed contact), and a participant moved to
another proposal broke the builder page of the one it left (a 500 on its affiliated entity). A participant is
not deleted here either (the builder removes it, with its history line); a proposal is, with its consortium,
its history and its reports, as a user's own data may have to go."""

from django.contrib import admin, messages
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.admin import OwnsItsRecords, ReadOnlyAdmin, ShownNotChanged
from eligibility import services as eligibility_services
from eligibility.rules import aim_label

from .models import Participation, Proposal


class ParticipationInline(ShownNotChanged, admin.TabularInline):
    """The consortium, each participant linked to its own page.

    Editable rows cost a query or two each and a list of every full partner per row: at 300 participants the
    page made 611 queries and 48,631 options and took 20 s. Read-only, it is read with the proposal in one
    query whatever the size.
    """

    model = Participation
    fk_name = "proposal"
    extra = 0
    fields = ("organisation", "role", "status", "contact_name", "contact_email", "affiliated_to")
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def get_queryset(self, request):
        partner = ("affiliated_to__organisation", "affiliated_to__proposal")
        return super().get_queryset(request).select_related("organisation", "proposal", *partner)


@admin.register(Proposal)
class ProposalAdmin(OwnsItsRecords, ShownNotChanged, admin.ModelAdmin):
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
    readonly_fields = ("aims_in_words", "version", "created_at", "updated_at")
    # made by the builder and the invite links, curated as requests; the aims are shown in words
    exclude = ("corrections_requested", "aims")
    inlines = [ParticipationInline]
    actions = ["reevaluate_eligibility"]

    @admin.action(
        description=_("Re-evaluate eligibility of the selected proposals"), permissions=["reevaluate"]
    )
    def reevaluate_eligibility(self, request, queryset):
        count = eligibility_services.reevaluate(queryset.values_list("pk", flat=True))
        self.message_user(
            request,
            ngettext("Re-evaluated %(count)d proposal.", "Re-evaluated %(count)d proposals.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    @admin.display(description=_("aims"))
    def aims_in_words(self, proposal):
        if not proposal.aims:
            return "–"
        aims = format_html_join("", "<li>{}</li>", ((aim_label(aim),) for aim in proposal.aims))
        return format_html("<ul>{}</ul>", aims)

    def has_reevaluate_permission(self, request):
        """A re-evaluation changes no proposal, only its report: for those who may change proposals (the
        model's permission, which the page itself no longer offers)."""
        return request.user.has_perm(f"{self.opts.app_label}.change_{self.opts.model_name}")


@admin.register(Participation)
class ParticipationAdmin(ReadOnlyAdmin):
    list_display = ("organisation", "proposal", "role", "status", "contact_email", "updated_at")
    list_filter = ("role", "status", "proposal__edition")
    search_fields = (
        "organisation__legal_name",
        "organisation__acronym",
        "proposal__acronym",
        "contact_email",
    )
    list_select_related = ("organisation", "proposal")
    readonly_fields = ("created_at", "updated_at")
