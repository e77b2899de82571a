"""What a list of ECHE holders looks like: the columns it must have, how its header is found, and what
reading it gives (holders, refused rows, warnings).

The Commission's releases differ (see ``partners/data/eche/``): the sheet's name, a blank row before the
header (2026), header spellings (``Erasmus Code`` / ``Eramus Code``, ``PIC`` / ``Pic``, ``Country`` with
English names in 2022 / ``Country Cd`` with EU codes such as ``EL`` later, `` Eche Start`` with a leading
space). Header cells are compared compacted, so all of these are recognised.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils.translation import gettext as _

HEADER_SCAN_ROWS = 10


class ListFormatError(ValueError):
    """The file is not an ECHE list (unreadable/corrupt, wrong columns, empty).

    The message is user-facing and says why.
    """


# The longest values a stored holder keeps (EcheHolder's columns are made of them): the reader leaves out a
# longer code and cuts a longer name or city, saying so, rather than the storage cutting them without a word.
CODE_MAX_LENGTH, NAME_MAX_LENGTH, CITY_MAX_LENGTH = 40, 500, 200


@dataclass(frozen=True, slots=True)
class Holder:
    row: int  # 1-based spreadsheet row number (as a user sees it in Excel)
    erasmus_code: str  # as published, trimmed, NBSP -> space
    erasmus_code_normalised: str  # partners.codes.normalise_erasmus_code
    pic: str  # 9 digits as text, or "" when missing/invalid (invalid -> warning)
    oid: str  # "E" + 8 digits, or "" when missing (#N/A, Not Found, blank)
    legal_name: str
    city: str
    country: (
        str  # ISO 3166-1 alpha-2 as django-countries uses it: "GR" for EL/Greece, "GB" for UK, "XK" Kosovo
    )
    start: datetime.date | None
    end: datetime.date | None
    code_irregular: (
        bool  # Erasmus code does not match the usual pattern (still imported; listed as a warning)
    )
    website: str = ""  # as published (often without a scheme); checked when the directory record is written


@dataclass(frozen=True, slots=True)
class RowProblem:
    row: int
    reason: str  # user-facing


@dataclass
class ParsedList:
    source_name: str
    sheet: str
    header_row: int
    rows_read: int  # data rows seen (excluding header and fully blank rows)
    holders: list[Holder] = field(default_factory=list)
    refused: list[RowProblem] = field(default_factory=list)  # rows that could not be used, with reason
    warnings: list[RowProblem] = field(default_factory=list)  # imported but odd
    publication_date: datetime.date | None = None  # parsed from the file name when it carries one
    columns: tuple[int, ...] = ()  # the 0-based columns read (the header's fields)


_CODE, _PIC, _OID, _NAME, _CITY, _COUNTRY, _START, _END, _WEBSITE = (
    "erasmus_code",
    "pic",
    "oid",
    "legal_name",
    "city",
    "country",
    "start",
    "end",
    "website",
)
_REQUIRED = (_CODE, _PIC, _OID, _NAME, _COUNTRY, _START, _END)

# Header cell -> field. Keys are compacted: NFKC, case-folded, everything but letters and digits removed, so
# "Erasmus Code", "ERASMUS_CODE", " Eche Start" and "Country Cd" all compare equal to their aliases.
# Within a field, earlier aliases are more specific: "Legal Name" wins over a plain "Name" column.
_HEADER_ALIASES: dict[str, tuple[str, int]] = {}
for _field, _aliases in {
    _CODE: ("erasmuscode", "eramuscode", "erasmuscd", "erasmusid", "erasmuscodes", "erasmusinstitutioncode"),
    _PIC: (
        "pic",
        "picnumber",
        "participantidentificationcode",
        "participantidentificationcodepic",
        "piccode",
    ),
    _OID: ("oid", "organisationid", "organizationid", "oidnumber", "oidcode"),
    _NAME: (
        "legalname",
        "organisationlegalname",
        "organizationlegalname",
        "organisationname",
        "organizationname",
        "institutionname",
        "institutionlegalname",
        "heiname",
        "name",
    ),
    _CITY: ("city", "town", "cityname"),
    _WEBSITE: ("websiteurl", "website", "webpage", "webaddress", "url", "homepage"),
    _COUNTRY: ("country", "countrycd", "countrycode", "countryname", "countryiso", "countryisocode"),
    _START: (
        "erasmusechestart",
        "erasmusechestartdate",
        "echestart",
        "echestartdate",
        "charterstart",
        "charterstartdate",
        "startdate",
        "start",
        "validfrom",
    ),
    _END: (
        "erasmusecheend",
        "erasmusecheenddate",
        "echeend",
        "echeenddate",
        "charterend",
        "charterenddate",
        "enddate",
        "end",
        "validuntil",
        "validto",
    ),
}.items():
    for _alias in _aliases:
        _HEADER_ALIASES[_alias] = (_field, len(_HEADER_ALIASES))

_NOT_ALNUM = re.compile(r"[^0-9a-z]+")


def _field_label(name: str) -> str:
    return {
        _CODE: _("Erasmus code"),
        _PIC: _("PIC"),
        _OID: _("OID"),
        _NAME: _("legal name"),
        _CITY: _("city"),
        _WEBSITE: _("website"),
        _COUNTRY: _("country"),
        _START: _("ECHE start date"),
        _END: _("ECHE end date"),
    }[name]


def _header_key(value: Any) -> str:
    if value is None:
        return ""
    return _NOT_ALNUM.sub("", unicodedata.normalize("NFKC", str(value)).casefold())


def _map_header(row: Sequence[Any]) -> dict[str, int]:
    """Field -> 0-based column index for the recognised cells of ``row``.

    When several columns name the same field, the most specific alias wins, then the leftmost column.
    """
    found: dict[str, tuple[int, int]] = {}
    for index, value in enumerate(row):
        match = _HEADER_ALIASES.get(_header_key(value))
        if match:
            name, rank = match
            if name not in found or rank < found[name][0]:
                found[name] = (rank, index)
    return {name: index for name, (_rank, index) in found.items()}


def _shown_cells(row: Sequence[Any]) -> str:
    cells = [" ".join(str(v).split()) for v in row if v is not None and str(v).strip()]
    return ", ".join(f"“{c}”" for c in cells[:20]) or _("nothing")


@dataclass
class Header:
    row: int  # 1-based
    columns: dict[str, int]
    cells: Sequence[Any]


def find_header(rows: Iterable[Sequence[Any]]) -> tuple[Header | None, Header | None, bool]:
    """Scan the first rows. Return (complete header, best partial candidate, whether any cell had a value)."""
    best: Header | None = None
    any_value = False
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SCAN_ROWS:
            break
        if not any_value and any(v is not None and str(v).strip() for v in row):
            any_value = True
        columns = _map_header(row)
        if not columns:
            continue
        candidate = Header(number, columns, row)
        if all(name in columns for name in _REQUIRED):
            return candidate, candidate, True
        if best is None or len(columns) > len(best.columns):
            best = candidate
    return None, best, any_value


def header_error(best: Header | None, any_value: bool, where: str) -> ListFormatError:
    if not any_value:
        return ListFormatError(_("%(where)s is empty: there is no data to import.") % {"where": where})
    expected = ", ".join(_field_label(name) for name in _REQUIRED)
    if best is None:
        return ListFormatError(
            _(
                "%(where)s does not look like the list of ECHE holders: none of its first %(n)s rows "
                "names the expected columns (%(expected)s)."
            )
            % {"where": where, "n": HEADER_SCAN_ROWS, "expected": expected}
        )
    missing = ", ".join(_field_label(name) for name in _REQUIRED if name not in best.columns)
    return ListFormatError(
        _(
            "%(where)s does not look like the list of ECHE holders: the header (row %(row)s) has no "
            "column for %(missing)s. Columns found: %(found)s."
        )
        % {"where": where, "row": best.row, "missing": missing, "found": _shown_cells(best.cells)}
    )
