"""The ECHE decision, pure: what a source found (or whether an organisation needs looking up at all) in, a
status with its provenance out. No ORM: the organisation is read through its attributes only, and the source
is any object with ``lookup`` and ``label`` (see ``partners.eche.sources``)."""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.utils.translation import gettext as _

from partners.codes import normalise_erasmus_code, normalise_oid, normalise_pic
from partners.models import EcheStatus

MATCH_ORDER = ("erasmus_code", "pic", "oid")


@dataclass(frozen=True, slots=True)
class Charter:
    """A holder as a source reports it: enough to decide and to record provenance."""

    erasmus_code: str = ""
    pic: str = ""
    oid: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    row: int | None = None  # row in the imported list (registry source only)
    legal_name: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    matched_by: str = ""
    charter: Charter | None = None
    detail: str = ""
    source: str = ""


def charter_valid(charter: Charter, today: datetime.date) -> bool:
    # An end date the source does not give cannot have passed.
    return charter.end is None or charter.end >= today


def decide(
    matched_by: str, charters: Sequence[Charter], today: datetime.date, *, source: str = ""
) -> Outcome:
    """Status for the holders the first matching identifier found (none: ``not_found``)."""
    if not charters:
        return Outcome(EcheStatus.NOT_FOUND, detail=_("No holder in the list matches."), source=source)
    valid = [c for c in charters if charter_valid(c, today)]
    pool = valid or list(charters)
    # Provenance: the charter that lasts longest (None, open-ended, last of all).
    chosen = max(pool, key=lambda c: (c.end is None, c.end or datetime.date.min, c.row or 0))
    status = EcheStatus.VALID if valid else EcheStatus.EXPIRED
    label = {"erasmus_code": _("Erasmus code"), "pic": _("PIC"), "oid": _("OID")}[matched_by]
    if len(charters) == 1:
        detail = _("Matched by %(identifier)s.") % {"identifier": label}
    else:
        detail = _("Matched %(n)d holders by %(identifier)s; %(valid)d valid.") % {
            "n": len(charters),
            "identifier": label,
            "valid": len(valid),
        }
    if status == EcheStatus.EXPIRED:
        detail += " " + _("The charter ended on %(date)s.") % {"date": chosen.end.isoformat()}
    elif chosen.start and chosen.start > today:
        detail += " " + _("The charter starts on %(date)s.") % {"date": chosen.start.isoformat()}
    return Outcome(status, matched_by=matched_by, charter=chosen, detail=detail, source=source)


def identifiers_of(organisation) -> dict[str, str]:
    return {
        "erasmus_code": normalise_erasmus_code(organisation.erasmus_code),
        "pic": normalise_pic(organisation.pic),
        "oid": normalise_oid(organisation.oid),
    }


def not_required_reason(organisation, charter_countries: set[str]) -> str | None:
    """Why this organisation needs no charter, or None when it must be looked up."""
    if not organisation.type.higher_education:
        return _("Not a higher education institution.")
    country = organisation.country
    if country.effective_code not in charter_countries and country.code not in charter_countries:
        return _("A higher education institution from a third country not associated to the Programme.")
    return None


def outcome_for(organisation, source, *, charter_countries: set[str], today: datetime.date) -> Outcome:
    """Decide an organisation's status (raises the source's SourceError when it fails)."""
    reason = not_required_reason(organisation, charter_countries)
    if reason:
        return Outcome(EcheStatus.NOT_REQUIRED, detail=reason)
    identifiers = identifiers_of(organisation)
    if not any(identifiers.values()):
        # Not checked: there is nothing to look up, not a list without it. The same answer as the offline
        # check's (ELIGIBILITY.md: `pending` when it has none), so the builder and the command agree.
        return Outcome(
            EcheStatus.PENDING,
            detail=_("No Erasmus code, PIC or OID to look up: add one and it is checked."),
            source=source.label,
        )
    found = source.lookup(identifiers)
    if found is None:
        return Outcome(EcheStatus.PENDING, detail=_("No ECHE list is imported yet."))
    matched_by, charters = found
    return decide(matched_by, charters, today, source=source.label)
