"""The parser of the Commission's list of ECHE holders, on the four real releases and on broken inputs.

Pure: no database. Each real file is parsed once per module.
"""

import datetime
import io
import zipfile
from pathlib import Path

import openpyxl
import pytest
from django_countries import countries

from partners.codes import OID_RE, PIC_RE, normalise_erasmus_code
from partners.eche.list_cells import publication_date_from_name
from partners.eche.list_format import Holder, ListFormatError, ParsedList
from partners.eche.list_reader import read_holder_list

D = datetime.date
ECHE_DIR = Path(__file__).resolve().parents[2] / "partners" / "data" / "eche"
FILES = {
    "jul22": "accredited-heis-erasmus-2021-2027-jul22_en_0.xlsx",
    "nov23": "20231114_List_of_Accredited_HEIs_within_the_Erasmus__Programme_2021-2027.xlsx",
    "feb26": "List-Accredited-HEIs_within-Erasmus-Programme-2021-2027-10022026_0.xlsx",
    "apr26": "accredited-HEIs-Erasmus-2021-2027_08042026.xlsx",
}
HEADER_2026 = [
    "Proposal number",
    "Erasmus Code",
    "PIC",
    "OID",
    "Legal Name",
    "Street",
    "Post Cd",
    "City",
    "Country Cd",
    "Website Url",
    "Erasmus Eche Start",
    "Erasmus Eche End",
]


@pytest.fixture(scope="module")
def lists() -> dict[str, ParsedList]:
    return {key: read_holder_list(ECHE_DIR / name, filename=name) for key, name in FILES.items()}


def by_code(parsed: ParsedList, code: str) -> list[Holder]:
    return [h for h in parsed.holders if h.erasmus_code_normalised == code]


def one(parsed: ParsedList, code: str) -> Holder:
    found = by_code(parsed, code)
    assert len(found) == 1, (code, found)
    return found[0]


def write_xlsx(path: Path, rows, *, title="Report 2") -> Path:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append(list(row))
    workbook.save(path)
    return path


def row_2026(
    code,
    pic="999994826",
    oid="E10209510",
    name="Uni",
    country="DE",
    start="01-01-2021",
    end="31-12-2029",
    city="Berlin",
):
    return ["101012444", code, pic, oid, name, "Street 1", "10000", city, country, "www.x.eu", start, end]


# ---------------------------------------------------------------------------------------------------------
# The four real releases


@pytest.mark.parametrize(
    ("key", "sheet", "header_row", "holders", "published"),
    [
        ("jul22", "Report 1", 1, 5206, D(2022, 7, 1)),
        ("nov23", "HEIs", 1, 5638, D(2023, 11, 14)),
        ("feb26", "Report 2", 2, 6136, D(2026, 2, 10)),
        ("apr26", "Report 2", 2, 6142, D(2026, 4, 8)),
    ],
)
def test_real_file_facts(lists, key, sheet, header_row, holders, published):
    parsed = lists[key]
    assert parsed.source_name == FILES[key]
    assert parsed.sheet == sheet
    assert parsed.header_row == header_row
    assert len(parsed.holders) == holders
    assert parsed.rows_read == holders  # trailing blank rows and the "Count:" footer are not data
    assert parsed.refused == []
    assert parsed.publication_date == published
    assert parsed.holders[0].row == header_row + 1


def test_april_2026_has_6142_holders(lists):
    assert len(lists["apr26"].holders) == 6142


@pytest.mark.parametrize("key", FILES)
def test_known_institutions(lists, key):
    parsed = lists[key]
    charter = (D(2021, 1, 1), D(2029, 12, 31))

    berlin = one(parsed, "D  BERLIN01")
    assert (berlin.legal_name, berlin.pic, berlin.oid, berlin.country) == (
        "FREIE UNIVERSITAET BERLIN",
        "999994826",
        "E10209510",
        "DE",
    )
    assert (berlin.start, berlin.end) == charter
    assert berlin.city == "BERLIN"

    athens = one(parsed, "G  ATHINE01")  # Country Cd "EL" (2023, 2026) or "Greece" (2022)
    assert (athens.legal_name, athens.pic, athens.oid, athens.country) == (
        "ETHNIKO KAI KAPODISTRIAKO PANEPISTIMIO ATHINON",
        "999643007",
        "E10208247",
        "GR",
    )
    assert (athens.start, athens.end) == charter

    sorbonne = one(parsed, "F  PARIS001")
    assert (sorbonne.legal_name, sorbonne.pic, sorbonne.oid, sorbonne.country) == (
        "UNIVERSITE PARIS I PANTHEON-SORBONNE",
        "999859123",
        "E10208788",
        "FR",
    )
    assert (sorbonne.start, sorbonne.end) == charter

    ankara = one(parsed, "TR ANKARA01")  # "Turkey" in 2022
    assert (ankara.pic, ankara.country) == ("999867659", "TR")


def test_known_rows_in_april_2026(lists):
    parsed = lists["apr26"]
    assert one(parsed, "D  BERLIN01").row == 388
    assert one(parsed, "G  ATHINE01").row == 4459
    pristina = one(parsed, "XK PRISTIN05")  # Kosovo, no OID (blank cell), last row
    assert (pristina.row, pristina.country, pristina.oid, pristina.pic) == (6144, "XK", "", "968666930")
    assert pristina.start == D(2024, 6, 26)


def test_november_2023_text_dates_and_numeric_cells(lists):
    parsed = lists["nov23"]
    baden = one(parsed, "A  BADEN01")  # dates as "01-01-2021" text, PIC as text
    assert (baden.start, baden.end, baden.pic) == (D(2021, 1, 1), D(2029, 12, 31), "948821603")
    murcia = one(parsed, "E  MURCIA82")  # row 1826: PIC as a number, dates as real dates, OID "#N/A"
    assert (murcia.row, murcia.pic, murcia.oid) == (1826, "946721747", "")
    assert (murcia.start, murcia.end) == (D(2023, 6, 30), D(2029, 12, 31))


def test_july_2022_numeric_pics_and_country_names(lists):
    parsed = lists["jul22"]
    assert all(PIC_RE.match(h.pic) for h in parsed.holders)  # PICs are numbers in that file
    assert {h.country for h in parsed.holders} >= {"AT", "CZ", "GR", "MK", "TR", "RS", "NL", "LI"}


@pytest.mark.parametrize("key", FILES)
def test_every_country_is_known(lists, key):
    for holder in lists[key].holders:
        assert holder.country == "XK" or holder.country in countries, holder


def test_overseas_countries_kept_as_iso(lists):
    parsed = lists["feb26"]
    assert one(parsed, "F  NOUMEA03").country == "NC"
    assert one(parsed, "F  ST-DENI19").country == "RE"


@pytest.mark.parametrize(
    ("key", "empty_oids"), [("jul22", 86), ("nov23", 321), ("feb26", 145), ("apr26", 131)]
)
def test_missing_oids_are_empty(lists, key, empty_oids):
    parsed = lists[key]
    assert sum(1 for h in parsed.holders if not h.oid) == empty_oids
    assert all(h.oid == "" or OID_RE.match(h.oid) for h in parsed.holders)
    assert all(PIC_RE.match(h.pic) for h in parsed.holders)


def test_not_found_and_na_oids(lists):
    assert one(lists["jul22"], "CZ PRAHA28").oid == ""  # "Not Found"
    assert one(lists["nov23"], "E  MURCIA82").oid == ""  # "#N/A"
    assert one(lists["feb26"], "E  MURCIA82").oid == "E10125889"  # found later


def test_non_breaking_spaces_in_codes(lists):
    # February 2026 writes most codes "A\xa0 BADEN01".
    parsed = lists["feb26"]
    assert not any("\xa0" in h.erasmus_code for h in parsed.holders)
    baden = one(parsed, "A  BADEN01")
    assert (baden.erasmus_code, baden.code_irregular, baden.row) == ("A  BADEN01", False, 3)
    for key in FILES:
        for holder in lists[key].holders:
            assert holder.erasmus_code_normalised == normalise_erasmus_code(holder.erasmus_code)


def test_april_2026_five_charters_end_31_october_2026(lists):
    ending = {h.erasmus_code_normalised for h in lists["apr26"].holders if h.end == D(2026, 10, 31)}
    assert ending == {"DK KOBENHA63", "E  BARCELO300", "E  MALAGA66", "F  LE-PORT03", "F  LYON141"}
    assert min(h.end for h in lists["apr26"].holders) == D(2026, 10, 31)


@pytest.mark.parametrize(
    ("key", "irregular"),
    [
        ("apr26", {768: "DK FREDERICIA 01", 3786: "F  PARIS 063", 4410: "F  VERDUN1"}),
        ("feb26", {770: "DK FREDERICIA 01", 2447: "E  TOLEDO3", 3796: "F  PARIS 063", 4421: "F  VERDUN1"}),
        (
            "nov23",
            {
                2128: "E  TARRAGO1",
                3423: "F  PARIS 063",
                3981: "F  VERDUN1",
                4469: "IRL SETU01",
                4470: "IRL SHANNON02",
                4471: "IRL SLIGO03",
                5632: "Transitory Charter",
            },
        ),
        (
            "jul22",
            {
                208: "CY  NICOSIA34",
                245: "CZ  PRAHA28",
                246: "CZ  PRAHA42",
                2262: "E AVILA11",
                2286: "F   RENNES62",
                3596: "F  VERDUN1",
                3618: "F BORDEAU45",
                4766: "RS  BELGRAD01",
                4767: "RS  BELGRAD02",
                4768: "RS  BELGRAD05",
                4769: "RS  BELGRAD09",
                4770: "RS  BELGRAD10",
                4771: "RS  NOVISAD04",
                4772: "RS  VRSAC01",
            },
        ),
    ],
)
def test_irregular_codes_are_imported_with_a_warning(lists, key, irregular):
    parsed = lists[key]
    assert {h.row: h.erasmus_code for h in parsed.holders if h.code_irregular} == irregular
    code_warnings = {
        w.row for w in parsed.warnings if w.reason.startswith("Erasmus code") and "pattern" in w.reason
    }
    assert code_warnings == set(irregular)


def test_irregular_code_warning_text(lists):
    reasons = {w.row: w.reason for w in lists["apr26"].warnings}
    assert reasons[768] == (
        "Erasmus code “DK FREDERICIA 01” does not follow the usual pattern (normalised: “DK FREDERICIA01”)"
    )
    assert reasons[4410] == "Erasmus code “F  VERDUN1” does not follow the usual pattern"
    paris = one(lists["apr26"], "F  PARIS063")
    assert (paris.erasmus_code, paris.code_irregular) == ("F  PARIS 063", True)


def test_duplicates_are_warned(lists):
    reasons = [(w.row, w.reason) for w in lists["nov23"].warnings]
    assert (1738, "Erasmus code “E  MALAGA29” is also on row 1737") in reasons
    assert (2136, "PIC 940787675 is also on row 2128") in reasons
    assert len(by_code(lists["nov23"], "E  MALAGA29")) == 2  # both kept: matching decides


# ---------------------------------------------------------------------------------------------------------
# Generated spreadsheets: refused rows, warnings, formats


def test_refused_rows_are_reported_with_row_numbers(tmp_path):
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            [None] * 12,
            HEADER_2026,
            row_2026("D  BERLIN01"),
            row_2026(None, pic=None, oid="#N/A"),  # row 4
            [None, " ", None, "", None, "x", None, None, None, None, None, None],  # blank where it matters
            row_2026("D  BONN01", end="31-13-2026"),  # row 6
            row_2026("D  KOLN01", end=None),  # row 7
            row_2026("D  KOLN02", country="Atlantis"),  # row 8
            row_2026("D  KOLN03", country=None),  # row 9
            row_2026("D  KOLN04", start="someday"),  # row 10
            row_2026(None, pic="12", oid="Not Found"),  # row 11
            row_2026("d bonn02", pic="#N/A", oid="e10000001", start="2021/01/01"),  # row 12: irregular
            row_2026("D  KOLN05", pic="99999482", start="02/03/2021", end="2029-12-31"),  # row 13: bad PIC
            ["Count:"] + [None] * 11,
        ],
    )
    parsed = read_holder_list(path, filename="list.xlsx")
    assert parsed.header_row == 2
    assert parsed.rows_read == 10
    assert [(p.row, p.reason) for p in parsed.refused] == [
        (4, "no Erasmus code, PIC or OID"),
        (6, "end date “31-13-2026” is not a date"),
        (7, "no end date"),
        (8, "unknown country “Atlantis”"),
        (9, "no country"),
        (10, "start date “someday” is not a date"),
        (11, "no Erasmus code, PIC or OID; PIC “12” is not nine digits: left out"),
    ]
    assert [h.row for h in parsed.holders] == [3, 12, 13]
    bonn = parsed.holders[1]
    assert (bonn.erasmus_code, bonn.erasmus_code_normalised, bonn.code_irregular) == (
        "d bonn02",
        "D  BONN02",
        True,
    )
    assert (bonn.pic, bonn.oid, bonn.start) == ("", "E10000001", D(2021, 1, 1))
    koln = parsed.holders[2]
    assert (koln.pic, koln.start, koln.end) == ("", D(2021, 3, 2), D(2029, 12, 31))
    assert [(w.row, w.reason) for w in parsed.warnings] == [
        (12, "Erasmus code “d bonn02” does not follow the usual pattern (normalised: “D  BONN02”)"),
        (13, "PIC “99999482” is not nine digits: left out"),
    ]


def test_dates_outside_a_charters_years_are_refused(tmp_path):
    """A year typed as a number is Excel's day 2021, in 1905: refused as no date, never a charter of 1905
    (which made TU Berlin's charter expired)."""
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            HEADER_2026,
            row_2026("D  BERLIN01", start=2021, end=2029),  # row 2
            row_2026("D  BONN01", start=datetime.datetime(1905, 7, 13)),  # noqa: DTZ001 - row 3, as openpyxl reads it
            row_2026("D  KOLN01", end="31-12-2201"),  # row 4
            row_2026("D  KOLN02", start=44197, end=datetime.date(2029, 12, 31)),  # row 5: 2021-01-01, kept
        ],
    )
    parsed = read_holder_list(path, filename="list.xlsx")
    assert [(p.row, p.reason) for p in parsed.refused] == [
        (
            2,
            "start date “2021” is no date a charter can have (it reads as 1905-07-13; charters fall in "
            "1987-2100); end date “2029” is no date a charter can have (it reads as 1905-07-21; charters "
            "fall in 1987-2100)",
        ),
        (
            3,
            "start date “1905-07-13 00:00:00” is no date a charter can have (it reads as 1905-07-13; "
            "charters fall in 1987-2100)",
        ),
        (
            4,
            "end date “31-12-2201” is no date a charter can have (it reads as 2201-12-31; charters fall in "
            "1987-2100)",
        ),
    ]
    assert [(h.row, h.start, h.end) for h in parsed.holders] == [(5, D(2021, 1, 1), D(2029, 12, 31))]


def test_values_longer_than_a_holder_keeps_are_left_out_or_cut_and_said(tmp_path):
    """A code cut to 40 characters would be another code: it is left out. A name or city is cut, and the
    summary says so (the storage cut all three without a word)."""
    long_code = "PL " + "Z" * 102
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            HEADER_2026,
            row_2026(long_code),  # row 2: the PIC and OID still identify it
            row_2026("D  BONN01", pic="999994827", oid="E10209511", name="N" * 600, city="C" * 300),  # row 3
            row_2026("D " + "B" * 38, pic="999994828", oid="E10209512"),  # row 4: 40, but 41 normalised
        ],
    )
    parsed = read_holder_list(path, filename="list.xlsx")
    assert [(p.row, p.reason) for p in parsed.warnings] == [
        (2, f"Erasmus code “{long_code[:40]}…” is longer than 40 characters: left out"),
        (3, "legal name cut to its first 500 characters (it has 600)"),
        (3, "city cut to its first 200 characters (it has 300)"),
        (4, f"Erasmus code “D {'B' * 38}…” is longer than 40 characters: left out"),
    ]
    first, second, third = parsed.holders
    assert third.erasmus_code_normalised == ""
    assert (first.erasmus_code, first.erasmus_code_normalised, first.pic) == ("", "", "999994826")
    assert (len(second.legal_name), len(second.city)) == (500, 200)


def test_a_file_of_more_rows_than_any_list_is_refused(tmp_path, monkeypatch):
    """A small workbook can hold 700,000 rows (an upload's request read them for 207 s): past MAX_ROWS rows of
    data (50,000; the real lists hold about 6,000) the file is refused, whatever the rows hold."""
    from partners.eche import list_rows

    monkeypatch.setattr(list_rows, "MAX_ROWS", 5)
    rows = [HEADER_2026] + [row_2026(f"D  BONN{index:02d}") for index in range(5)]
    read_holder_list(write_xlsx(tmp_path / "five.xlsx", rows), filename="five.xlsx")  # up to it: read
    rows.append([None] * 11 + ["x"])
    with pytest.raises(ListFormatError, match="more than 5 rows of data"):
        read_holder_list(write_xlsx(tmp_path / "six.xlsx", rows), filename="six.xlsx")


def test_the_data_ends_after_a_long_run_of_empty_rows(tmp_path, monkeypatch):
    """A sheet formatted down to its last row, or filled far to the right of the list's columns, holds no
    more list after a long run of rows empty in the list's columns: the reading stops there, quickly."""
    from partners.eche import list_rows

    monkeypatch.setattr(list_rows, "BLANK_ROWS_ENDING_THE_DATA", 3)
    blank = [None] * 12 + ["far to the right"]
    rows = [HEADER_2026, row_2026("D  BONN01"), blank, blank, row_2026("D  BONN02"), blank, blank, blank]
    rows.append(row_2026("D  BONN03"))
    parsed = read_holder_list(write_xlsx(tmp_path / "list.xlsx", rows), filename="list.xlsx")
    assert [holder.erasmus_code for holder in parsed.holders] == ["D  BONN01", "D  BONN02"]


def test_formulas_with_no_saved_result_refuse_the_file(tmp_path):
    """openpyxl writes formulas without computing them, as some scripts and exports do: read as data they are
    empty, and a PIC made by a formula vanished without a word. A saved result is read as usual."""
    rows = [HEADER_2026, row_2026("D  BERLIN01"), row_2026("D  BONN01", pic="=999994827", end="=A1")]
    path = write_xlsx(tmp_path / "computed-by-nobody.xlsx", rows)
    with pytest.raises(ListFormatError, match=r"cells C3, L3 hold formulas with no saved result"):
        read_holder_list(path, filename="computed-by-nobody.xlsx")

    # The same formulas with the results a spreadsheet program saves beside them.
    saved = tmp_path / "saved.xlsx"
    with zipfile.ZipFile(path) as source, zipfile.ZipFile(saved, "w") as target:
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>999994827</f><v />", b"<f>999994827</f><v>999994827</v>")
                data = data.replace(b"<f>A1</f><v />", b"<f>A1</f><v>47483</v>")  # 31 December 2029
            target.writestr(item, data)
    bonn = read_holder_list(saved, filename="saved.xlsx").holders[1]
    assert (bonn.pic, bonn.end) == ("999994827", D(2029, 12, 31))


def test_formulas_the_list_does_not_read_or_with_an_empty_result_are_read(tmp_path):
    """A formula in a column of the user's own (a note) is not the import's concern, and one whose saved
    result is empty (`<v></v>`, a formula giving "") has its result: neither refuses the file."""
    rows = [[*HEADER_2026, "Note"], [*row_2026("D  BERLIN01"), "=1+1"], [*row_2026("D  BONN01"), None]]
    path = write_xlsx(tmp_path / "notes.xlsx", rows)
    assert len(read_holder_list(path, filename="notes.xlsx").holders) == 2

    emptied = tmp_path / "emptied.xlsx"
    rows[2][7] = "=A1"  # the city, computed to ""
    with (
        zipfile.ZipFile(write_xlsx(tmp_path / "street.xlsx", rows)) as source,
        zipfile.ZipFile(emptied, "w") as target,
    ):
        for item in source.infolist():
            data = source.read(item)
            if item.filename == "xl/worksheets/sheet1.xml":
                data = data.replace(b"<f>A1</f><v />", b"<f>A1</f><v></v>").replace(
                    b"<f>1+1</f><v />", b"<f>1+1</f><v>2</v>"
                )
            target.writestr(item, data)
    assert len(read_holder_list(emptied, filename="emptied.xlsx").holders) == 2


def test_cell_types_and_header_spellings(tmp_path):
    header = [
        "Proposal Number",
        "Eramus\xa0Code",
        "Pic",
        "OID",
        "Organisation Legal Name",
        "Postal Code",
        "Country",
        " Eche Start",
        "ECHE End Date",
    ]  # no City column: optional
    path = write_xlsx(
        tmp_path / "list.xlsx",
        [
            header,
            [
                1,
                "G\xa0 ATHINE01 ",
                999643007,
                "E10208247",
                "ETHNIKO",
                "1",
                "Greece",
                datetime.datetime(2021, 1, 1),  # noqa: DTZ001 - spreadsheets hold naive datetimes
                datetime.datetime(2029, 12, 31),  # noqa: DTZ001
            ],
            [2, "UK LONDON01", 999643008.0, None, "LONDON", "1", "UK", 44197, "31.12.2029"],
            [3, "XK PRISTIN05", "968666930", None, "PRISHTINA", "1", "Kosovo", D(2024, 6, 26), "2029-12-31"],
            [4, "TR ANKARA01", "999867659", None, "ANKARA", "1", "Türkiye", None, "31/12/2029"],
            [5, "EL ATHINE02", "999867658", None, "X", "1", "EL", None, "31-12-2029"],
        ],
        title="HEIs",
    )
    parsed = read_holder_list(path, filename="list.xlsx")
    assert parsed.refused == []
    athens, london, pristina, ankara, greek = parsed.holders
    assert (athens.erasmus_code, athens.erasmus_code_normalised, athens.code_irregular) == (
        "G  ATHINE01",
        "G  ATHINE01",
        False,
    )
    assert (athens.pic, athens.country, athens.city, athens.start) == ("999643007", "GR", "", D(2021, 1, 1))
    assert (london.pic, london.country, london.start, london.end) == (
        "999643008",
        "GB",
        D(2021, 1, 1),
        D(2029, 12, 31),
    )
    assert (pristina.country, pristina.start) == ("XK", D(2024, 6, 26))
    assert (ankara.country, ankara.start, ankara.end) == ("TR", None, D(2029, 12, 31))
    assert greek.country == "GR"


def test_progress_is_reported(tmp_path):
    rows = [HEADER_2026] + [row_2026(f"D  BERLIN{i:03d}", pic=str(900000000 + i)) for i in range(1200)]
    path = write_xlsx(tmp_path / "big.xlsx", rows)
    calls = []
    parsed = read_holder_list(path, filename="big.xlsx", progress=calls.append)
    assert calls == [500, 1000, 1200]
    assert len(parsed.holders) == 1200


def test_binary_file_objects(tmp_path):
    path = write_xlsx(tmp_path / "l.xlsx", [HEADER_2026, row_2026("D  BERLIN01")])
    data = path.read_bytes()

    stream = io.BytesIO(data)
    stream.read(10)  # an upload someone already looked at
    assert len(read_holder_list(stream, filename="upload.xlsx").holders) == 1

    class NotSeekable(io.RawIOBase):
        def __init__(self):
            self.inner = io.BytesIO(data)

        def readable(self):
            return True

        def seekable(self):
            return False

        def readinto(self, buffer):
            chunk = self.inner.read(len(buffer))
            buffer[: len(chunk)] = chunk
            return len(chunk)

    parsed = read_holder_list(NotSeekable(), filename="accredited-HEIs-Erasmus-2021-2027_08042026.xlsx")
    assert len(parsed.holders) == 1
    assert parsed.publication_date == D(2026, 4, 8)


# ---------------------------------------------------------------------------------------------------------
# CSV


CSV_ROWS = [
    "Proposal Number;Eramus Code;Pic;OID;Legal Name;City;Country Cd;Erasmus Eche Start;Erasmus Eche End",
    "101012444;A\xa0 BADEN01;948821603;E10054064;PAEDAGOGISCHE HOCHSCHULE NIEDERÖSTERREICH;Baden;AT;"
    "01-01-2021;31-12-2029",
    ";;;;;;;;",
    '101012445;G  ATHINE01;999643007;#N/A;"ETHNIKO; KAI";ATHINA;EL;01-01-2021;31-12-2029',
    "101012446;;;Not Found;Nobody;X;FR;01-01-2021;31-12-2029",
]


def test_csv_semicolon_with_bom():
    data = "\ufeff" + "\r\n".join(CSV_ROWS) + "\r\n"
    parsed = read_holder_list(io.BytesIO(data.encode("utf-8")), filename="eche_08042026.csv")
    assert (parsed.header_row, parsed.rows_read, parsed.sheet) == (1, 3, "")
    assert parsed.publication_date == D(2026, 4, 8)
    baden, athens = parsed.holders
    assert (baden.row, baden.erasmus_code, baden.pic, baden.oid, baden.country) == (
        2,
        "A  BADEN01",
        "948821603",
        "E10054064",
        "AT",
    )
    assert baden.legal_name == "PAEDAGOGISCHE HOCHSCHULE NIEDERÖSTERREICH"
    assert (athens.row, athens.oid, athens.country, athens.legal_name) == (4, "", "GR", "ETHNIKO; KAI")
    assert [(p.row, p.reason) for p in parsed.refused] == [(5, "no Erasmus code, PIC or OID")]


def test_csv_comma_without_bom_from_path(tmp_path):
    rows = [line.replace(";", ",") for line in CSV_ROWS]
    path = tmp_path / "list.csv"
    path.write_bytes(("\n".join(rows) + "\n").encode("utf-8"))
    parsed = read_holder_list(path, filename="list.csv")
    assert [h.erasmus_code for h in parsed.holders] == ["A  BADEN01", "G  ATHINE01"]
    assert parsed.holders[1].legal_name == "ETHNIKO, KAI"


STRAY_BYTE = ("\r\n".join(CSV_ROWS[:2]) + "\r\n").encode() + b"X;1;Caf\xe9\r\n"  # UTF-8 but for one byte


@pytest.mark.parametrize(
    ("data", "line", "byte"),
    [
        ("\r\n".join(CSV_ROWS[:2]).replace("\xa0", " ").encode("cp1252"), 2, "D6"),  # Excel's plain "CSV"
        (STRAY_BYTE, 3, "E9"),
        (b"\xef\xbb\xbf" + STRAY_BYTE, 3, "E9"),  # Excel's "CSV UTF-8" starts with a byte-order mark
    ],
    ids=["windows-1252", "utf-8-with-a-stray-byte", "the-same-after-a-byte-order-mark"],
)
def test_csv_that_is_not_utf8_is_refused(data, line, byte):
    """Guessing another encoding garbles names without an error ("MÃ¼nchen"): the file is refused, naming
    the line and the byte, and nothing is read."""
    with pytest.raises(ListFormatError, match=rf"is not UTF-8 text \(line {line} holds the byte 0x{byte}\)"):
        read_holder_list(io.BytesIO(data), filename="list.csv")


def test_csv_wrong_header():
    with pytest.raises(ListFormatError, match="no column for OID"):
        read_holder_list(
            io.BytesIO(b"Erasmus Code;PIC;Legal name;Country;Eche Start;Eche End\n"), filename="x.csv"
        )


@pytest.mark.parametrize("row", [2, 30])
def test_csv_with_a_field_past_the_csv_modules_limit_says_so(row):
    """A name of 140,000 characters in row 2 was "does not look like the list of ECHE holders: none of its
    first 10 rows names the expected columns"; after row 10 the reason ran into the next sentence."""
    rows = [CSV_ROWS[0]] + [CSV_ROWS[1]] * 40
    rows[row - 1] = rows[row - 1].replace("PAEDAGOGISCHE", "P" * 140_000)
    with pytest.raises(ListFormatError) as caught:
        read_holder_list(io.BytesIO("\r\n".join(rows).encode()), filename="long.csv")
    said = str(caught.value)
    assert "could not be read to the end" in said and said.endswith("field larger than field limit (131072).")


def test_csv_empty():
    with pytest.raises(ListFormatError, match="is empty"):
        read_holder_list(io.BytesIO(b"\xef\xbb\xbf\r\n"), filename="x.csv")


# ---------------------------------------------------------------------------------------------------------
# Broken inputs


def test_truncated_xlsx():
    data = (ECHE_DIR / FILES["apr26"]).read_bytes()
    with pytest.raises(ListFormatError, match="could not be opened as an Excel workbook") as caught:
        read_holder_list(io.BytesIO(data[: len(data) // 2]), filename="half.xlsx")
    assert "“half.xlsx”" in str(caught.value)


def test_truncated_sheet_inside_a_valid_zip(tmp_path):
    source = write_xlsx(tmp_path / "ok.xlsx", [HEADER_2026] + [row_2026("D  BERLIN01")] * 300)
    damaged = tmp_path / "damaged.xlsx"
    with zipfile.ZipFile(source) as zin, zipfile.ZipFile(damaged, "w") as zout:
        for item in zin.infolist():
            content = zin.read(item.filename)
            if item.filename == "xl/worksheets/sheet1.xml":
                content = content[: len(content) // 2]
            zout.writestr(item, content)
    with pytest.raises(ListFormatError, match="damaged or truncated"):
        read_holder_list(damaged, filename="damaged.xlsx")


def test_text_file_named_xlsx(tmp_path):
    path = tmp_path / "list.xlsx"
    path.write_text("Erasmus Code,PIC\nD  BERLIN01,999994826\n")
    with pytest.raises(ListFormatError, match="not an Excel file"):
        read_holder_list(path, filename="list.xlsx")


def test_empty_workbook(tmp_path):
    path = tmp_path / "empty.xlsx"
    openpyxl.Workbook().save(path)
    with pytest.raises(ListFormatError, match=r"“empty\.xlsx” is empty"):
        read_holder_list(path, filename="empty.xlsx")


def test_header_without_rows_is_refused(tmp_path):
    # Importing it would make every charter look withdrawn.
    path = write_xlsx(tmp_path / "h.xlsx", [[None], HEADER_2026, [None] * 12, ["Count:"]])
    with pytest.raises(ListFormatError, match=r"no rows of data under them \(row 2 is the header\)"):
        read_holder_list(path, filename="h.xlsx")


def test_a_list_whose_every_row_is_refused_is_refused(tmp_path):
    # Importing it would make every charter look withdrawn, as an empty list would.
    path = write_xlsx(tmp_path / "r.xlsx", [HEADER_2026, row_2026("D  BERLIN01", country="Atlantis")])
    with pytest.raises(
        ListFormatError, match=r"has 1 rows of data but not one holder could be read .*row 2: "
    ):
        read_holder_list(path, filename="r.xlsx")


def test_most_specific_header_wins(tmp_path):
    header = [
        "Name",
        "Erasmus Code",
        "PIC",
        "OID",
        "Legal Name",
        "Country",
        "Start",
        "ECHE Start",
        "ECHE End",
    ]
    path = write_xlsx(
        tmp_path / "s.xlsx",
        [header, ["Ada", "D  BERLIN01", "999994826", "", "FU", "DE", "x", "01-01-2021", "31-12-2029"]],
    )
    holder = read_holder_list(path, filename="s.xlsx").holders[0]
    assert (holder.legal_name, holder.start) == ("FU", D(2021, 1, 1))


def test_wrong_headers(tmp_path):
    path = write_xlsx(
        tmp_path / "w.xlsx", [["Name", "Surname", "Email"], ["Ada", "Lovelace", "ada@example.org"]]
    )
    with pytest.raises(ListFormatError) as caught:
        read_holder_list(path, filename="w.xlsx")
    message = str(caught.value)
    assert "does not look like the list of ECHE holders" in message
    assert "Erasmus code, PIC, OID" in message
    assert "Columns found: “Name”, “Surname”, “Email”" in message


def test_unrecognisable_headers(tmp_path):
    path = write_xlsx(tmp_path / "w.xlsx", [["a", "b"], [1, 2]])
    with pytest.raises(ListFormatError, match="none of its first 10 rows names the expected columns"):
        read_holder_list(path, filename="w.xlsx")


def test_missing_columns_are_named(tmp_path):
    header = [h for h in HEADER_2026 if h not in ("OID", "Erasmus Eche End")]
    path = write_xlsx(tmp_path / "m.xlsx", [[None] * 10, header])
    with pytest.raises(ListFormatError) as caught:
        read_holder_list(path, filename="m.xlsx")
    message = str(caught.value)
    assert "the header (row 2) has no column for OID, ECHE end date" in message
    assert "“Erasmus Code”" in message


def test_header_found_on_a_later_sheet(tmp_path):
    workbook = openpyxl.Workbook()
    workbook.active.title = "Notes"
    workbook.active.append(["Published by the European Commission"])
    sheet = workbook.create_sheet("HEIs")
    sheet.append(HEADER_2026)
    sheet.append(row_2026("D  BERLIN01"))
    workbook.save(tmp_path / "two.xlsx")
    parsed = read_holder_list(tmp_path / "two.xlsx", filename="two.xlsx")
    assert (parsed.sheet, len(parsed.holders)) == ("HEIs", 1)


@pytest.mark.parametrize(
    ("filename", "message"),
    [
        ("list.xls", "old Excel 97-2003 format"),
        ("list.pdf", "neither an Excel workbook"),
        ("list", "neither"),
    ],
)
def test_unsupported_file_types(filename, message):
    with pytest.raises(ListFormatError, match=message):
        read_holder_list(io.BytesIO(b"whatever"), filename=filename)


def test_list_format_error_is_a_value_error():
    assert issubclass(ListFormatError, ValueError)


# ---------------------------------------------------------------------------------------------------------
# Release date from the file name


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (FILES["apr26"], D(2026, 4, 8)),
        (FILES["feb26"], D(2026, 2, 10)),
        (FILES["nov23"], D(2023, 11, 14)),
        (FILES["jul22"], D(2022, 7, 1)),
        ("eche-2026-04-08.xlsx", D(2026, 4, 8)),
        ("eche_08-04-2026.xlsx", D(2026, 4, 8)),
        ("eche-list-December2025.xlsx", D(2025, 12, 1)),
        ("/uploads/tmp/accredited-HEIs-Erasmus-2021-2027.xlsx", None),
        ("eche.xlsx", None),
        ("eche_99999999.xlsx", None),
    ],
)
def test_publication_date_from_name(name, expected):
    assert publication_date_from_name(name) == expected
