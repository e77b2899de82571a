"""The curators' desk: change requests with their differences side by side, approved or rejected with a note.

Each decision is a service call (`partners.curation`) in its own transaction, and is logged twice: on the
request itself (who, when, the decision, the note) and in Django's admin log, for the request and, when it
is approved, for the organisation it changed.
"""

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.template.response import TemplateResponse
from django.utils.html import format_html, format_html_join
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from . import curation
from .codes import fold_for_search
from .labels import describe
from .models import ChangeRequestStatus, OrganisationChangeRequest
from .selectors import change_request_rows, field_label, holding_every_word, organisations_with_same_name


class ReviewForm(forms.Form):
    review_note = forms.CharField(
        label=_("Note to the requester"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60, "autofocus": True}),
        help_text=_(
            "Shown to the requester with the decision (in the builder, or in the partner's email). At most "
            "500 characters."
        ),
    )


def differences_table(change_request) -> str:
    """The request's fields side by side (now, when requested, requested), and whether the name it gives
    the record is another record's in that country already."""
    rows = change_request_rows(change_request=change_request, current=change_request.organisation)
    now, then, requested = _("Now in the directory"), _("When requested"), _("Requested")
    # Each cell says its column (data-label): on a tablet the rows stack, one labelled line per cell.
    body = format_html_join(
        "",
        "<tr><th scope='row'>{}</th><td data-label='{}'>{}</td><td data-label='{}'>{}</td>"
        "<td data-label='{}'><strong>{}</strong></td></tr>",
        (
            (row["label"], now, row["current"] or "—", then, row["old"] or "—", requested, row["new"] or "—")
            for row in rows
        ),
    )
    table = format_html(
        "<table class='change-request-differences' tabindex='0'><thead><tr>"
        "<th>{}</th><th>{}</th><th>{}</th><th>{}</th></tr></thead><tbody>{}</tbody></table>",
        _("Field"),
        now,
        then,
        requested,
        body,
    )
    return format_html("{}{}", table, same_name_warning(change_request))


def same_name_warning(change_request) -> str:
    """A rename (or a move to another country) onto a name the directory has there already: approving it
    makes two records of one name in one country, which the directory's forms allow only to someone who
    says they are different organisations."""
    changes, organisation = change_request.changes or {}, change_request.organisation
    if not {"legal_name", "country"} & changes.keys():
        return ""
    existing = organisations_with_same_name(
        legal_name=changes.get("legal_name", {}).get("new") or organisation.legal_name,
        country_id=changes.get("country", {}).get("new") or organisation.country_id,
        exclude_pk=organisation.pk,
    ).first()
    if existing is None:
        return ""
    return format_html(
        "<p class='errornote same-name'>{}</p>",
        _(
            "%(organisation)s has this name already. Approve only if this record is really another "
            "organisation; if they are the same one, reject the request and say so in the note."
        )
        % {"organisation": describe(existing)},
    )


class StatusFilter(admin.SimpleListFilter):
    """The requests waiting for a decision unless another status (or all) is chosen: the curators' desk opens
    on what is left to do."""

    title = _("status")
    parameter_name = "status"
    ALL = "all"

    def lookups(self, request, model_admin):
        return [*ChangeRequestStatus.choices, (self.ALL, _("All"))]

    def value(self):
        return super().value() or ChangeRequestStatus.PENDING

    def choices(self, changelist):
        for lookup, title in self.lookup_choices:
            yield {
                "selected": self.value() == str(lookup),
                "query_string": changelist.get_query_string({self.parameter_name: lookup}),
                "display": title,
            }

    def queryset(self, request, queryset):
        if self.value() == self.ALL:
            return queryset
        return queryset.filter(status=self.value())


@admin.register(OrganisationChangeRequest)
class OrganisationChangeRequestAdmin(admin.ModelAdmin):
    list_display = ("organisation", "fields_changed", "status", "origin", "requester", "created_at")
    list_filter = (StatusFilter, "origin")
    search_fields = ("organisation__legal_name", "requester_email", "requested_by__email", "context")
    list_select_related = ("organisation", "requested_by")
    date_hierarchy = "created_at"
    actions = ["approve", "reject"]
    fields = (
        "organisation",
        "differences",
        "origin",
        "context",
        "requested_by",
        "requester_email",
        "created_at",
        "status",
        "reviewed_by",
        "reviewed_at",
        "review_note",
        "outcome_notified_at",
    )
    readonly_fields = fields

    def get_search_results(self, request, queryset, search_term):
        """Also as the directory's search finds a record (every word, accents and case aside, by name, city,
        PIC, OID or Erasmus code: "łódź" found nothing), and by a value a request asks for (a new PIC)."""
        found, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        words, typed = fold_for_search(search_term).split(), search_term.strip()
        if words:
            record = holding_every_word(words, through="organisation__")
            asked = Q()
            for field in curation.CURATED_FIELDS:
                asked |= Q(**{f"changes__{field}__new__icontains": typed})
            found |= queryset.filter(record | asked)
        return found, may_have_duplicates

    def change_view(self, request, object_id, form_url="", extra_context=None):
        # Everything on the page is read-only: decisions are the list's actions, with their note, which the
        # page's own Approve… and Reject… buttons lead to (its change_form.html).
        extra_context = {**(extra_context or {}), "show_save": False, "show_save_and_continue": False}
        return super().change_view(request, object_id, form_url, extra_context)

    def has_add_permission(self, request):
        return False  # requests come from the builder and the invite links

    def has_delete_permission(self, request, obj=None):
        return False  # the audit trail stays

    @admin.display(description=_("changes"))
    def fields_changed(self, obj):
        return ", ".join(field_label(field) for field in obj.changes or {})

    @admin.display(description=_("requested by"))
    def requester(self, obj):
        return obj.requester_label

    @admin.display(description=_("differences"))
    def differences(self, obj):
        return differences_table(obj)

    @admin.action(
        description=_("Approve the selected requests (apply their changes)"), permissions=["change"]
    )
    def approve(self, request, queryset):
        return self._review(request, queryset, approve=True)

    @admin.action(description=_("Reject the selected requests"), permissions=["change"])
    def reject(self, request, queryset):
        return self._review(request, queryset, approve=False)

    def _review(self, request, queryset, *, approve: bool):
        """First the requests and a note to confirm with; then each decided in its own transaction."""
        # Oldest first: of two requests on one field, the later one is then refused as out of date.
        pending = list(
            queryset.filter(status=ChangeRequestStatus.PENDING)
            .select_related("organisation")
            .order_by("created_at", "pk")
        )
        if not pending:
            self.message_user(
                request, _("None of the selected requests is pending review."), messages.WARNING
            )
            return None
        form = ReviewForm(request.POST if "confirm" in request.POST else None)
        if not form.is_valid():
            context = {
                **self.admin_site.each_context(request),
                "title": (
                    ngettext("Approve this request?", "Approve these %(n)d requests?", len(pending))
                    if approve
                    else ngettext("Reject this request?", "Reject these %(n)d requests?", len(pending))
                )
                % {"n": len(pending)},
                "opts": self.model._meta,
                "action": "approve" if approve else "reject",
                "requests": [(item, differences_table(item)) for item in pending],
                "form": form,
                "action_checkbox_name": ACTION_CHECKBOX_NAME,
            }
            return TemplateResponse(request, "admin/partners/organisationchangerequest/review.html", context)
        decide = curation.change_request_approve if approve else curation.change_request_reject
        note = form.cleaned_data["review_note"]
        done = 0
        for item in pending:
            try:
                decided = decide(change_request_id=item.pk, reviewer=request.user, note=note)
            except ValidationError as exc:
                refused = (
                    _("%(request)s was not approved. %(reason)s")
                    if approve
                    else _("%(request)s was not rejected. %(reason)s")
                )
                self.message_user(
                    request,
                    refused % {"request": item.described, "reason": " ".join(exc.messages)},
                    messages.ERROR,
                )
                continue
            done += 1
            decision = decided.get_status_display()
            self.log_change(request, decided, f"{decision}: {note}" if note else decision)
            if approve:
                fields = ", ".join(field_label(field) for field in decided.changes)
                self.log_change(
                    request,
                    decided.organisation,
                    _("Changed %(fields)s (change request #%(pk)s approved)")
                    % {"fields": fields, "pk": decided.pk},
                )
        if done:
            message = (
                ngettext("%(n)d request approved.", "%(n)d requests approved.", done)
                if approve
                else ngettext("%(n)d request rejected.", "%(n)d requests rejected.", done)
            )
            self.message_user(request, message % {"n": done}, messages.SUCCESS)
        return None
