"""Reader of the European Commission's list of ECHE holders (Erasmus Charter for Higher Education).

Pure: reads an XLSX (as the Commission publishes it) or a CSV export of it and returns what it found; it never
touches the database. The import command, the admin upload and the Celery task store the result
(``partners.eche.list_storage``).
"""

from __future__ import annotations

import codecs
import csv
import io
import itertools
import os
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import IO

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from .list_cells import publication_date_from_name
from .list_format import HEADER_SCAN_ROWS, Header, ListFormatError, ParsedList, find_header, header_error
from .list_formulas import formulas_without_values
from .list_rows import RowParser

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
            raise _unreadable(where, error) from error
        yield row


def _unreadable(where: str, error: Exception) -> ListFormatError:
    return ListFormatError(
        _("%(where)s could not be read to the end (the file may be damaged or truncated): %(error)s.")
        % {"where": where, "error": str(error).rstrip(".")}
    )


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
                result = _read_workbook(workbook, filename, progress)
            finally:
                workbook.close()
        _refuse_formulas_without_values(stream, result, name)
        return result
    finally:
        if owns_stream:
            stream.close()


def _refuse_formulas_without_values(stream: IO[bytes], result: ParsedList, name: str) -> None:
    cells = formulas_without_values(stream, result.sheet, result.header_row, result.columns)
    if cells:
        shown = ", ".join(cells[:5])
        if len(cells) > 5:
            shown = _("%(cells)s and %(n)d more") % {"cells": shown, "n": len(cells) - 5}
        raise ListFormatError(
            ngettext(
                "In %(name)s, cell %(cells)s holds a formula with no saved result (the program that wrote "
                "the file computes none), so it would read as empty: open the file in a spreadsheet program, "
                "save it, and import it again.",
                "In %(name)s, cells %(cells)s hold formulas with no saved result (the program that wrote the "
                "file computes none), so they would read as empty: open the file in a spreadsheet program, "
                "save it, and import it again.",
                len(cells),
            )
            % {"name": name, "cells": shown}
        )


def _read_workbook(workbook, filename: str, progress) -> ParsedList:
    name = _display_name(filename)
    best: tuple[Header | None, str] | None = None  # the most header-like rows seen, and where
    any_data = False
    worksheets = [ws for ws in workbook.worksheets if hasattr(ws, "iter_rows")]  # chart sheets have no cells
    for worksheet in worksheets:
        where = _("Sheet “%(sheet)s” of %(name)s") % {"sheet": worksheet.title, "name": name}
        # Do not trust the stored dimensions (a wrong <dimension> would cut rows off): read what is there.
        worksheet.reset_dimensions()
        head = worksheet.iter_rows(min_row=1, max_row=HEADER_SCAN_ROWS, values_only=True)
        try:
            header, candidate, has_values = find_header(_guarded(head, where))
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
            columns=tuple(header.columns.values()),
        )
        parser = RowParser(header.columns, result, progress)
        rows = worksheet.iter_rows(min_row=header.row + 1, max_col=parser.width, values_only=True)
        parser.run(_guarded(rows, where), header.row + 1)
        _require_rows(result, where)
        return result
    if not any_data or best is None:
        raise ListFormatError(_("%(name)s is empty: no sheet has any data to import.") % {"name": name})
    raise header_error(best[0], True, best[1])


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
    # UTF-8 only. Read as Windows-1252 (Excel's plain "CSV"), a file of Polish names in Windows-1250, or a
    # UTF-8 file with one stray byte, gives "Politechnika £ódzka" or "MÃ¼nchen" without an error, and the
    # import renamed the verified records to that.
    data = data.removeprefix(codecs.BOM_UTF8)  # so that the error's position is the byte's in `data`
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as error:
        line = data[: error.start].count(b"\n") + 1
        raise ListFormatError(
            _(
                "%(name)s is not UTF-8 text (line %(line)d holds the byte 0x%(byte)02X): save it as "
                "“CSV UTF-8”, or upload the Excel file (.xlsx) as the Commission publishes it."
            )
            % {"name": name, "line": line, "byte": data[error.start]}
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

    chosen: tuple[str, Header] | None = None
    best: Header | None = None
    unread: csv.Error | None = None
    for delimiter in (";", ",", "\t", "|"):
        try:
            head = list(itertools.islice(_csv_rows(text, delimiter), HEADER_SCAN_ROWS))
        except csv.Error as error:  # a field over the csv module's limit, an unclosed quote...
            unread = error
            continue
        header, candidate, _has_values = find_header(head)
        if header is not None:
            chosen = (delimiter, header)
            break
        if candidate is not None and (best is None or len(candidate.columns) > len(best.columns)):
            best = candidate
    if chosen is None and unread is not None:  # what stopped the reading says more than "no header"
        raise _unreadable(name, unread)
    if chosen is None:
        raise header_error(best, True, name)
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
    parser = RowParser(header.columns, result, progress)
    parser.run(_guarded(reader, name), header.row + 1)
    _require_rows(result, name)
    return result


def _csv_rows(text: str, delimiter: str) -> Iterator[list[str]]:
    return csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)


def _require_rows(result: ParsedList, where: str) -> None:
    """A list with a header and nothing usable under it would make every charter look withdrawn: refuse it."""
    if result.rows_read == 0:
        raise ListFormatError(
            _(
                "%(where)s has the expected columns but no rows of data under them "
                "(row %(row)s is the header)."
            )
            % {"where": where, "row": result.header_row}
        )
    if not result.holders:  # every row refused (a data row is a holder or refused)
        first = result.refused[0]
        raise ListFormatError(
            _(
                "%(where)s has %(rows)d rows of data but not one holder could be read from them (row "
                "%(row)d: %(reason)s)."
            )
            % {"where": where, "rows": result.rows_read, "row": first.row, "reason": first.reason}
        )


def read_holder_list(
    source: Source, *, filename: str, progress: Callable[[int], None] | None = None
) -> ParsedList:
    """Parse a list of ECHE holders.

    ``source`` is a path or a binary file object (an upload); ``filename`` decides the format (``.xlsx`` or
    ``.csv``: UTF-8 with or without BOM, comma or semicolon separated, same header variants) and may carry the
    release date. ``progress(rows_done)`` is called every 500 rows of data (blank rows not counted) and once
    at the end, so a progress bar can move. Raises ListFormatError, with a user-facing message, when the file
    cannot be used.
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
