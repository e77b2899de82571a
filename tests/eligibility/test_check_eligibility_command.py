"""`manage.py check_eligibility`: JSON in, JSON out, exit codes 0/1/3/2, one stderr line per problem."""

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db

ELIGIBLE = {
    "edition": 2025,
    "duration_months": 24,
    "aims": ["entrepreneurship"],
    "participants": [
        {
            "name": "Uni A",
            "country": "DE",
            "type": "higher-education-institution",
            "role": "applicant",
            "eche": "valid",
        },
        {"name": "VET B", "country": "FR", "type": "vet-provider", "role": "full_partner"},
        {"name": "VET C", "country": "IT", "type": "vet-provider", "role": "full_partner"},
        {"name": "Firm D", "country": "ES", "type": "enterprise", "role": "full_partner"},
        {"name": "Chamber E", "country": "de", "type": "chamber", "role": "full_partner"},
        {"name": "Council F", "country": "FR", "type": "sector-skills-council", "role": "full_partner"},
        {"name": "NGO G", "country": "IT", "type": "ngo", "role": "full_partner", "status": None},
        {"name": "Lab H", "country": "ES", "type": "research-institute", "role": "full_partner"},
    ],
}


def run(document, *args, raw: str | None = None):
    """Run the command in-process; return (exit code, stdout, stderr)."""
    stdout, stderr = io.StringIO(), io.StringIO()
    stdin = io.StringIO(raw if raw is not None else json.dumps(document))
    original = sys.stdin
    sys.stdin = stdin
    try:
        call_command("check_eligibility", "-", *args, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    finally:
        sys.stdin = original
    return code, stdout.getvalue(), stderr.getvalue()


def with_changes(**changes):
    document = json.loads(json.dumps(ELIGIBLE))
    document.update(changes)
    return document


def test_eligible_consortium_exits_0_with_the_contract_shape():
    code, out, err = run(ELIGIBLE)
    assert (code, err) == (0, "")
    result = json.loads(out)
    assert (result["edition"], result["mode"], result["status"]) == (2025, "confirmed", "eligible")
    assert [c["code"] for c in result["criteria"]] == [
        "applicant",
        "organisation-types",
        "excluded-countries",
        "third-country-roles",
        "eche",
        "full-partners",
        "countries",
        "labour-market-actors",
        "education-providers",
        "hei-and-vet",
        "duration",
        "aims",
    ]
    counting = {c["code"]: c for c in result["criteria"]}
    assert (counting["full-partners"]["observed"], counting["full-partners"]["required"]) == (8, 8)
    assert "observed" not in counting["duration"] and "hint" not in counting["duration"]


def test_not_eligible_exits_1_with_hints():
    document = with_changes(participants=ELIGIBLE["participants"][:-1])
    code, out, _ = run(document)
    result = json.loads(out)
    assert (code, result["status"]) == (1, "not_eligible")
    failing = next(c for c in result["criteria"] if c["code"] == "full-partners")
    assert (failing["observed"], failing["required"], failing["status"]) == (7, 8, "fail")
    assert failing["hint"]


def test_pending_exits_3_when_a_charter_is_unknown_and_no_list_is_imported():
    participants = [dict(p) for p in ELIGIBLE["participants"]]
    del participants[0]["eche"]
    participants[0]["erasmus_code"] = "D  BERLIN02"
    code, out, _ = run(with_changes(participants=participants))
    assert (code, json.loads(out)["status"]) == (3, "pending")


def test_default_edition_is_the_newest_and_projected_mode_counts_invited():
    participants = [dict(p) for p in ELIGIBLE["participants"]]
    participants[-1]["status"] = "invited"
    document = with_changes(participants=participants)
    del document["edition"]
    code, out, _ = run(document)
    assert (code, json.loads(out)["edition"]) == (1, 2027)
    code, out, _ = run(document, "--projected")
    assert (code, json.loads(out)["mode"]) == (0, "projected")


def test_eu_style_codes_are_accepted():
    participants = [dict(p) for p in ELIGIBLE["participants"]]
    participants[1]["country"] = "EL"
    participants[2]["country"] = "uk"
    code, out, _ = run(with_changes(participants=participants, edition=2027))
    assert code == 0, out


def test_aim_outside_the_edition_fails_the_criterion_not_the_input():
    code, out, err = run(with_changes(edition=2022, aims=["deep-tech"]))
    assert (code, err) == (1, "")
    assert next(c for c in json.loads(out)["criteria"] if c["code"] == "aims")["status"] == "fail"


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        (with_changes(edition=1999), "edition: unknown edition 1999"),
        (with_changes(edition="2025"), "edition: expected an integer, got a string"),
        (with_changes(duration_months="24"), "duration_months: expected an integer, got a string"),
        (with_changes(duration_months=True), "duration_months: expected an integer, got a boolean"),
        ({k: v for k, v in ELIGIBLE.items() if k != "aims"}, "aims: required field missing"),
        (with_changes(aims=["moon-landing"]), 'aims[0]: unknown aim "moon-landing"'),
        (with_changes(participants={}), "participants: expected a list, got an object"),
        (
            with_changes(
                participants=[{"name": "X", "country": "ZZ", "type": "ngo", "role": "full_partner"}]
            ),
            'participants[0].country: unknown country "ZZ"',
        ),
        (
            with_changes(
                participants=[{"name": "X", "country": "DE", "type": "castle", "role": "full_partner"}]
            ),
            'participants[0].type: unknown organisation type "castle"',
        ),
        (
            with_changes(participants=[{"name": "X", "country": "DE", "type": "ngo", "role": "king"}]),
            'participants[0].role: unknown role "king"',
        ),
        (
            with_changes(
                participants=[
                    {"name": "X", "country": "DE", "type": "ngo", "role": "full_partner", "status": "maybe"}
                ]
            ),
            'participants[0].status: unknown status "maybe"',
        ),
        (
            with_changes(
                participants=[
                    {"name": "X", "country": "DE", "type": "ngo", "role": "full_partner", "eche": "gold"}
                ]
            ),
            'participants[0].eche: unknown ECHE status "gold"',
        ),
        (
            with_changes(participants=[{"country": "DE", "type": "ngo", "role": "full_partner"}]),
            "participants[0].name: required field missing",
        ),
        (with_changes(participants=["Uni"]), "participants[0]: expected an object, got a string"),
        ([1, 2], "input: expected a JSON object, got a list"),
    ],
)
def test_each_kind_of_invalid_input_exits_2_with_a_clear_line(document, expected):
    code, out, err = run(document)
    assert code == 2
    assert out == ""
    assert expected in err.splitlines()[0] or any(line.startswith(expected) for line in err.splitlines())


def test_every_problem_is_reported_one_per_line():
    document = with_changes(
        duration_months="x",
        participants=[
            {"name": "A", "country": "ZZ", "type": "ngo", "role": "full_partner"},
            {"name": "B", "country": "DE", "type": "nope", "role": "boss"},
        ],
    )
    code, _, err = run(document)
    assert code == 2
    assert err.splitlines() == [
        "duration_months: expected an integer, got a string",
        'participants[0].country: unknown country "ZZ"',
        'participants[1].type: unknown organisation type "nope"',
        'participants[1].role: unknown role "boss" '
        "(one of applicant, full_partner, affiliated_entity, associated_partner)",
    ]


def test_malformed_json_exits_2():
    code, out, err = run(None, raw='{"aims": [')
    assert (code, out) == (2, "")
    assert err.startswith("input: malformed JSON at line 1")


def test_the_command_never_writes_to_the_database():
    with CaptureQueriesContext(connection) as queries:
        run(ELIGIBLE)
    assert all(q["sql"].lstrip().upper().startswith("SELECT") for q in queries.captured_queries)


def test_usage_errors_exit_2_from_the_command_line(tmp_path: Path):
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    missing = subprocess.run(
        [sys.executable, str(manage), "check_eligibility", str(tmp_path / "none.json")],
        capture_output=True,
        text=True,
    )
    assert missing.returncode == 2 and "cannot read" in missing.stderr and missing.stdout == ""
    unknown = subprocess.run(
        [sys.executable, str(manage), "check_eligibility", "--bogus", "x.json"],
        capture_output=True,
        text=True,
    )
    assert unknown.returncode == 2 and "unrecognized arguments" in unknown.stderr


def test_a_lone_surrogate_does_not_hide_the_other_problems():
    participant = {"name": "\ud800", "country": "ZZ", "type": "ngo", "role": "full_partner"}
    code, out, err = run(None, raw=json.dumps(with_changes(participants=[participant])))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "participants[0].name: a string holds a lone surrogate (not valid Unicode)",
        'participants[0].country: unknown country "ZZ"',
    ]


def test_names_are_taken_as_given_even_empty():
    """The contract's invalid input does not include an empty name; `counted` lists the names as given."""
    participants = [dict(ELIGIBLE["participants"][0], name="  Uni  A  "), *ELIGIBLE["participants"][1:]]
    participants[1] = dict(participants[1], name="")
    code, out, err = run(with_changes(participants=participants))
    assert (code, err) == (0, "")
    counted = {criterion["code"]: criterion for criterion in json.loads(out)["criteria"]}["full-partners"]
    assert counted["counted"][:2] == ["  Uni  A  ", ""]


def test_an_output_that_cannot_carry_accents_gets_json_escapes(tmp_path: Path, manage_py_env):
    """With an ASCII-only standard output the evaluation is still printed, and the exit code is still its own
    (it was 1, "not eligible", from a UnicodeEncodeError)."""
    manage = Path(__file__).resolve().parents[2] / "manage.py"
    document = with_changes()
    document["participants"][0]["name"] = "Technische Universität Berlin"
    (tmp_path / "consortium.json").write_text(json.dumps(document), encoding="utf-8")
    result = subprocess.run(
        [sys.executable, str(manage), "check_eligibility", str(tmp_path / "consortium.json")],
        capture_output=True,
        env={**manage_py_env, "PYTHONIOENCODING": "ascii"},
    )
    assert result.returncode == 0, result.stderr.decode(errors="replace")
    assert json.loads(result.stdout)["status"] == "eligible"
    assert b"Universit\\u00e4t" in result.stdout


def test_a_file_saved_with_a_byte_order_mark_is_read(tmp_path: Path, capsys):
    """Windows Notepad starts a UTF-8 file with a byte-order mark: it was refused as malformed JSON."""
    path = tmp_path / "consortium.json"
    path.write_text(json.dumps(ELIGIBLE), encoding="utf-8-sig")
    with pytest.raises(SystemExit) as exit_:
        call_command("check_eligibility", str(path))
    assert exit_.value.code == 0
    code, out, err = run(None, raw="\ufeff" + json.dumps(ELIGIBLE))
    assert (code, err) == (0, "") and json.loads(out)["status"] == "eligible"


def test_a_lone_surrogate_in_an_identifier_is_refused_without_a_look_up():
    """The current list was searched for the code, and the database driver failed on the surrogate: a
    traceback and exit 1, "not eligible"."""
    from partners.eche.models import EcheList

    EcheList.objects.create(source_name="list.xlsx", is_current=True)
    hei = {"name": "Uni", "country": "DE", "type": "higher-education-institution", "role": "applicant"}
    document = with_changes(participants=[{**hei, "erasmus_code": "D  BERL\ud800N01"}])
    code, out, err = run(None, raw=json.dumps(document))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "participants[0].erasmus_code: a string holds a lone surrogate (not valid Unicode)"
    ]


def test_each_problem_is_one_line_whatever_the_values_it_quotes_hold():
    """A line break in a value split its problem over two lines (the contract: one line each)."""
    participant = {"name": "A", "country": "Z\nZ", "type": "vet\r\nprovider", "role": "app\u2028licant"}
    document = with_changes(aims=["bad\x1baim"], participants=[participant], **{"odd\nkey\ud800": 1})
    code, out, err = run(None, raw=json.dumps(document))
    assert (code, out) == (2, "")
    assert err.splitlines() == [
        "input (a key): a string holds a lone surrogate (not valid Unicode)",
        'aims[0]: unknown aim "bad\\x1baim"',
        'participants[0].country: unknown country "Z\\nZ"',
        'participants[0].type: unknown organisation type "vet\\r\\nprovider"',
        'participants[0].role: unknown role "app\\u2028licant" (one of applicant, full_partner, '
        "affiliated_entity, associated_partner)",
    ]
