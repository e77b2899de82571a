"""Data rows of a list of ECHE holders turned into holders, refused rows (with the reason) and warnings.

A row counts as blank, and is skipped silently, when every recognised column (Erasmus code, PIC, OID, legal
name, city, country, dates) is empty; the other columns (proposal number, street, website...) are not looked
at, so a ``Count:`` footer (Feb 2026) written in the proposal-number column is skipped too.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Sequence
from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from partners.codes import (
    OID_RE,
    PIC_RE,
    is_valid_erasmus_code,
    normalise_erasmus_code,
    normalise_oid,
    normalise_pic,
)

from .list_cells import (
    PLAUSIBLE_DATES,
    ImplausibleDate,
    cell_text,
    identifier_text,
    lookup_country,
    parse_date,
)
from .list_format import (
    CITY_MAX_LENGTH,
    CODE_MAX_LENGTH,
    NAME_MAX_LENGTH,
    Holder,
    ListFormatError,
    ParsedList,
    RowProblem,
)

PROGRESS_EVERY = 500
# The longest list read: the Commission's lists hold about 6,000 holders. A small file can hold a million
# empty or meaningless rows (a 5 MB workbook of 700,000 rows kept an upload's request busy for 207 s): the
# data ends after this many rows in a row with nothing in the list's columns (a sheet formatted down to its
# last row holds no more list), and more rows of data than MAX_ROWS refuse the file.
MAX_ROWS = 50_000
BLANK_ROWS_ENDING_THE_DATA = 1_000

_UNSEEN = object()


class RowParser:
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
        i_code, i_pic, i_oid = columns["erasmus_code"], columns["pic"], columns["oid"]
        i_name, i_country = columns["legal_name"], columns["country"]
        i_start, i_end = columns["start"], columns["end"]
        i_city, i_website = columns.get("city"), columns.get("website")
        indexes = tuple(index for name, index in columns.items() if name != "website")
        width = self.width
        padding = (None,) * width
        progress = self.progress
        result = self.result
        holders = result.holders
        row_number = first_row - 1
        rows_read = 0
        blank_run = 0
        for row in rows:
            row_number += 1
            if len(row) < width:
                row = (*row, *padding[: width - len(row)])
            blank = True
            for index in indexes:
                value = row[index]
                if value is not None and (not isinstance(value, str) or value.strip()):
                    blank = False
                    break
            if blank:
                blank_run += 1
                if blank_run == BLANK_ROWS_ENDING_THE_DATA:
                    break
                continue
            blank_run = 0
            rows_read += 1
            if progress is not None and rows_read % PROGRESS_EVERY == 0:
                progress(rows_read)
            if rows_read > MAX_ROWS:
                raise ListFormatError(
                    _(
                        "The file has more than %(max)s rows of data, many more than any list of ECHE "
                        "holders: it is not one, or holds rows that are not holders."
                    )
                    % {"max": number_format(MAX_ROWS, force_grouping=True)}
                )
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
                None if i_website is None else row[i_website],
            )
            if holder is not None:
                holders.append(holder)
        result.rows_read = rows_read
        if progress is not None:  # the rows of data, as the summary counts them (not the blank ones after)
            progress(rows_read)

    def _date(self, value: Any) -> datetime.date | None:
        """Parsed date (None when empty); raises ValueError when not a date. Text values are cached."""
        if not isinstance(value, str):
            return parse_date(value)
        cached = self.date_cache.get(value, _UNSEEN)
        if cached is _UNSEEN:
            try:
                cached = parse_date(value)
            except ValueError as error:
                cached = error
            self.date_cache[value] = cached
        if isinstance(cached, ValueError):
            raise cached
        return cached

    def _country(self, value: Any) -> str:
        code = self.country_cache.get(value)
        if code is None:
            code = lookup_country(cell_text(value))
            self.country_cache[value] = code
        return code

    def _holder(
        self,
        row,
        raw_code,
        raw_pic,
        raw_oid,
        raw_name,
        raw_city,
        raw_country,
        raw_start,
        raw_end,
        raw_website,
    ):
        """The row's holder, or None when the row is refused (its problems reported); what the import
        leaves out or doubts of a holder it keeps is reported as warnings."""
        problems: list[str] = []
        notes: list[str] = []
        code, normalised, pic, oid = self._identifiers(raw_code, raw_pic, raw_oid, notes)
        if not (code or pic or oid):
            problems.append(_("no Erasmus code, PIC or OID"))
        start, end = self._dates(raw_start, raw_end, problems)
        country = self._country(raw_country)
        if not country:
            country_text = cell_text(raw_country)
            problems.append(
                _("unknown country “%(value)s”") % {"value": country_text}
                if country_text
                else _("no country")
            )
        if problems:
            problems.extend(notes)  # say why an identifier that was there did not count
            self.result.refused.append(RowProblem(row, "; ".join(problems)))
            return None

        irregular = bool(code) and (code != normalised or not is_valid_erasmus_code(normalised))
        notes.extend(self._doubts(row, code, normalised, irregular, pic, start, end))
        legal_name, city = self._texts(raw_name, raw_city, notes)
        for note in notes:
            self.result.warnings.append(RowProblem(row, note))
        return Holder(
            row=row,
            erasmus_code=code,
            erasmus_code_normalised=normalised,
            pic=pic,
            oid=oid,
            legal_name=legal_name,
            city=city,
            country=country,
            start=start,
            end=end,
            code_irregular=irregular,
            website=cell_text(raw_website),
        )

    @staticmethod
    def _identifiers(raw_code, raw_pic, raw_oid, notes: list[str]) -> tuple[str, str, str, str]:
        """The Erasmus code (as written and normalised), PIC and OID; one that cannot be one is left out,
        with a note saying so."""
        code = identifier_text(raw_code)
        normalised = normalise_erasmus_code(code) if code else ""
        if max(len(code), len(normalised)) > CODE_MAX_LENGTH:  # no code; cut, it would be another code
            notes.append(
                _("Erasmus code “%(value)s…” is longer than %(max)d characters: left out")
                % {"value": code[:CODE_MAX_LENGTH], "max": CODE_MAX_LENGTH}
            )
            code = normalised = ""

        pic = ""
        pic_text = identifier_text(raw_pic)
        if pic_text:
            pic = normalise_pic(raw_pic if not isinstance(raw_pic, str) else pic_text)
            if not PIC_RE.match(pic):
                notes.append(_("PIC “%(value)s” is not nine digits: left out") % {"value": pic_text})
                pic = ""

        oid = ""
        oid_text = identifier_text(raw_oid)
        if oid_text:
            oid = normalise_oid(oid_text)
            if not OID_RE.match(oid):
                notes.append(_("OID “%(value)s” is not “E” and eight digits: left out") % {"value": oid_text})
                oid = ""
        return code, normalised, pic, oid

    def _dates(self, raw_start, raw_end, problems: list[str]):
        """The charter's start and end; an end is required."""
        start = self._date_or_problem(raw_start, _("start date"), problems)
        said = len(problems)
        end = self._date_or_problem(raw_end, _("end date"), problems)
        if end is None and len(problems) == said:  # empty, not unreadable
            problems.append(_("no end date"))
        return start, end

    def _date_or_problem(self, raw, which: str, problems: list[str]) -> datetime.date | None:
        try:
            return self._date(raw)
        except ImplausibleDate as error:  # "“9999-12-31 00:00:00” is not a date" said the wrong thing
            first, last = PLAUSIBLE_DATES
            problems.append(
                _(
                    "%(which)s “%(value)s” is no date a charter can have (it reads as %(date)s; charters "
                    "fall in %(first)d-%(last)d)"
                )
                % {
                    "which": which,
                    "value": cell_text(raw),
                    "date": error.date.isoformat(),
                    "first": first.year,
                    "last": last.year,
                }
            )
        except ValueError:
            problems.append(
                _("%(which)s “%(value)s” is not a date") % {"which": which, "value": cell_text(raw)}
            )
        return None

    def _doubts(self, row, code, normalised, irregular, pic, start, end) -> list[str]:
        """What is odd about a holder the import keeps: an irregular code, a code or PIC another row has
        too, dates in the wrong order."""
        doubts = []
        if irregular:
            if code != normalised:
                doubts.append(
                    _(
                        "Erasmus code “%(code)s” does not follow the usual pattern "
                        "(normalised: “%(normalised)s”)"
                    )
                    % {"code": code, "normalised": normalised}
                )
            else:
                doubts.append(_("Erasmus code “%(code)s” does not follow the usual pattern") % {"code": code})
        if normalised:
            first = self.first_row_of_code.setdefault(normalised, row)
            if first != row:
                doubts.append(
                    _("Erasmus code “%(code)s” is also on row %(row)s") % {"code": normalised, "row": first}
                )
        if pic:
            first = self.first_row_of_pic.setdefault(pic, row)
            if first != row:
                doubts.append(_("PIC %(pic)s is also on row %(row)s") % {"pic": pic, "row": first})
        if start is not None and end < start:
            doubts.append(
                _("end date %(end)s is before start date %(start)s")
                % {"end": end.isoformat(), "start": start.isoformat()}
            )
        return doubts

    @staticmethod
    def _texts(raw_name, raw_city, notes: list[str]) -> tuple[str, str]:
        """The legal name and city, cut to what the directory holds (noted)."""
        legal_name, city = cell_text(raw_name), cell_text(raw_city)
        if not legal_name:
            notes.append(_("no legal name"))
        for label, text, limit in (
            (_("legal name"), legal_name, NAME_MAX_LENGTH),
            (_("city"), city, CITY_MAX_LENGTH),
        ):
            if len(text) > limit:
                notes.append(
                    _("%(field)s cut to its first %(max)d characters (it has %(length)d)")
                    % {"field": label, "max": limit, "length": len(text)}
                )
        return legal_name[:NAME_MAX_LENGTH], city[:CITY_MAX_LENGTH]
