"""Organisation identifiers: formats, normalisation, uniqueness, in the database and in forms."""

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from partners.codes import normalise_erasmus_code
from partners.forms import OrganisationForm
from partners.models import Organisation
from tests.factories import OrganisationFactory, country, org_type

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("raw", "canonical"),
    [
        ("d berlin01", "D  BERLIN01"),
        ("D  BERLIN01", "D  BERLIN01"),
        ("  sf\u00a0helsink41 ", "SF HELSINK41"),
        ("IRLDUBLIN01", "IRLDUBLIN01"),
        ("e madrid 21", "E  MADRID21"),
        ("", ""),
    ],
)
def test_erasmus_code_normalisation(raw, canonical):
    assert normalise_erasmus_code(raw) == canonical


def form_data(**overrides):
    data = {
        "legal_name": "Hochschule Beispiel",
        "acronym": "HSB",
        "country": "DE",
        "city": "Köln",
        "website": "https://hs-beispiel.example",
        "type": org_type("higher-education-institution").pk,
        "pic": "912345678",
        "oid": "E12345678",
        "erasmus_code": "d koln99",
    }
    data.update(overrides)
    return data


def test_form_saves_identifiers_in_canonical_form():
    form = OrganisationForm(data=form_data(pic=" 912345678 ", oid="e12345678"))
    assert form.is_valid(), form.errors
    organisation = form.save()
    assert (organisation.pic, organisation.oid, organisation.erasmus_code) == (
        "912345678",
        "E12345678",
        "D  KOLN99",
    )


@pytest.mark.parametrize(
    ("field", "value", "expected"),
    [
        ("pic", "12345", "exactly 9 digits"),
        ("pic", "12345678A", "exactly 9 digits"),
        # Digits of other scripts are digits to Python's `\d`, not to the database's constraint, which
        # named itself to the user ("Constraint “organisation_pic_format” is violated.").
        ("pic", "\u0669\u0668\u0667\u0666\u0665\u0664\u0663\u0662\u0661", "exactly 9 digits"),
        ("oid", "12345678", "the letter E followed by 8 digits"),
        ("oid", "E\u0661\u0662\u0663\u0664\u0665\u0666\u0667\u0668", "the letter E followed by 8 digits"),
        ("oid", "E1234", "the letter E followed by 8 digits"),
        ("erasmus_code", "12 BERLIN", "country part"),
        ("country", "ZZ", "valid choice"),
    ],
)
def test_invalid_identifier_gives_a_field_error_with_the_expected_format(field, value, expected):
    form = OrganisationForm(data=form_data(**{field: value}))
    assert not form.is_valid()
    assert expected in " ".join(form.errors[field])
    assert Organisation.objects.count() == 0


@pytest.mark.parametrize(
    ("field", "value"), [("pic", "912345678"), ("oid", "E12345678"), ("erasmus_code", "D  KOLN99")]
)
def test_duplicate_identifier_names_the_existing_organisation(field, value):
    OrganisationFactory(legal_name="Erste Hochschule", **{field: value})
    form = OrganisationForm(data=form_data())
    assert not form.is_valid()
    assert "Erste Hochschule" in " ".join(form.errors[field])
    assert Organisation.objects.count() == 1


def test_same_normalised_name_in_same_country_needs_confirmation():
    existing = OrganisationFactory(legal_name="Hochschule  BEISPIEL", country=country("DE"))
    form = OrganisationForm(data=form_data(legal_name="hochschule beispiel", pic="", oid="", erasmus_code=""))
    assert not form.is_valid()
    assert existing.legal_name in " ".join(form.errors["legal_name"])

    confirmed = OrganisationForm(
        data=form_data(
            legal_name="hochschule beispiel", pic="", oid="", erasmus_code="", confirm_not_duplicate="on"
        )
    )
    assert confirmed.is_valid(), confirmed.errors


@pytest.mark.parametrize(
    ("existing", "typed", "country_code"),
    [
        ("POLITECHNIKA LODZKA", "Politechnika Łódzka", "PL"),  # ł, which decomposition leaves alone
        ("KOBENHAVNS UNIVERSITET", "Københavns Universitet", "DK"),
        ("Technische Universität Berlin", "Technische Universitaet Berlin", "DE"),  # the umlaut written out
    ],
)
def test_a_name_the_search_takes_for_an_existing_one_is_a_duplicate(existing, typed, country_code):
    OrganisationFactory(legal_name=existing, country=country(country_code))
    form = OrganisationForm(
        data=form_data(legal_name=typed, country=country_code, pic="", oid="", erasmus_code="")
    )
    assert not form.is_valid()
    assert existing in " ".join(form.errors["legal_name"])


def test_an_erasmus_code_without_its_spaces_is_the_same_code():
    OrganisationFactory(legal_name="Politechnika Lodzka", erasmus_code="PL LODZ02", country=country("PL"))
    form = OrganisationForm(data=form_data(erasmus_code="PLLODZ02"))
    assert not form.is_valid()
    assert "Politechnika Lodzka" in " ".join(form.errors["erasmus_code"])


def test_a_record_already_named_so_is_not_asked_again_unless_renamed():
    """Two records share a name (someone ticked "a different organisation" once): changing the city of one
    does not ask again; giving the other's name to a third record, or moving one to the other's country,
    does."""
    OrganisationFactory(legal_name="Hochschule Beispiel", country=country("DE"))
    twin = OrganisationFactory(legal_name="Hochschule Beispiel", country=country("DE"), pic="", oid="")
    other = OrganisationFactory(legal_name="Hochschule Beispiel", country=country("AT"), pic="", oid="")

    def correct(record, **changes):
        shown = form_data(legal_name=record.legal_name, country=record.country_id, pic="", oid="")
        return OrganisationForm(data={**shown, **changes}, initial=shown, instance=record)

    assert correct(twin, city="Bonn").is_valid()
    assert "legal_name" in correct(other, country="DE").errors
    renamed = OrganisationFactory(legal_name="Hochschule Anders", country=country("DE"), pic="", oid="")
    assert "legal_name" in correct(renamed, legal_name="Hochschule Beispiel").errors


def test_same_name_in_another_country_is_no_duplicate():
    OrganisationFactory(legal_name="Hochschule Beispiel", country=country("AT"))
    assert OrganisationForm(data=form_data()).is_valid()


@pytest.mark.parametrize(
    ("field", "value"), [("pic", "111111111"), ("oid", "E11111111"), ("erasmus_code", "F  PARIS001")]
)
def test_database_refuses_duplicate_identifiers(field, value):
    OrganisationFactory(**{field: value})
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(**{field: value})


@pytest.mark.parametrize("second", ["FPARIS001", "F PARIS001", "F  PARIS001"])
def test_database_refuses_an_erasmus_code_held_with_other_spaces(second):
    """The forms compare codes without their spaces; two records saved at once, `F  RACE10` and `FRACE10`,
    both passed them, and the database's index compared the text as written."""
    OrganisationFactory(erasmus_code="F  PARIS001")
    with pytest.raises(IntegrityError), transaction.atomic():
        OrganisationFactory(erasmus_code=second)


def test_an_erasmus_code_added_meanwhile_with_other_spaces_is_said_so():
    """The race's end, as the second of two creations in place meets it: a message, one record."""
    from partners.services import organisation_create

    OrganisationFactory(erasmus_code="F  RACE10")
    with pytest.raises(ValidationError, match="same PIC, OID or Erasmus code was just added"):
        organisation_create(
            legal_name="Race Uni",
            country=country("FR"),
            type=org_type("enterprise"),
            erasmus_code="FRACE10",
            same_name_confirmed=True,
        )
    assert Organisation.objects.count() == 1


def test_blank_identifiers_are_not_duplicates():
    OrganisationFactory(pic="", oid="", erasmus_code="")
    OrganisationFactory(pic="", oid="", erasmus_code="")
    assert Organisation.objects.count() == 2


@pytest.mark.parametrize(("field", "value"), [("pic", "12345"), ("oid", "X12345678")])
def test_database_refuses_malformed_identifiers(field, value):
    organisation = OrganisationFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        Organisation.objects.filter(pk=organisation.pk).update(**{field: value})


def test_model_validation_reports_format():
    organisation = OrganisationFactory.build(pic="abc")
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert "pic" in error.value.message_dict


def test_curators_mark_many_records_verified_at_once(admin_client):
    """Each record had to be opened, ticked and saved."""
    from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
    from django.contrib.admin.models import LogEntry
    from django.urls import reverse

    from tests.factories import OrganisationFactory

    first, second = OrganisationFactory(verified=False), OrganisationFactory(verified=False)
    already, untouched = OrganisationFactory(verified=True), OrganisationFactory(verified=False)
    response = admin_client.post(
        reverse("admin:partners_organisation_changelist"),
        {"action": "mark_verified", ACTION_CHECKBOX_NAME: [first.pk, second.pk, already.pk]},
        follow=True,
    )
    assert "2 organisations marked as verified." in response.content.decode()
    for organisation in (first, second, already, untouched):
        organisation.refresh_from_db()
    assert (first.verified, second.verified, already.verified, untouched.verified) == (
        True,
        True,
        True,
        False,
    )
    assert LogEntry.objects.filter(change_message="Marked as verified").count() == 2
    again = admin_client.post(
        reverse("admin:partners_organisation_changelist"),
        {"action": "mark_verified", ACTION_CHECKBOX_NAME: [first.pk]},
        follow=True,
    )
    assert "Every selected organisation was verified already." in again.content.decode()  # not "0 marked"
