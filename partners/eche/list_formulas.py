"""Formulas with no saved result in a workbook: openpyxl reads the value a spreadsheet program saved with each
formula, and a file written by a program that computes none (a script, some exports) has none to read.

Such a cell reads as empty, so a PIC or an Erasmus code made by a formula would vanish without a word. Pure:
reads the workbook's XML (only the sheet the list is on), never the database.
"""

import posixpath
import re
import zipfile
from collections.abc import Iterable
from typing import IO
from xml.etree import ElementTree

from openpyxl.utils import get_column_letter

_MAIN = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_DOCUMENT_RELATIONSHIPS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
_PACKAGE_RELATIONSHIPS = "{http://schemas.openxmlformats.org/package/2006/relationships}"
# A cell with content (`<c r="B5" ...>...</c>`, not `<c r="B5"/>`), its formula (`<f>`) and its saved value.
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?<!/)>(.*?)</(?:\w+:)?c>", re.S)
_REFERENCE = re.compile(rb"""\br=["']([A-Z]+)([0-9]+)["']""")
_FORMULA = re.compile(rb"<(?:\w+:)?f[\s>/]")
# A saved result, even an empty one (`<v></v>`: a formula giving ""); not `<v/>`, what openpyxl writes.
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?(?<!/)>")


def formulas_without_values(
    stream: IO[bytes], sheet: str, below_row: int, columns: Iterable[int]
) -> list[str]:
    """The cells ("B5") under `below_row`, in the 0-based `columns`, of the sheet named `sheet` that hold a
    formula and no saved result (a formula in a column the list does not use is not the import's concern).

    An empty list too when the workbook's parts are not where the format puts them (openpyxl read it anyway).
    """
    try:
        with zipfile.ZipFile(stream) as archive:
            xml = archive.read(_sheet_path(archive, sheet))
    except (KeyError, StopIteration, ElementTree.ParseError, zipfile.BadZipFile):
        return []
    if not _FORMULA.search(xml):  # the usual case: one quick look
        return []
    letters = {get_column_letter(index + 1).encode() for index in columns}
    found = []
    for attributes, content in _CELL.findall(xml):
        reference = _REFERENCE.search(attributes)
        read = reference is not None and reference.group(1) in letters and int(reference.group(2)) > below_row
        if read and _FORMULA.search(content) and not _VALUE.search(content):
            found.append(b"".join(reference.groups()).decode())
    return found


def _sheet_path(archive: zipfile.ZipFile, sheet: str) -> str:
    """The part holding the sheet named `sheet`: its relationship id in the workbook, that id's target."""
    workbook = ElementTree.fromstring(archive.read("xl/workbook.xml"))
    relationship = next(
        element.get(f"{_DOCUMENT_RELATIONSHIPS}id")
        for element in workbook.iter(f"{_MAIN}sheet")
        if element.get("name") == sheet
    )
    relationships = ElementTree.fromstring(archive.read("xl/_rels/workbook.xml.rels"))
    target = next(
        element.get("Target")
        for element in relationships.iter(f"{_PACKAGE_RELATIONSHIPS}Relationship")
        if element.get("Id") == relationship
    )
    return target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join("xl", target))
