from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from alliances.labels import participation_status_label
from config.admin import ReadOnlyAdmin

from .models import Invitation, ParticipationEvent


@admin.register(Invitation)
class InvitationAdmin(ReadOnlyAdmin):
    """Shown only: an invitation deleted here skipped the audit trail and the proposal's new version (the
    builder kept showing it, and its participant stayed invited)."""

    list_display = ["email", "participation", "status", "created_at", "sent_at", "expires_at", "answered_at"]
    list_filter = ["status"]
    search_fields = ["email", "participation__organisation__legal_name", "participation__proposal__acronym"]
    list_select_related = ["participation__organisation", "participation__proposal"]
    # Hashes are never shown; status changes go through the services (and their audit trail) only.
    exclude = ["token_hash", "reminder_token_hash"]


@admin.register(ParticipationEvent)
class ParticipationEventAdmin(ReadOnlyAdmin):
    list_display = ["created_at", "subject", "kind", "from_label", "to_label", "actor_kind", "actor"]
    list_filter = ["kind", "actor_kind"]
    search_fields = ["subject", "proposal__acronym"]
    list_select_related = ["actor"]
    readonly_fields = ["from_label", "to_label"]
    exclude = ["from_status", "to_status"]  # in words above

    @admin.display(description=_("from"))
    def from_label(self, event):
        return participation_status_label(event.from_status)

    @admin.display(description=_("to"))
    def to_label(self, event):
        return participation_status_label(event.to_status)
