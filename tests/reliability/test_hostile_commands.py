"""`check_eligibility` fed random JSON (and random non-JSON): exit 2 with a clear message, never a traceback;
a document it accepts gives one of its own exit codes and a JSON evaluation."""

import io
import json
import sys

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.django_db
EXAMPLES = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
    database=None,
)

scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(2**70), max_value=2**70),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(max_size=20),
    st.sampled_from(["DE", "ZZ", "xk", "applicant", "full_partner", "valid", "2025", "vet-provider", "\x00"]),
)
json_values = st.recursive(
    scalars,
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=10), children, max_size=4)
    ),
    max_leaves=20,
)
PARTICIPANT_KEYS = ["name", "country", "type", "role", "eche", "status", "affiliated_to", "pic"]
participant = st.dictionaries(st.sampled_from(PARTICIPANT_KEYS), json_values, max_size=8)
# Documents shaped like the real thing, with any field of any type: the parser's deeper paths.
documents = st.fixed_dictionaries(
    {},
    optional={
        "edition": st.one_of(st.sampled_from([2025, 2026, 1999]), json_values),
        "duration_months": st.one_of(st.sampled_from([24, 36, 0, -1]), json_values),
        "aims": st.one_of(st.lists(st.sampled_from(["entrepreneurship", "bogus"]), max_size=3), json_values),
        "participants": st.one_of(st.lists(participant, max_size=10), json_values),
    },
)


def run(raw: str, *args):
    stdout, stderr = io.StringIO(), io.StringIO()
    original = sys.stdin
    sys.stdin = io.StringIO(raw)
    try:
        call_command("check_eligibility", "-", *args, stdout=stdout, stderr=stderr)
        code = 0
    except SystemExit as exit_:
        code = exit_.code
    except CommandError as error:  # how call_command reports a usage error (manage.py prints it, exit 2)
        code, stderr = error.returncode, io.StringIO(str(error))
    finally:
        sys.stdin = original
    return code, stdout.getvalue(), stderr.getvalue()


def assert_clear_outcome(code, out, err):
    assert code in {0, 1, 2, 3}, (code, out, err)
    assert "Traceback" not in out + err
    if code == 2:
        assert err.strip(), "an invalid document must say why"
        assert all(line.strip() for line in err.strip().splitlines())
        assert out == ""
    else:
        evaluation = json.loads(out)
        assert evaluation["status"] in {"eligible", "not_eligible", "pending"}


@EXAMPLES
@given(document=json_values)
def test_any_json_value_gets_a_clear_answer(document):
    assert_clear_outcome(*run(json.dumps(document)))


@EXAMPLES
@given(document=documents, projected=st.booleans())
def test_documents_of_the_right_shape_with_wrong_contents_get_a_clear_answer(document, projected):
    assert_clear_outcome(*run(json.dumps(document), *(["--projected"] if projected else [])))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(raw=st.text(max_size=200))
def test_text_that_is_not_json_is_refused_with_exit_2(raw):
    try:
        json.loads(raw)
    except ValueError:
        code, out, err = run(raw)
        assert code == 2 and err.strip() and "Traceback" not in err and out == ""
