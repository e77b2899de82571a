"""The words the builder, its exports and its history use for the eligibility report's codes: the criteria's
titles, the statuses, why a count leaves a country out. Plain text, for templates (alliances_tags) and for
the exports alike."""

from django.utils.translation import gettext_lazy

from eligibility.rules import aim_label

from .models import ParticipationStatus

NOT_REQUIRED = gettext_lazy("Not required")

CRITERION_TITLES = {
    "overall": gettext_lazy("Overall"),
    "applicant": gettext_lazy("Applicant"),
    "organisation-types": gettext_lazy("Organisation types"),
    "excluded-countries": gettext_lazy("Excluded countries"),
    "third-country-roles": gettext_lazy("Third-country roles"),
    "eche": gettext_lazy("Erasmus Charter (ECHE)"),
    "full-partners": gettext_lazy("Full partners"),
    "countries": gettext_lazy("Countries"),
    "labour-market-actors": gettext_lazy("Labour market actors"),
    "education-providers": gettext_lazy("Education and training providers"),
    "hei-and-vet": gettext_lazy("A higher education institution and a VET provider"),
    "duration": gettext_lazy("Duration"),
    "aims": gettext_lazy("Aims"),
}

STATUS_LABELS = {
    "pass": gettext_lazy("Passed"),
    "fail": gettext_lazy("Failed"),
    "pending": gettext_lazy("Pending"),
    "eligible": gettext_lazy("Eligible"),
    "not_eligible": gettext_lazy("Not eligible"),
    "": gettext_lazy("not evaluated"),
}


MODE_LABELS = {"projected": gettext_lazy("Projected"), "confirmed": gettext_lazy("Confirmed")}


def criterion_title(code: str) -> str:
    return CRITERION_TITLES.get(code, code)


def status_label(status: str) -> str:
    return STATUS_LABELS.get(status or "", status)


def mode_label(mode: str) -> str:
    return MODE_LABELS.get(mode, mode)


NOT_COUNTED_REASONS = {
    "excluded": gettext_lazy("excluded from this call"),
    "third_not_associated": gettext_lazy("not associated to the Programme under this edition"),
}


def aims_text(codes) -> str:
    """A proposal's aims in words, one after the other."""
    return "; ".join(str(aim_label(code)) for code in codes or [])


def counted_text(entries) -> str:
    """Whom a count counted, one after the other: semicolons, since names hold commas ("Business Academy
    Copenhagen, Erhvervsakademi København" read as two of the eight)."""
    return "; ".join(entries or [])


def not_counted_text(entries) -> str:
    """What a count leaves out, and why: "AL (not associated to the Programme under this edition)"."""
    return ", ".join(
        f"{entry['country']} ({NOT_COUNTED_REASONS.get(entry['reason'], entry['reason'])})"
        for entry in entries or []
    )


def eche_status_text(participation) -> str:
    """A participant's ECHE status in words, as its proposal's edition decides it: "Not required" where it
    needs no charter (`charter_required`, set by alliances.selectors.mark_charter_required)."""
    if not participation.charter_required:
        return str(NOT_REQUIRED)
    return participation.organisation.get_eche_status_display()


def participation_status_label(status: str) -> str:
    """A participation's status in words ("Confirmed"); an unknown one as it is."""
    try:
        return ParticipationStatus(status).label
    except ValueError:
        return status
