"""Every Erasmus code of the four shipped lists of ECHE holders is accepted where a user types one."""

import pytest

from partners.codes import normalise_erasmus_code
from partners.eche.list_reader import read_holder_list
from partners.forms import OrganisationForm
from partners.models import Organisation

from .eche_helpers import ECHE_DIR, FILES
from .test_organisations import form_data

# A list's placeholder in the code column, not a code (the ECHE List API reads it as no code too).
NOT_A_CODE = {"Transitory Charter"}


@pytest.fixture(scope="module")
def official_codes() -> dict[str, set[str]]:
    """Each list's codes, as published."""
    return {
        key: {
            h.erasmus_code for h in read_holder_list(ECHE_DIR / name, filename=name).holders if h.erasmus_code
        }
        - NOT_A_CODE
        for key, name in FILES.items()
    }


def test_every_code_of_the_four_lists_is_accepted(official_codes):
    field = Organisation._meta.get_field("erasmus_code")
    refused = {}
    for key, codes in official_codes.items():
        assert len(codes) > 5000, key
        for code in codes:
            try:
                # What the organisation form does with a code: normalise it, then the model field's checks.
                field.clean(normalise_erasmus_code(code), None)
            except Exception as error:  # collected, then shown all at once
                refused[f"{key}: {code!r}"] = error
    assert refused == {}


@pytest.mark.django_db
@pytest.mark.parametrize(
    "code", ["F  VERDUN1", "E  TARRAGO1", "E  TOLEDO3", "DK FREDERICIA 01", "F  PARIS 063"]
)
def test_the_form_accepts_codes_of_the_lists_that_break_the_usual_pattern(code):
    form = OrganisationForm(data=form_data(erasmus_code=code, country="FR"))
    assert form.is_valid(), form.errors
    assert form.save().erasmus_code == normalise_erasmus_code(code)


@pytest.mark.django_db
def test_the_form_still_refuses_what_is_no_erasmus_code():
    form = OrganisationForm(data=form_data(erasmus_code="BERLIN"))
    assert not form.is_valid()
    assert "erasmus_code" in form.errors
