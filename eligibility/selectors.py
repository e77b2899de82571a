"""Reads of eligibility data for other apps."""

from . import rules
from .models import EditionCountryStatus


def charter_countries(**kwargs) -> set[str]:
    """Codes of the countries some edition makes a Member State or associated (CH and GB in 2027): their HEIs
    need a charter there, whatever the country table says. The answer to partners'
    `charter_countries_requested` (connected in `EligibilityConfig.ready()`)."""
    return set(
        EditionCountryStatus.objects.filter(
            programme_status__in=rules.ELIGIBLE_PROGRAMME_STATUSES
        ).values_list("country_id", flat=True)
    )
