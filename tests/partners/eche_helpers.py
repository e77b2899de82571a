"""Shared helpers for the ECHE tests: the real lists, and a small list built on the fly."""

import datetime
from pathlib import Path
from unittest import mock

import openpyxl

from partners.eche.directory import DirectoryReport
from partners.eche.list_storage import eche_list_import

ECHE_DIR = Path(__file__).resolve().parents[2] / "partners" / "data" / "eche"
FILES = {
    "jul22": "accredited-heis-erasmus-2021-2027-jul22_en_0.xlsx",
    "nov23": "20231114_List_of_Accredited_HEIs_within_the_Erasmus__Programme_2021-2027.xlsx",
    "feb26": "List-Accredited-HEIs_within-Erasmus-Programme-2021-2027-10022026_0.xlsx",
    "apr26": "accredited-HEIs-Erasmus-2021-2027_08042026.xlsx",
}
APRIL_2026 = ECHE_DIR / FILES["apr26"]
HEADER = [
    "Erasmus Code",
    "PIC",
    "OID",
    "Legal Name",
    "City",
    "Country Cd",
    "Erasmus Eche Start",
    "Erasmus Eche End",
]
D = datetime.date


def write_rows(path: Path, header, rows) -> Path:
    """A workbook of one sheet: the header, then the rows as given."""
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(header)
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def write_list(path: Path, holders) -> Path:
    """holders: (code, pic, oid, name, country, start, end) tuples."""
    rows = [
        (code, pic, oid, name, "City", country, start, end)
        for code, pic, oid, name, country, start, end in holders
    ]
    return write_rows(path, HEADER, rows)


def import_list(path: Path, *, records: bool = False, shorter_accepted: bool = True, **kwargs):
    """Import a list as the admin does. Most ECHE tests check holders against organisations they make
    themselves, so by default the holders do not become directory records; ``records=True`` makes them
    records too, as every real import does (tests/partners/test_eche_directory.py). The tests' lists are a
    few rows each, in any order of length: a much shorter list is accepted unless a test says otherwise."""
    kwargs["shorter_accepted"] = shorter_accepted
    if records:
        eche_list, _parsed = eche_list_import(source=path, filename=path.name, **kwargs)
        return eche_list
    with mock.patch("partners.eche.list_storage.directory_records_update", return_value=DirectoryReport()):
        eche_list, _parsed = eche_list_import(source=path, filename=path.name, **kwargs)
    return eche_list
