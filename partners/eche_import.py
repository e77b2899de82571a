"""Parser of the European Commission's list of ECHE holders (Erasmus Charter for Higher Education).

Pure: reads an XLSX (as the Commission publishes it) or a CSV export of it and returns what it found; it never
touches the database. The import command, the admin upload and the Celery task store the result.

The real releases differ (see ``partners/data/eche/``): the sheet's name, a blank row before the header
(2026), header spellings (``Erasmus Code`` / ``Eramus Code``, ``PIC`` / ``Pic``, ``Country`` with English
names in 2022 / ``Country Cd`` with EU codes such as ``EL`` later, `` Eche Start`` with a leading space),
dates as dates or as ``dd-mm-yyyy`` text, PICs as numbers or text, non-breaking spaces inside Erasmus codes,
``#N/A`` or ``Not Found`` for missing OIDs, and a ``Count:`` footer row (Feb 2026). All of these are handled
here.

A row counts as blank, and is skipped silently, when every recognised column (Erasmus code, PIC, OID, legal
name, city, country, dates) is empty; the other columns (proposal number, street, website...) are not looked
at, so a ``Count:`` footer written in the proposal-number column is skipped too.
"""

from __future__ import annotations

import csv
import datetime
import io
import itertools
import os
import re
import unicodedata
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO, Any

from django.utils.translation import gettext as _
from django_countries import countries

from partners.codes import (
    OID_RE,
    PIC_RE,
    is_valid_erasmus_code,
    normalise_erasmus_code,
    normalise_oid,
    normalise_pic,
)

__all__ = [
    "Holder",
    "ListFormatError",
    "ParsedList",
    "RowProblem",
    "publication_date_from_name",
    "read_holder_list",
]

HEADER_SCAN_ROWS = 10
PROGRESS_EVERY = 500


class ListFormatError(ValueError):
    """The file is not an ECHE list (unreadable/corrupt, wrong columns, empty).

    The message is user-facing and says why.
    """


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


# ------------------------------------------------------------------------------------------------------------
# Columns

_CODE, _PIC, _OID, _NAME, _CITY, _COUNTRY, _START, _END = (
    "erasmus_code",
    "pic",
    "oid",
    "legal_name",
    "city",
    "country",
    "start",
    "end",
)
_REQUIRED = (_CODE, _PIC, _OID, _NAME, _COUNTRY, _START, _END)
_ALL_FIELDS = (_CODE, _PIC, _OID, _NAME, _CITY, _COUNTRY, _START, _END)

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
class _Header:
    row: int  # 1-based
    columns: dict[str, int]
    cells: Sequence[Any]


def _find_header(rows: Iterable[Sequence[Any]]) -> tuple[_Header | None, _Header | None, bool]:
    """Scan the first rows. Return (complete header, best partial candidate, whether any cell had a value)."""
    best: _Header | None = None
    any_value = False
    for number, row in enumerate(rows, start=1):
        if number > HEADER_SCAN_ROWS:
            break
        if not any_value and any(v is not None and str(v).strip() for v in row):
            any_value = True
        columns = _map_header(row)
        if not columns:
            continue
        candidate = _Header(number, columns, row)
        if all(name in columns for name in _REQUIRED):
            return candidate, candidate, True
        if best is None or len(columns) > len(best.columns):
            best = candidate
    return None, best, any_value


def _header_error(best: _Header | None, any_value: bool, where: str) -> ListFormatError:
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


# ------------------------------------------------------------------------------------------------------------
# Cell values

# Spellings of "no value" in the identifier and date columns of the real lists (Excel errors, placeholders).
_MISSING = frozenset(
    {"#N/A", "N/A", "#NA", "NA", "NOT FOUND", "NOTFOUND", "-", "--", "—", "NULL", "NONE", "?"}
)
_SPACES = str.maketrans({"\xa0": " ", "\u2007": " ", "\u202f": " "})


def _text(value: Any) -> str:
    """A cell as trimmed text, non-breaking spaces turned into spaces, NUL characters (which no text column
    can hold) dropped."""
    if value is None:
        return ""
    if isinstance(value, str):
        value = value.strip().replace("\x00", "")
        return value if value.isascii() else value.translate(_SPACES).strip()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _identifier_text(value: Any) -> str:
    text = _text(value)
    if text and text.upper() in _MISSING:
        return ""
    return text


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


def _parse_date(value: Any) -> datetime.date | None:
    """A date cell: date/datetime, text dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy or yyyy-mm-dd, or an Excel serial.

    Returns None when the cell is empty (or says N/A); raises ValueError when it holds something else.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return value.date()
    if isinstance(value, datetime.date):
        return value
    if isinstance(value, bool):
        raise ValueError(value)
    if isinstance(value, int | float):
        if 1 <= value < 2958466:  # Excel serial day numbers (1900 date system) up to 9999-12-31
            return _EXCEL_EPOCH + datetime.timedelta(days=int(value))
        raise ValueError(value)
    text = _text(value)
    if not text or text.upper() in _MISSING:
        return None
    match = _DMY.match(text)
    if match:
        day, month, year = match.groups()
    else:
        match = _YMD.match(text)
        if not match:
            raise ValueError(value)
        year, month, day = match.groups()
    return datetime.date(int(year), int(month), int(day))  # ValueError for 31-13-2026


# Country names django-countries does not know (or may not, depending on its version and settings).
_COUNTRY_ALIASES = {
    "kosovo": "XK",
    "kosovo*": "XK",
    "kosovo (under unscr 1244/99)": "XK",
    "türkiye": "TR",
    "turkiye": "TR",
    "republic of türkiye": "TR",
    "turkey": "TR",
    "czech republic": "CZ",
    "czechia": "CZ",
    "macedonia": "MK",
    "north macedonia": "MK",
    "republic of north macedonia": "MK",
    "former yugoslav republic of macedonia": "MK",
    "the former yugoslav republic of macedonia": "MK",
    "fyrom": "MK",
    "the netherlands": "NL",
    "netherlands (the)": "NL",
    "united kingdom": "GB",
    "great britain": "GB",
    "moldova": "MD",
    "republic of moldova": "MD",
    "russia": "RU",
    "russian federation": "RU",
    "bosnia-herzegovina": "BA",
    "bosnia and herzegovina": "BA",
    "holy see": "VA",
    "vatican city state": "VA",
    "la réunion": "RE",
    "reunion": "RE",
    "new caledonia": "NC",
    "ukraine": "UA",
    "belarus": "BY",
}
# EU codes that are not ISO 3166-1 ones (the Commission writes Greece EL and the United Kingdom UK).
_EU_CODES = {"EL": "GR", "UK": "GB", "XK": "XK"}


def _lookup_country(text: str) -> str:
    """ISO code for a country cell (EU/ISO code or English name), or "" when unknown."""
    key = " ".join(unicodedata.normalize("NFKC", text).split())
    if not key:
        return ""
    upper = key.upper()
    if upper in _EU_CODES:
        return _EU_CODES[upper]
    if len(upper) in (2, 3) and upper.isalpha():
        code = countries.alpha2(upper)
        if code:
            return code
    alias = _COUNTRY_ALIASES.get(key.casefold())
    if alias:
        return alias
    try:
        code = countries.by_name(key, language="en")
    except Exception:  # pragma: no cover - defensive: a django-countries version without ``language``
        code = countries.by_name(key)
    return code if isinstance(code, str) else ""


# ------------------------------------------------------------------------------------------------------------
# File name

_MONTHS = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
_NAME_YMD_SEP = re.compile(r"(?<!\d)(\d{4})[-_.](\d{2})[-_.](\d{2})(?!\d)")
_NAME_DMY_SEP = re.compile(r"(?<!\d)(\d{2})[-_.](\d{2})[-_.](\d{4})(?!\d)")
_NAME_EIGHT = re.compile(r"(?<!\d)(\d{8})(?!\d)")
_NAME_MONTH = re.compile(
    r"(?<![a-z])(jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*[-_ ]?((?:19|20)?\d{2})(?!\d)",
    re.IGNORECASE,
)


def _plausible(year: int, month: int, day: int) -> datetime.date | None:
    if not 1990 <= year <= 2100:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def publication_date_from_name(name: str) -> datetime.date | None:
    """The release date a file name carries, or None.

    ``..._08042026`` (ddmmyyyy), ``20231114_...`` (yyyymmdd), ``2026-04-08``, ``08-04-2026``, or
    ``...-jul22...`` (month and year only: the 1st of that month).
    """
    stem = Path(name).name
    for match in _NAME_YMD_SEP.finditer(stem):
        found = _plausible(int(match[1]), int(match[2]), int(match[3]))
        if found:
            return found
    for match in _NAME_DMY_SEP.finditer(stem):
        found = _plausible(int(match[3]), int(match[2]), int(match[1]))
        if found:
            return found
    for match in _NAME_EIGHT.finditer(stem):
        digits = match[1]
        found = _plausible(int(digits[4:]), int(digits[2:4]), int(digits[:2])) or _plausible(
            int(digits[:4]), int(digits[4:6]), int(digits[6:])
        )
        if found:
            return found
    for match in _NAME_MONTH.finditer(stem):
        year = int(match[2])
        if year < 100:
            year += 2000
        found = _plausible(year, _MONTHS[match[1].lower()], 1)
        if found:
            return found
    return None


# ------------------------------------------------------------------------------------------------------------
# Rows


_UNSEEN = object()


class _RowParser:
    """Turns data rows into holders, refused rows and warnings; caches per distinct country and date text."""

    def __init__(self, columns: dict[str, int], result: ParsedList, progress: Callable[[int], None] | None):
        self.columns = columns
        self.result = result
        self.progress = progress
        self.width = max(columns.values()) + 1
        self.country_cache: dict[Any, str] = {}
        self.date_cache: dict[str, Any] = {}
        self.first_row_of_code: dict[str, int] = {}
        self.first_row_of_pic: dict[str, int] = {}

    def run(self, rows: Iterable[Sequence[Any]], first_row: int) -> None:
        columns = self.columns
        i_code, i_pic, i_oid = columns[_CODE], columns[_PIC], columns[_OID]
        i_name, i_country, i_start, i_end = columns[_NAME], columns[_COUNTRY], columns[_START], columns[_END]
        i_city = columns.get(_CITY)
        indexes = tuple(columns.values())
        width = self.width
        padding = (None,) * width
        progress = self.progress
        result = self.result
        holders = result.holders
        row_number = first_row - 1
        done = 0
        rows_read = 0
        for row in rows:
            row_number += 1
            done += 1
            if progress is not None and done % PROGRESS_EVERY == 0:
                progress(done)
            if len(row) < width:
                row = (*row, *padding[: width - len(row)])
            blank = True
            for index in indexes:
                value = row[index]
                if value is not None and (not isinstance(value, str) or value.strip()):
                    blank = False
                    break
            if blank:
                continue
            rows_read += 1
            holder = self._holder(
                row_number,
                row[i_code],
                row[i_pic],
                row[i_oid],
                row[i_name],
                None if i_city is None else row[i_city],
                row[i_country],
                row[i_start],
                row[i_end],
            )
            if holder is not None:
                holders.append(holder)
        result.rows_read = rows_read
        if progress is not None and done % PROGRESS_EVERY:
            progress(done)

    def _date(self, value: Any) -> datetime.date | None:
        """Parsed date (None when empty); raises ValueError when not a date. Text values are cached."""
        if isinstance(value, datetime.datetime):
            return value.date()
        if not isinstance(value, str):
            return _parse_date(value)
        cached = self.date_cache.get(value, _UNSEEN)
        if cached is _UNSEEN:
            try:
                cached = _parse_date(value)
            except ValueError as error:
                cached = error
            self.date_cache[value] = cached
        if isinstance(cached, ValueError):
            raise cached
        return cached

    def _country(self, value: Any) -> str:
        code = self.country_cache.get(value)
        if code is None:
            code = _lookup_country(_text(value))
            self.country_cache[value] = code
        return code

    def _holder(self, row, raw_code, raw_pic, raw_oid, raw_name, raw_city, raw_country, raw_start, raw_end):
        problems: list[str] = []
        notes: list[str] = []

        code = _identifier_text(raw_code)
        normalised = normalise_erasmus_code(code) if code else ""
        irregular = bool(code) and (code != normalised or not is_valid_erasmus_code(normalised))

        pic = ""
        pic_text = _identifier_text(raw_pic)
        if pic_text:
            pic = normalise_pic(raw_pic if not isinstance(raw_pic, str) else pic_text)
            if not PIC_RE.match(pic):
                notes.append(_("PIC “%(value)s” is not nine digits: left out") % {"value": pic_text})
                pic = ""

        oid = ""
        oid_text = _identifier_text(raw_oid)
        if oid_text:
            oid = normalise_oid(oid_text)
            if not OID_RE.match(oid):
                notes.append(_("OID “%(value)s” is not “E” and eight digits: left out") % {"value": oid_text})
                oid = ""

        if not (code or pic or oid):
            problems.append(_("no Erasmus code, PIC or OID"))

        try:
            start = self._date(raw_start)
        except ValueError:
            start = None
            problems.append(_("start date “%(value)s” is not a date") % {"value": _text(raw_start)})
        try:
            end = self._date(raw_end)
        except ValueError:
            end = None
            problems.append(_("end date “%(value)s” is not a date") % {"value": _text(raw_end)})
        else:
            if end is None:
                problems.append(_("no end date"))

        country = self._country(raw_country)
        if not country:
            country_text = _text(raw_country)
            if country_text:
                problems.append(_("unknown country “%(value)s”") % {"value": country_text})
            else:
                problems.append(_("no country"))

        result = self.result
        if problems:
            if notes:  # say why an identifier that was there did not count
                problems.extend(notes)
            result.refused.append(RowProblem(row, "; ".join(problems)))
            return None

        if irregular:
            if code != normalised:
                notes.append(
                    _(
                        "Erasmus code “%(code)s” does not follow the usual pattern "
                        "(normalised: “%(normalised)s”)"
                    )
                    % {"code": code, "normalised": normalised}
                )
            else:
                notes.append(_("Erasmus code “%(code)s” does not follow the usual pattern") % {"code": code})
        if normalised:
            first = self.first_row_of_code.setdefault(normalised, row)
            if first != row:
                notes.append(
                    _("Erasmus code “%(code)s” is also on row %(row)s") % {"code": normalised, "row": first}
                )
        if pic:
            first = self.first_row_of_pic.setdefault(pic, row)
            if first != row:
                notes.append(_("PIC %(pic)s is also on row %(row)s") % {"pic": pic, "row": first})
        if start is not None and end < start:
            notes.append(
                _("end date %(end)s is before start date %(start)s")
                % {"end": end.isoformat(), "start": start.isoformat()}
            )
        legal_name = _text(raw_name)
        if not legal_name:
            notes.append(_("no legal name"))
        for note in notes:
            result.warnings.append(RowProblem(row, note))

        return Holder(
            row=row,
            erasmus_code=code,
            erasmus_code_normalised=normalised,
            pic=pic,
            oid=oid,
            legal_name=legal_name,
            city=_text(raw_city),
            country=country,
            start=start,
            end=end,
            code_irregular=irregular,
        )


# ------------------------------------------------------------------------------------------------------------
# Readers

Source = str | os.PathLike | IO[bytes]


def _display_name(filename: str) -> str:
    return f"“{Path(filename).name or filename}”"


def _open_binary(source: Source) -> IO[bytes]:
    """A seekable binary stream at its start (a path is opened; a stream is rewound or buffered)."""
    if isinstance(source, str | os.PathLike):
        return open(source, "rb")  # closed by the caller
    seekable = getattr(source, "seekable", None)
    if seekable is not None and seekable():
        source.seek(0)
        return source
    return io.BytesIO(source.read())


def _guarded(rows: Iterator, where: str) -> Iterator:
    """Pass rows through; a failure of the underlying reader (truncated data...) becomes ListFormatError."""
    while True:
        try:
            row = next(rows)
        except StopIteration:
            return
        except Exception as error:
            raise ListFormatError(
                _("%(where)s could not be read to the end (the file may be damaged or truncated): %(error)s")
                % {"where": where, "error": error}
            ) from error
        yield row


def _read_xlsx(source: Source, filename: str, progress) -> ParsedList:
    import openpyxl  # imported here: the web process only pays for it when a list is imported

    name = _display_name(filename)
    stream = _open_binary(source)
    owns_stream = stream is not source
    try:
        with warnings.catch_warnings():
            # openpyxl warns about workbook features it drops (data validation, extensions): irrelevant here.
            warnings.filterwarnings("ignore", category=UserWarning, module=r"openpyxl(\.|$)")
            try:
                workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True, keep_links=False)
            except Exception as error:
                raise ListFormatError(
                    _(
                        "%(name)s could not be opened as an Excel workbook (.xlsx): the file is damaged or "
                        "is not an Excel file (%(error)s)."
                    )
                    % {"name": name, "error": error}
                ) from error
            try:
                return _read_workbook(workbook, filename, progress)
            finally:
                workbook.close()
    finally:
        if owns_stream:
            stream.close()


def _read_workbook(workbook, filename: str, progress) -> ParsedList:
    name = _display_name(filename)
    best: tuple[_Header | None, str] | None = None  # the most header-like rows seen, and where
    any_data = False
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]  # chart sheets have no cells
    for worksheet in worksheets:
        where = _("Sheet “%(sheet)s” of %(name)s") % {"sheet": worksheet.title, "name": name}
        # Do not trust the stored dimensions (a wrong <dimension> would cut rows off): read what is there.
        worksheet.reset_dimensions()
        head = worksheet.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True)
        try:
            header, candidate, has_values = _find_header(_guarded(head, where))
        finally:
            head.close()  # releases the sheet's stream before it is read again below
        if header is None:
            if has_values and (
                best is None
                or (candidate and (best[0] is None or len(candidate.columns) > len(best[0].columns)))
            ):
                best = (candidate, where)
            any_data = any_data or has_values
            continue
        result = ParsedList(
            source_name=Path(filename).name,
            sheet=worksheet.title,
            header_row=header.row,
            rows_read=0,
            publication_date=publication_date_from_name(filename),
        )
        parser = _RowParser(header.columns, result, progress)
        rows = worksheet.iter_rows(min_row=header.row + 1, max_col=parser.width, values_only=True)
        parser.run(_guarded(rows, where), header.row + 1)
        _require_rows(result, where)
        return result
    if not any_data or best is None:
        raise ListFormatError(_("%(name)s is empty: no sheet has any data to import.") % {"name": name})
    raise _header_error(best[0], True, best[1])


def _decode_csv(data: bytes, name: str) -> str:
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError as error:
            raise ListFormatError(_("%(name)s is not readable text.") % {"name": name}) from error
    if data.startswith(b"PK\x03\x04"):
        raise ListFormatError(
            _("%(name)s is an Excel workbook, not a CSV file: upload it with the .xlsx extension.")
            % {"name": name}
        )
    if b"\x00" in data[:4096]:
        raise ListFormatError(_("%(name)s is not a CSV text file.") % {"name": name})
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:  # what Excel on Windows writes for "CSV (comma delimited)"
        return data.decode("cp1252")
    except UnicodeDecodeError as error:
        raise ListFormatError(
            _("%(name)s is not UTF-8 text: save the CSV as “CSV UTF-8”.") % {"name": name}
        ) from error


def _read_csv(source: Source, filename: str, progress) -> ParsedList:
    name = _display_name(filename)
    stream = _open_binary(source)
    try:
        data = stream.read()
    finally:
        if stream is not source:
            stream.close()
    text = _decode_csv(data, name)
    if not text.strip():
        raise ListFormatError(_("%(name)s is empty: there is no data to import.") % {"name": name})

    chosen: tuple[str, _Header] | None = None
    best: _Header | None = None
    for delimiter in (";", ",", "\t", "|"):
        try:
            head = list(itertools.islice(_csv_rows(text, delimiter), HEADER_SCAN_ROWS))
        except csv.Error:
            continue
        header, candidate, _has_values = _find_header(head)
        if header is not None:
            chosen = (delimiter, header)
            break
        if candidate is not None and (best is None or len(candidate.columns) > len(best.columns)):
            best = candidate
    if chosen is None:
        raise _header_error(best, True, name)
    delimiter, header = chosen

    result = ParsedList(
        source_name=Path(filename).name,
        sheet="",
        header_row=header.row,
        rows_read=0,
        publication_date=publication_date_from_name(filename),
    )
    reader = _csv_rows(text, delimiter)
    for _skipped in range(header.row):
        next(reader, None)
    parser = _RowParser(header.columns, result, progress)
    parser.run(_guarded(reader, name), header.row + 1)
    _require_rows(result, name)
    return result


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _require_rows(result: ParsedList, where: str) -> None:
    """A list with a header and nothing under it would make every charter look withdrawn: refuse it."""
    if result.rows_read == 0:
        raise ListFormatError(
            _(
                "%(where)s has the expected columns but no rows of data under them "
                "(row %(row)s is the header)."
            )
            % {"where": where, "row": result.header_row}
        )


def read_holder_list(
    source: Source, *, filename: str, progress: Callable[[int], None] | None = None
) -> ParsedList:
    """Parse a list of ECHE holders.

    ``source`` is a path or a binary file object (an upload); ``filename`` decides the format (``.xlsx`` or
    ``.csv``: UTF-8 with or without BOM, comma or semicolon separated, same header variants) and may carry the
    release date. ``progress(rows_done)`` is called every 500 rows after the header (and once at the end) so a
    progress bar can move. Raises ListFormatError, with a user-facing message, when the file cannot be used.
    """
    suffix = Path(filename).suffix.lower()
    if suffix in (".xlsx", ".xlsm"):
        return _read_xlsx(source, filename, progress)
    if suffix in (".csv", ".txt"):
        return _read_csv(source, filename, progress)
    if suffix == ".xls":
        raise ListFormatError(
            _(
                "%(name)s is in the old Excel 97-2003 format (.xls): open it in a spreadsheet and save it "
                "as .xlsx."
            )
            % {"name": _display_name(filename)}
        )
    raise ListFormatError(
        _("%(name)s is neither an Excel workbook (.xlsx) nor a CSV file (.csv).")
        % {"name": _display_name(filename)}
    )
