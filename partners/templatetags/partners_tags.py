"""How directory records look wherever they are shown: the ECHE badge, and how often a pending one polls."""

from datetime import timedelta

from django import template
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from partners.models import EcheStatus

register = template.Library()

NOT_REQUIRED = gettext_lazy("Not required")
# Each status of a higher education institution's charter: the badge's class and text.
ECHE_BADGES = {
    EcheStatus.VALID: ("text-bg-success", gettext_lazy("ECHE valid")),
    EcheStatus.EXPIRED: ("text-bg-danger", gettext_lazy("ECHE expired")),
    EcheStatus.NOT_FOUND: ("text-bg-danger", gettext_lazy("No ECHE found")),
    EcheStatus.ERROR: ("text-bg-secondary", gettext_lazy("ECHE check failed")),
}


@register.filter
def eche_badge(organisation, charter_required=None):
    """The badge's content: "Not required" for an organisation that is not a higher education institution,
    or that needs no charter in the proposal it is shown in (`charter_required` False: a participation's,
    under its proposal's edition), else its charter's status."""
    status = organisation.eche_status
    if (
        charter_required is False
        or not organisation.type.higher_education
        or status == EcheStatus.NOT_REQUIRED
    ):
        return format_html('<span class="text-body-secondary small">{}</span>', NOT_REQUIRED)
    if status == EcheStatus.PENDING and not organisation.eche_check_awaited:
        # Nothing to look its charter up by: no check will come until one is given.
        return format_html(  # a sentence, not a word: it wraps, as a badge does not, or the table overflows
            '<span class="badge text-bg-warning text-wrap text-start">{}</span>',
            gettext_lazy("No Erasmus code, PIC or OID to check its ECHE: add one"),
        )
    if status == EcheStatus.PENDING:
        return format_html(
            '<span class="badge text-bg-warning"><span class="spinner-border spinner-border-sm me-1" '
            'aria-hidden="true"></span>{}</span>',
            gettext_lazy("ECHE check pending"),
        )
    if status not in ECHE_BADGES:
        return format_html('<span class="text-body-secondary small">{}</span>', NOT_REQUIRED)
    css, label = ECHE_BADGES[status]
    return format_html('<span class="badge {}">{}</span>', css, label)


@register.filter
def eche_poll_interval(organisation):
    """Poll often just after a check was asked for; slowly when it has been pending for long (no list yet)."""
    requested = organisation.eche_requested_at or organisation.updated_at
    if requested and timezone.now() - requested > timedelta(minutes=5):
        return "60s"
    return "5s"
