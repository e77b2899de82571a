"""Reading one cell of a list of ECHE holders, as the real releases spell it: dates as dates or as
``dd-mm-yyyy`` text, PICs as numbers or text, non-breaking spaces inside Erasmus codes, ``#N/A`` or
``Not Found`` for missing OIDs, countries as EU codes or English names; and the release date a file name
carries. Pure: no database.
"""

from __future__ import annotations

import datetime
import re
import unicodedata
from pathlib import Path
from typing import Any

from django_countries import countries

# Spellings of "no value" in the identifier and date columns of the real lists (Excel errors, placeholders).
_MISSING = frozenset(
    {"#N/A", "N/A", "#NA", "NA", "NOT FOUND", "NOTFOUND", "-", "--", "—", "NULL", "NONE", "?"}
)
_SPACES = str.maketrans({"\xa0": " ", "\u2007": " ", "\u202f": " "})


def cell_text(value: Any) -> str:
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


def identifier_text(value: Any) -> str:
    text = cell_text(value)
    if text and text.upper() in _MISSING:
        return ""
    return text


_DMY = re.compile(r"^(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_YMD = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})(?:[ T]\d{1,2}:\d{2}(?::\d{2}(?:\.\d+)?)?)?$")
_EXCEL_EPOCH = datetime.date(1899, 12, 30)


# A charter's dates fall after Erasmus began (1987) and within this century. Outside them a cell holds no date
# but something else: a year typed as a number (2029) is Excel's day 2029, in July 1905.
PLAUSIBLE_DATES = (datetime.date(1987, 1, 1), datetime.date(2100, 12, 31))


class ImplausibleDate(ValueError):
    """A date no charter has (outside PLAUSIBLE_DATES): `date`."""

    def __init__(self, date: datetime.date):
        super().__init__(date.isoformat())
        self.date = date


def parse_date(value: Any) -> datetime.date | None:
    """A date cell: date/datetime, text dd-mm-yyyy, dd/mm/yyyy, dd.mm.yyyy or yyyy-mm-dd, or an Excel serial.

    Returns None when the cell is empty (or says N/A); raises ValueError when it holds something else, and
    ImplausibleDate (a ValueError) for a date outside PLAUSIBLE_DATES.
    """
    date = _date(value)
    if date is not None and not PLAUSIBLE_DATES[0] <= date <= PLAUSIBLE_DATES[1]:
        raise ImplausibleDate(date)
    return date


def _date(value: Any) -> datetime.date | None:
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
    text = cell_text(value)
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


def lookup_country(text: str) -> str:
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


# --- The release date a file name carries -------------------------------------------------------------------

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
