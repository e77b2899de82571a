"""Importing the Commission's list into the registry: the four real lists, and broken files that change
nothing."""

import io
import zipfile

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from partners.eche.list_format import ListFormatError
from partners.models import EcheHolder, EcheList, Organisation
from partners.selectors import organisation_search
from tests.factories import UserFactory

from .eche_helpers import APRIL_2026, ECHE_DIR, FILES, D, import_list, write_list

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("key", "holders", "published"),
    [
        ("jul22", None, D(2022, 7, 1)),
        ("nov23", None, D(2023, 11, 14)),
        ("feb26", None, D(2026, 2, 10)),
        ("apr26", 6142, D(2026, 4, 8)),
    ],
)
def test_each_real_list_is_imported(key, holders, published):
    eche_list = import_list(ECHE_DIR / FILES[key])

    assert eche_list.is_current
    assert eche_list.publication_date == published
    assert eche_list.holders_count == EcheHolder.objects.filter(list=eche_list).count() > 4000
    assert eche_list.rows_read == eche_list.holders_count + eche_list.refused_count
    if holders is not None:
        assert eche_list.holders_count == holders


def test_april_2026_known_institutions_and_greece():
    user = UserFactory()
    eche_list = import_list(APRIL_2026, user=user)

    assert eche_list.imported_by == user
    tub = EcheHolder.objects.get(list=eche_list, erasmus_code_normalised="D  BERLIN02")
    assert tub.country == "DE"
    assert tub.end >= D(2027, 12, 31)
    aalto = EcheHolder.objects.get(list=eche_list, erasmus_code_normalised="SF ESPOO12")
    assert aalto.country == "FI"
    greek = EcheHolder.objects.filter(list=eche_list, erasmus_code_normalised__startswith="G  ")
    assert greek.exists()
    assert set(greek.values_list("country", flat=True)) == {"GR"}  # EL in the file
    assert EcheHolder.objects.filter(list=eche_list, country="GR").count() == greek.count()


def test_a_new_import_replaces_the_current_list_atomically():
    first = import_list(ECHE_DIR / FILES["feb26"])
    second = import_list(APRIL_2026)

    first.refresh_from_db()
    assert not first.is_current and second.is_current
    assert EcheList.objects.filter(is_current=True).get() == second
    # Only the current list's holders are kept; the earlier import stays as history.
    assert not EcheHolder.objects.filter(list=first).exists()
    assert EcheHolder.objects.count() == 6142


@pytest.mark.parametrize(
    "make_file",
    [
        pytest.param(lambda p: _write(p, APRIL_2026.read_bytes()[:40_000]), id="truncated-xlsx"),
        pytest.param(
            lambda p: write_list(p, []) and _rewrite_header(p, ["Name", "Address", "Phone"]),
            id="wrong-headers",
        ),
        pytest.param(lambda p: write_list(p, []), id="header-only"),
        pytest.param(lambda p: _empty_workbook(p), id="empty"),
        pytest.param(lambda p: _write(p, b""), id="zero-bytes"),
        pytest.param(lambda p: _write(p, b"not a spreadsheet"), id="text-named-xlsx"),
    ],
)
def test_broken_files_are_refused_and_the_current_list_stays(tmp_path, make_file):
    current = import_list(write_list(tmp_path / "good.xlsx", [TUB]))
    path = make_file(tmp_path / "broken.xlsx")

    with pytest.raises(ListFormatError) as refused:
        import_list(path)

    assert "broken.xlsx" in str(refused.value)
    assert EcheList.objects.get(is_current=True) == current
    assert EcheList.objects.count() == 1
    assert EcheHolder.objects.filter(list=current).count() == 1


def test_a_truncated_real_list_leaves_the_real_current_list(tmp_path):
    current = import_list(ECHE_DIR / FILES["feb26"])
    path = _write(tmp_path / "accredited-truncated.xlsx", APRIL_2026.read_bytes()[:-5000])

    with pytest.raises(ListFormatError):
        import_list(path)

    assert EcheList.objects.get(is_current=True) == current
    assert EcheHolder.objects.filter(list=current).count() == current.holders_count


TUB = ("D  BERLIN02", "999986678", "E10209450", "TU Berlin", "DE", "01-01-2021", "31-12-2027")


def _write(path, data: bytes):
    path.write_bytes(data)
    return path


def _rewrite_header(path, header):
    import openpyxl

    workbook = openpyxl.Workbook()
    workbook.active.append(header)
    workbook.active.append(["x", "y", "z"])
    workbook.save(path)
    return path


def _empty_workbook(path):
    import openpyxl

    openpyxl.Workbook().save(path)
    return path


def test_rows_it_cannot_use_are_reported(tmp_path):
    path = write_list(
        tmp_path / "list.xlsx",
        [
            ("D  BERLIN02", "999986678", "E10209450", "TU Berlin", "DE", "01-01-2021", "31-12-2027"),
            ("", "", "", "Nobody", "DE", "01-01-2021", "31-12-2027"),
            ("F  PARIS999", "", "", "Somewhere", "Atlantis", "01-01-2021", "31-12-2027"),
            ("d berlin 99", "", "", "Odd code", "DE", "01-01-2021", "31-12-2027"),
        ],
    )
    eche_list = import_list(path)

    assert eche_list.holders_count == 2
    assert eche_list.refused_count == 2
    assert [p["row"] for p in eche_list.refused] == [3, 4]
    assert "no Erasmus code, PIC or OID" in eche_list.refused[0]["reason"]
    assert "Atlantis" in eche_list.refused[1]["reason"]
    assert any(w["row"] == 5 for w in eche_list.warnings)


def test_command_prints_a_summary(tmp_path, capsys):
    path = write_list(
        tmp_path / "list_08042026.xlsx",
        [
            ("D  BERLIN02", "999986678", "E10209450", "TU Berlin", "DE", "01-01-2021", "31-12-2027"),
            ("", "", "", "Nobody", "DE", "01-01-2021", "31-12-2027"),
        ],
    )
    out = io.StringIO()
    call_command("import_eche_list", str(path), stdout=out)

    text = out.getvalue()
    assert "Rows read:         2" in text
    assert "Holders imported:  1" in text
    assert "Rows refused:      1" in text
    assert "row 3: no Erasmus code, PIC or OID" in text
    assert "\r" not in text  # no progress line when the output is not a terminal
    assert EcheList.objects.get(is_current=True).publication_date == D(2026, 4, 8)


def test_command_refuses_a_broken_file_and_keeps_the_list(tmp_path):
    current = import_list(write_list(tmp_path / "good.xlsx", [TUB]))
    path = tmp_path / "broken.xlsx"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("hello.txt", "not a workbook")

    with pytest.raises(CommandError, match="current list is unchanged"):
        call_command("import_eche_list", str(path), stdout=io.StringIO())

    assert EcheList.objects.get(is_current=True) == current


def test_command_missing_file(tmp_path):
    with pytest.raises(CommandError, match="no such file"):
        call_command("import_eche_list", str(tmp_path / "nope.xlsx"), stdout=io.StringIO())


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_command_shows_progress_on_a_terminal(tmp_path):
    rows = [(f"D  TEST{i:04d}", "", "", f"Uni {i}", "DE", "01-01-2021", "31-12-2027") for i in range(1200)]
    terminal = _Terminal()
    call_command("import_eche_list", str(write_list(tmp_path / "list.xlsx", rows)), stdout=terminal)
    text = terminal.getvalue()
    assert "\rReading rows:    500" in text
    assert "\rReading rows:   1000" in text
    assert "\rReading rows:   1200" in text
    assert "Holders imported:  1200" in text


def test_beat_schedule_names_registered_tasks():
    from django.conf import settings

    from config.celery import app

    app.loader.import_default_modules()
    tasks = {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    assert {
        "partners.tasks.recheck_all_eche",
        "partners.tasks.sweep_pending_eche",
        "partners.tasks.refresh_search_words",
    } <= tasks
    assert tasks <= set(app.tasks)


def test_text_is_stored_exactly_whatever_characters_it_holds(tmp_path):
    """Holders and their directory records are bulk-loaded (COPY on PostgreSQL): separators, backslashes and
    NULL markers inside a cell are data, in text columns and in a record's JSON copy of the list's values."""
    names = {
        "AT": "Tab\there, line\nbreak",  # (XML reads a carriage return as a line feed)
        "BE": "Back\\slash and \\N and \\t",
        "BG": "\\N",
        "CZ": "Ünïcødé — 大学",
    }
    holders = [
        (f"X  TEST0{index}", f"99999999{index}", "", name, code, D(2021, 1, 1), D(2029, 12, 31))
        for index, (code, name) in enumerate(names.items())
    ]
    before = timezone.now()
    eche_list = import_list(write_list(tmp_path / "odd.xlsx", holders), records=True)
    stored = {holder.country: holder for holder in EcheHolder.objects.filter(list=eche_list)}
    assert {code: holder.legal_name for code, holder in stored.items()} == names
    assert all((holder.start, holder.end) == (D(2021, 1, 1), D(2029, 12, 31)) for holder in stored.values())
    assert all(holder.oid == "" and holder.city == "City" for holder in stored.values())

    records = {o.country_id: o for o in Organisation.objects.filter(pic__startswith="99999999")}
    spaced = {code: " ".join(name.split()) for code, name in names.items()}  # a record's name: spaces as one
    assert {code: record.legal_name for code, record in records.items()} == spaced
    assert {code: record.listed["legal_name"] for code, record in records.items()} == spaced
    assert all(record.verified and record.city == "City" and record.oid == "" for record in records.values())
    assert all(
        before <= record.created_at <= record.updated_at <= timezone.now() for record in records.values()
    )
    found = organisation_search(query="back\\slash")  # the name key and search text were stored too
    assert [record.country_id for record in found] == ["BE"]


def test_a_nul_character_deep_in_a_csv_is_dropped_not_an_error(tmp_path):
    header = "Erasmus Code;PIC;OID;Legal Name;City;Country Cd;Erasmus Eche Start;Erasmus Eche End"
    dates = "01-01-2021;31-12-2029"
    rows = [f"X  FILL{index:03d};;;Filler University {index};Town;FR;{dates}" for index in range(200)]
    rows.append(f"X  NULL01;;;Nul\x00 University;Town;FR;{dates}")  # far past the first 4 KB
    path = tmp_path / "list.csv"
    path.write_text("\n".join([header, *rows]) + "\n", encoding="utf-8")
    eche_list = import_list(path)
    assert EcheHolder.objects.get(list=eche_list, erasmus_code="X  NULL01").legal_name == "Nul University"
