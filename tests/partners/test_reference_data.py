"""`migrate` on an empty database gives every reference row the rules need."""

import csv
from pathlib import Path

import pytest

from partners.models import Country, OrganisationType, ProgrammeStatus

pytestmark = pytest.mark.django_db
DATA = Path(__file__).resolve().parents[2] / "partners" / "data"


def test_every_country_of_the_csv_is_loaded_with_kosovo():
    with open(DATA / "countries.csv", encoding="utf-8") as handle:
        codes = {row["iso2"] for row in csv.DictReader(handle)}
    assert set(Country.objects.values_list("code", flat=True)) == codes
    kosovo = Country.objects.get(code="XK")
    assert kosovo.get_code_display() == "Kosovo"
    assert (kosovo.programme_status, kosovo.region) == (ProgrammeStatus.THIRD_NOT_ASSOCIATED, 1)


def test_27_member_states_6_associated_countries_and_14_regions():
    member_states = Country.objects.filter(
        programme_status=ProgrammeStatus.EU_MEMBER, member_state__isnull=True
    )
    assert member_states.count() == 27
    associated = Country.objects.filter(programme_status=ProgrammeStatus.ASSOCIATED)
    assert set(associated.values_list("code", flat=True)) == {"IS", "LI", "NO", "MK", "RS", "TR"}
    regions = set(Country.objects.exclude(region=None).values_list("region", flat=True))
    assert regions == set(range(1, 15))


@pytest.mark.parametrize(
    ("territory", "member_state"), [("RE", "FR"), ("GP", "FR"), ("GL", "DK"), ("AW", "NL"), ("AX", "FI")]
)
def test_territories_count_as_their_member_state(territory, member_state):
    country = Country.objects.get(code=territory)
    assert country.member_state_id == member_state
    assert country.effective_code == member_state


def test_every_organisation_type_of_the_csv_with_its_flags():
    with open(DATA / "organisation-types.csv", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert OrganisationType.objects.count() == len(rows) == 21
    for row in rows:
        kind = OrganisationType.objects.get(slug=row["slug"])
        assert kind.name == row["name"]
        for flag in ("higher_education", "vet_provider", "labour_market_actor", "eligible"):
            assert getattr(kind, flag) is (row[flag] == "yes"), (row["slug"], flag)


def test_reference_migration_never_overwrites_an_admin_edit():
    from importlib import import_module

    from django.apps import apps

    chamber = OrganisationType.objects.get(slug="chamber")
    chamber.labour_market_actor = False
    chamber.save()
    Country.objects.filter(code="CH").update(notes="edited by an admin")

    import_module("partners.migrations.0002_reference_data").load(apps, None)

    assert OrganisationType.objects.get(slug="chamber").labour_market_actor is False
    assert Country.objects.get(code="CH").notes == "edited by an admin"


def test_adding_a_country_offers_only_the_codes_not_in_the_table(admin_client):
    """All 251 were offered, the 220 in the table refused as duplicates once chosen."""
    from django.urls import reverse

    Country.objects.filter(code="XK").delete()
    field = admin_client.get(reverse("admin:partners_country_add")).context["adminform"].form.fields["code"]
    offered = {code for code, _name in field.choices if code}
    assert "XK" in offered
    assert not offered & set(Country.objects.values_list("code", flat=True))


def test_the_country_list_shows_each_code_as_a_code(admin_client):
    """The code column showed the country's name (a field with choices: each row looked it up among 251,
    160 ms a page)."""
    from django.urls import reverse

    page = admin_client.get(reverse("admin:partners_country_changelist"), {"q": "Germany"}).content.decode()
    assert ">DE</a>" in page
