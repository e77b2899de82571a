"""The holders of an imported ECHE list as verified directory records: every charter-holding HEI one search
away, with the identifiers, name, city, country and website the Commission publishes.

Each holder is matched to the directory by Erasmus code, then PIC, then OID, so an organisation is never
duplicated. A holder that matches nothing becomes a new verified record of the type "higher education
institution" (what the charter certifies). A record that matches becomes verified and takes what it lacks;
a field it holds differently changes at once only when it still says what the previous list said (the list
corrected itself), otherwise the list's value becomes a change request for a curator, as any correction of a
shared record does. Identifiers never change silently, and never move to a record another organisation
holds. What the list gets wrong never fails the import: an identifier two holders share stays on neither, an
invalid website, city or code is left out, a holder left with no identifier makes no record (nothing would
tell it from another), and each is reported with its row.

A holder missing from a newer list keeps its record; the re-check after the import makes its ECHE status
`not_found`, and gives the new records theirs.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import F
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.codes import compact_erasmus_code, fold_for_search
from partners.curation import FOREIGN_KEYS, change_request_create
from partners.labels import IDENTIFIER_LABELS
from partners.models import (
    ChangeRequestOrigin,
    ChangeRequestStatus,
    Country,
    EcheHolder,
    EcheList,
    Organisation,
    OrganisationChangeRequest,
    OrganisationType,
    compact_erasmus_code_sql,
)
from partners.signals import organisations_changed_in_bulk

from .bulk_insert import bulk_insert
from .list_format import Holder

HEI_TYPE = "higher-education-institution"
IDENTIFIERS = ("erasmus_code", "pic", "oid")
# Where the holders of a list keep each identifier, normalised as the directory does.
HOLDER_COLUMNS = {"erasmus_code": "erasmus_code_normalised", "pic": "pic", "oid": "oid"}
# What a list gives a record, as model fields (the country by its code).
LISTED_FIELDS = ("legal_name", "city", "website", "country", *IDENTIFIERS)
READ_FIELDS = (
    "verified",
    "listed",
    "legal_name",
    "acronym",
    "city",
    "website",
    "country",
    "type__higher_education",
    *IDENTIFIERS,
)
UPDATED_FIELDS = (
    "legal_name",
    "legal_name_key",
    "city",
    "website",
    "country_id",
    *IDENTIFIERS,
    "search_text",
)
BATCH = 1000


@dataclass
class DirectoryReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    requests: int = 0
    superseded: int = 0  # earlier lists' corrections this one no longer asks for
    problems: list[dict] = field(default_factory=list)  # {"row": n, "reason": "..."}, user-facing

    def problem(self, row: int, reason: str) -> None:
        self.problems.append({"row": row, "reason": reason})

    def as_json(self) -> dict:
        return {
            "created": self.created,
            "updated": self.updated,
            "unchanged": self.unchanged,
            "requests": self.requests,
            "superseded": self.superseded,
            "problems": sorted(self.problems, key=lambda p: p["row"]),
        }


def _website(text: str) -> str:
    """The published address as a URL: the lists often leave out the scheme ("www.ph-noe.ac.at")."""
    text = "".join(text.split())
    if text and "://" not in text:
        text = f"http://{text}"
    return text


# Why a value the record's own field refuses is left out, by field, then by the field's error code.
_LEFT_OUT = {
    "website": gettext_lazy("website “%(value)s” is not a web address: left out"),
    "erasmus_code": gettext_lazy("Erasmus code “%(value)s” cannot be stored: left out"),
    "max_length": gettext_lazy("%(field)s is longer than %(n)d characters: left out"),
    "invisible_character": gettext_lazy("%(field)s “%(value)s” holds an invisible character: left out"),
    "unreadable_character": gettext_lazy(
        "%(field)s “%(value)s” holds a character that could not be read (�): left out"
    ),
}


def _accepted(name: str, value: str, report: DirectoryReport, row: int, *, published: str = "") -> str:
    """The value if the record's field accepts it (its validators, its length, as every form and the admin
    check it), else "" with the reason in the report, quoting the value as published."""
    if not value:
        return ""
    field = Organisation._meta.get_field(name)
    try:
        return field.clean(value, None)
    except ValidationError as error:
        codes = {item.code for item in error.error_list}
        reason = _LEFT_OUT.get(name) or next(
            (_LEFT_OUT[code] for code in ("max_length", "unreadable_character") if code in codes),
            _LEFT_OUT["invisible_character"],
        )
        shown = published or value
        if "invisible_character" in codes:  # made visible in the report
            shown = shown.encode("ascii", "backslashreplace").decode()
        report.problem(
            row, reason % {"field": capfirst(field.verbose_name), "value": shown, "n": field.max_length}
        )
        return ""


def listed_values(holder: Holder, report: DirectoryReport, countries: set[str]) -> dict | None:
    """What the holder gives a record, each field checked as the directory checks it; None when no record
    can be made of it (no usable name or country)."""
    row = holder.row
    name = _accepted("legal_name", " ".join(holder.legal_name.split()), report, row)
    if not name:
        report.problem(row, _("no usable legal name: no directory record"))
        return None
    if holder.country not in countries:
        report.problem(
            row,
            _("country %(code)s is not in the country table: no directory record") % {"code": holder.country},
        )
        return None
    return {
        "legal_name": name,
        "city": _accepted("city", " ".join(holder.city.split()), report, row),
        "website": _accepted("website", _website(holder.website), report, row, published=holder.website),
        "country": holder.country,
        "erasmus_code": _accepted("erasmus_code", holder.erasmus_code_normalised, report, row),
        "pic": holder.pic,
        "oid": holder.oid,
    }


def _key(name: str, value: str) -> str:
    """An identifier as records are told apart by it: an Erasmus code without its spaces (`F  X01` is `FX01`,
    as the records' unique index has it), the others as they are."""
    return compact_erasmus_code(value) if name == "erasmus_code" else value


def _drop_shared_identifiers(rows: list[tuple[int, dict]], report: DirectoryReport) -> None:
    """An identifier two holders share belongs to neither: it is left out of both, and reported."""
    for name in IDENTIFIERS:
        holders_of = defaultdict(list)
        for row, values in rows:
            if values[name]:
                holders_of[_key(name, values[name])].append((row, values))
        for holders in holders_of.values():
            if len(holders) < 2:
                continue
            listed_rows = _some_rows([row for row, _values in holders])
            for row, values in holders:
                report.problem(
                    row,
                    _("%(identifier)s %(value)s is on rows %(rows)s: left on neither")
                    % {"identifier": IDENTIFIER_LABELS[name], "value": values[name], "rows": listed_rows},
                )
                values[name] = ""


SHOWN_ROWS = 5


def _some_rows(rows: list[int]) -> str:
    """The rows as a problem names them: the first few, and how many more (a file of a thousand rows sharing
    one code would otherwise report a thousand rows a thousand times)."""
    shown = ", ".join(str(row) for row in rows[:SHOWN_ROWS])
    if len(rows) > SHOWN_ROWS:
        shown += " " + _("and %(count)d more") % {"count": len(rows) - SHOWN_ROWS}
    return shown


def _existing(rows: list[tuple[int, dict]], eche_list: EcheList) -> dict[str, dict[str, Organisation]]:
    """The records already holding any of the list's identifiers, by identifier: one instance per record,
    with only the fields the import reads or writes. The list's holders are in the database already (in the
    import's transaction): each identifier is one join with them, not thousands of values sent back."""
    pks = {}
    for name, column in HOLDER_COLUMNS.items():
        listed = EcheHolder.objects.filter(list=eche_list).exclude(**{column: ""})
        records = Organisation.objects.exclude(**{name: ""})
        if name == "erasmus_code":  # with or without its spaces
            listed = listed.annotate(key=compact_erasmus_code_sql(column)).values("key")
            records = records.annotate(key=compact_erasmus_code_sql()).filter(key__in=listed)
        else:
            records = records.annotate(key=F(name)).filter(key__in=listed.values(column))
        pks[name] = dict(records.values_list("key", "pk"))
    wanted = sorted({pk for by_value in pks.values() for pk in by_value.values()})
    records = {}
    for start in range(0, len(wanted), BATCH):
        batch = wanted[start : start + BATCH]
        records.update(Organisation.objects.select_related("type").only(*READ_FIELDS).in_bulk(batch))
    # A value the import left out (shared, or refused by the field) is looked up by no row.
    return {name: {value: records[pk] for value, pk in by_value.items()} for name, by_value in pks.items()}


def _vouched_for(organisation: Organisation, values: dict) -> bool:
    """Whether the list vouches for what a record no one verified shows: a higher education institution (what
    the charter certifies), with no website or city the list does not give (a record made with a future
    holder's PIC kept its own website where the list had none, and came out verified with it)."""
    unlisted = [name for name in ("website", "city") if getattr(organisation, name) and not values[name]]
    return organisation.type.higher_education and not unlisted


def _same_text(name: str, current: str, new: str, *, verified: bool = True) -> bool:
    """The lists write names in capitals and without accents, addresses without a scheme, Erasmus codes with
    their spaces: a record saying the same with them keeps its own spelling, and no curator is asked about it.
    A record no one verified keeps it only with no sign the list lacks ("Universität -- Bremen!!!" was
    verified as it was written)."""
    if name in ("legal_name", "city"):
        same = fold_for_search(current) == fold_for_search(new)
        return same and (verified or _signs(current) <= _signs(new))
    if name == "website":
        return _address(current) == _address(new)
    return _key(name, current) == _key(name, new)  # an Erasmus code written with other spaces


def _signs(text: str) -> set[str]:
    """The characters of a text that are neither letters, digits nor spaces."""
    return {character for character in text if not (character.isalnum() or character.isspace())}


def _address(url: str) -> str:
    return url.split("://", 1)[-1].removeprefix("www.").rstrip("/").lower()


def _attname(name: str) -> str:
    return FOREIGN_KEYS.get(name, name)


def _asked_before(organisation_ids: Iterable[int]) -> dict[int, list[dict]]:
    """The changes lists have asked for, by record: waiting for a curator, or rejected by one (a curator's
    "no" stands when the next list says the same)."""
    asked = defaultdict(list)
    for organisation_id, changes in OrganisationChangeRequest.objects.filter(
        organisation_id__in=list(organisation_ids),
        origin=ChangeRequestOrigin.ECHE_LIST,
        status__in=[ChangeRequestStatus.PENDING, ChangeRequestStatus.REJECTED],
    ).values_list("organisation_id", "changes"):
        asked[organisation_id].append(changes)
    return asked


def _supersede(wanted: dict[int, dict], source: str) -> int:
    """Close what earlier lists asked and this one no longer asks (something else, or nothing, or of a record
    it no longer lists or whose row it refused): a curator approving it would bring an outdated value back.
    Returns how many."""
    waiting = OrganisationChangeRequest.objects.filter(
        origin=ChangeRequestOrigin.ECHE_LIST, status=ChangeRequestStatus.PENDING
    ).values_list("pk", "organisation_id", "changes")
    outdated = [pk for pk, organisation_id, changes in waiting if changes != wanted.get(organisation_id)]
    if outdated:
        note = _("Replaced by %(source)s, which no longer asks for this.") % {"source": source}
        OrganisationChangeRequest.objects.filter(pk__in=outdated, status=ChangeRequestStatus.PENDING).update(
            status=ChangeRequestStatus.SUPERSEDED, reviewed_at=timezone.now(), review_note=note[:500]
        )
    return len(outdated)


def directory_records_update(*, eche_list: EcheList, holders: Sequence[Holder]) -> DirectoryReport:
    """Create or update the verified record of every holder of `eche_list`, stored already (call it inside
    the import's transaction)."""
    report = DirectoryReport()
    countries = set(Country.objects.values_list("code", flat=True))
    rows = [(h.row, values) for h in holders if (values := listed_values(h, report, countries)) is not None]
    _drop_shared_identifiers(rows, report)
    by = _existing(rows, eche_list)
    hei = OrganisationType.objects.values_list("pk", flat=True).get(slug=HEI_TYPE)

    new, matched, matched_row = [], [], {}
    for row, values in rows:
        if not any(values[name] for name in IDENTIFIERS):
            report.problem(row, _("no identifier left to tell it from other records: no directory record"))
            continue
        keys = {name: _key(name, values[name]) for name in IDENTIFIERS}
        organisation = next((by[n][keys[n]] for n in IDENTIFIERS if keys[n] in by[n]), None)
        if organisation is None:
            new.append(Organisation(type_id=hei, verified=True, listed=values, **_fields(values)))
            continue
        if organisation.pk in matched_row:
            report.problem(
                row,
                _("matches the same record as row %(row)d: left as it is")
                % {"row": matched_row[organisation.pk]},
            )
            continue
        matched_row[organisation.pk] = row
        for name in IDENTIFIERS:  # never an identifier another record holds
            other = by[name].get(keys[name])
            if values[name] and other is not None and other.pk != organisation.pk:
                report.problem(
                    row,
                    _("%(identifier)s %(value)s belongs to another record (%(name)s): left out")
                    % {
                        "identifier": IDENTIFIER_LABELS[name],
                        "value": values[name],
                        "name": other.legal_name,
                    },
                )
                values[name] = ""
        matched.append((row, organisation, values))

    for organisation in new:
        organisation.normalise_identifiers()
    bulk_insert(Organisation, new)  # no signal: the re-check after commit follows
    report.created = len(new)
    _update_matched(matched, report, eche_list.provenance)
    return report


def _fields(values: dict) -> dict:
    return {_attname(name): value for name, value in values.items()}


def _update_matched(matched: list[tuple[int, Organisation, dict]], report: DirectoryReport, source: str):
    """Matched records take what they never had, and what the list corrected in itself where the record still
    holds what the list said before; anything else a record holds differently (a curator's edit, a field a
    curator emptied) becomes one change request per record (unless the same one is waiting, or was
    rejected). A record no one verified becomes verified only when it holds what the list says: anyone may
    make a record with a holder's identifier before the holder is listed, and its name and website must not
    turn verified with it (approving the list's request verifies it). `updated` counts the records whose
    fields or verification changed; a record whose copy of its list row alone moved (an identifier left out
    of this list) counts as unchanged."""
    asked = _asked_before(organisation.pk for _row, organisation, _values in matched)
    changed, requests, wanted = [], [], {}
    now = timezone.now()
    for row, organisation, values in matched:
        previous = organisation.listed or {}
        requested = {}
        updated = False
        for name in LISTED_FIELDS:
            new, current = values[name], getattr(organisation, _attname(name))
            if not new or new == current or _same_text(name, current, new, verified=organisation.verified):
                continue
            as_listed = current == previous.get(name)  # as the last list gave it (or never given)
            if (not current and not previous.get(name)) or (name not in IDENTIFIERS and as_listed):
                setattr(organisation, _attname(name), new)
                updated = True
            else:
                requested[name] = {"old": current, "new": new}
        wanted[organisation.pk] = requested
        if requested and requested not in asked.get(organisation.pk, []):
            requests.append((row, organisation, requested))
        if not organisation.verified and not requested and _vouched_for(organisation, values):
            organisation.verified = updated = True
        if updated:
            report.updated += 1
        else:
            report.unchanged += 1
        if updated or previous != values:
            organisation.listed = values
            organisation.updated_at = now
            organisation.normalise_identifiers()
            changed.append(organisation)
    report.superseded = _supersede(wanted, source)
    if changed:
        Organisation.objects.bulk_update(
            changed, ["verified", "listed", "updated_at", *UPDATED_FIELDS], batch_size=BATCH
        )
        # A bulk write sends no post_save: eligibility re-evaluates the proposals with these records.
        organisations_changed_in_bulk.send(sender=Organisation, organisation_ids=[o.pk for o in changed])
    for row, organisation, requested in requests:
        try:
            change_request_create(
                organisation=organisation,
                changes=requested,
                origin=ChangeRequestOrigin.ECHE_LIST,
                context=source,
            )
        except ValidationError as error:
            report.problem(
                row,
                _("the list's correction of %(name)s cannot be made: %(reason)s")
                % {"name": organisation.legal_name, "reason": " ".join(error.messages)},
            )
            continue
        report.requests += 1
