"""ECHE status and provenance, as ELIGIBILITY.md defines them: validity boundaries on a frozen clock (the
local date of settings.TIME_ZONE), matching order, who needs no charter."""

import datetime
import zoneinfo

import pytest
import time_machine

from partners.eche.decision import Charter, decide
from partners.eche.services import organisation_check, organisations_recheck, registry_status
from partners.models import EcheStatus, Organisation
from tests.factories import OrganisationFactory, country, org_type

from .eche_helpers import APRIL_2026, D, import_list, write_list

BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def at(year, month, day, hour=12, minute=0, tz=BRUSSELS):
    return time_machine.travel(datetime.datetime(year, month, day, hour, minute, tzinfo=tz), tick=False)


# --- Pure decision ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("today", "status"),
    [(D(2026, 10, 30), "valid"), (D(2026, 10, 31), "valid"), (D(2026, 11, 1), "expired")],
)
def test_validity_boundary_at_the_end_date(today, status):
    outcome = decide("erasmus_code", [Charter(start=D(2021, 1, 1), end=D(2026, 10, 31), row=7)], today)
    assert outcome.status == status
    assert outcome.charter.row == 7


def test_a_charter_whose_start_is_ahead_counts_as_valid():
    outcome = decide("pic", [Charter(start=D(2027, 1, 1), end=D(2027, 12, 31))], D(2026, 11, 25))
    assert outcome.status == "valid"
    assert "starts on 2027-01-01" in outcome.detail


def test_several_holders_valid_if_any_is_valid():
    charters = [Charter(end=D(2025, 12, 31), row=3), Charter(end=D(2027, 12, 31), row=9)]
    outcome = decide("pic", charters, D(2026, 11, 25))
    assert outcome.status == "valid"
    assert outcome.charter.row == 9  # provenance: the valid charter


def test_several_expired_holders_record_the_latest():
    charters = [Charter(end=D(2024, 12, 31), row=3), Charter(end=D(2025, 12, 31), row=9)]
    outcome = decide("oid", charters, D(2026, 11, 25))
    assert outcome.status == "expired"
    assert outcome.charter.row == 9
    assert "ended on 2025-12-31" in outcome.detail


def test_no_holder_is_not_found():
    assert decide("erasmus_code", [], D(2026, 11, 25)).status == "not_found"


# --- Against the registry -----------------------------------------------------------------------------------

VALID = ("01-01-2021", "31-12-2027")
ENDED = ("01-01-2021", "31-10-2026")


@pytest.fixture
def small_list(tmp_path, db):
    return import_list(
        write_list(
            tmp_path / "list_08042026.xlsx",
            [
                ("D  BERLIN02", "999986678", "E10209450", "TU Berlin", "DE", *VALID),
                # Code matches an ended charter; its PIC matches a valid one: the code decides.
                ("F  LYON141", "900000001", "E90000001", "Lyon ended", "FR", *ENDED),
                ("F  LYON999", "900000002", "E90000002", "Lyon other", "FR", *VALID),
                # Only PIC and OID known for these.
                ("", "900000003", "E90000003", "PIC only", "FI", *ENDED),
                ("", "", "E90000004", "OID only", "FI", *VALID),
                # Two holders for one code: one ended, one valid.
                ("E  MALAGA66", "900000005", "", "Malaga old", "ES", *ENDED),
                ("E  MALAGA66", "900000006", "", "Malaga new", "ES", *VALID),
                ("CH ZURICH01", "900000007", "", "ETH", "CH", *VALID),
                ("UK LONDON01", "900000008", "", "London", "UK", *VALID),
            ],
        )
    )


def hei(**fields):
    # Created with a decided status so that no automatic check runs: each test checks explicitly.
    fields.setdefault("eche_status", EcheStatus.ERROR)
    return OrganisationFactory(hei=True, **fields)


def checked(organisation) -> Organisation:
    organisation_check(organisation_id=organisation.pk)
    organisation.refresh_from_db()
    return organisation


@pytest.mark.django_db
class TestRegistryCheck:
    def test_valid_by_erasmus_code_with_provenance(self, small_list):
        with at(2026, 11, 25):
            tub = checked(hei(erasmus_code="d berlin02", country=country("DE")))
        assert tub.eche_status == "valid"
        assert tub.eche_matched_by == "erasmus_code"
        assert tub.eche_source_row == 2
        assert tub.eche_start == D(2021, 1, 1)
        assert tub.eche_end == D(2027, 12, 31)
        assert "list_08042026.xlsx" in tub.eche_source
        assert tub.eche_checked_at is not None
        assert tub.eche_requested_at is None

    def test_the_first_identifier_that_matches_decides(self, small_list):
        with at(2026, 11, 25):
            # The code matches an ended charter; the PIC would match a valid one: the code decides.
            lyon = checked(hei(erasmus_code="F  LYON141", pic="900000002", country=country("FR")))
        assert (lyon.eche_status, lyon.eche_matched_by) == ("expired", "erasmus_code")

    def test_falls_through_to_pic_then_oid(self, small_list):
        with at(2026, 11, 25):
            by_pic = checked(
                hei(erasmus_code="SF NOWHERE01", pic="900000003", oid="E90000099", country=country("FI"))
            )
            by_oid = checked(
                hei(erasmus_code="SF NOWHERE02", pic="123456789", oid="E90000004", country=country("FI"))
            )
            nothing = checked(hei(erasmus_code="SF NOWHERE03", pic="123456780", country=country("FI")))
        assert (by_pic.eche_status, by_pic.eche_matched_by) == ("expired", "pic")
        assert (by_oid.eche_status, by_oid.eche_matched_by) == ("valid", "oid")
        assert nothing.eche_status == "not_found"
        assert nothing.eche_source_row is None and nothing.eche_matched_by == ""

    def test_several_holders_for_a_code(self, small_list):
        with at(2026, 11, 25):
            malaga = checked(hei(erasmus_code="E  MALAGA66", country=country("ES")))
        assert malaga.eche_status == "valid"
        assert malaga.eche_source_row == 8

    @pytest.mark.parametrize(
        ("moment", "status"),
        [
            # 31 October 23:30 in Brussels is still the last day of the charter...
            (datetime.datetime(2026, 10, 31, 22, 30, tzinfo=datetime.UTC), "valid"),
            # ...and 1 November 00:30 in Brussels (still 31 October in UTC) is past it.
            (datetime.datetime(2026, 10, 31, 23, 30, tzinfo=datetime.UTC), "expired"),
        ],
    )
    def test_today_is_the_local_date_of_the_time_zone(self, small_list, moment, status):
        organisation = hei(pic="900000001", erasmus_code="", country=country("FR"))
        with time_machine.travel(moment, tick=False):
            assert checked(organisation).eche_status == status

    def test_not_an_hei_is_not_required(self, small_list):
        company = OrganisationFactory(pic="999986678", eche_status=EcheStatus.PENDING)
        assert checked(company).eche_status == "not_required"

    def test_hei_from_a_third_country_not_associated_is_not_required(self, small_list):
        american = checked(hei(erasmus_code="D  BERLIN02", country=country("US")))
        assert american.eche_status == "not_required"
        assert "third country" in american.eche_detail

    @pytest.mark.parametrize(("code", "erasmus_code"), [("CH", "CH ZURICH01"), ("GB", "UK LONDON01")])
    def test_hei_from_a_country_associated_in_some_edition_keeps_its_registry_outcome(
        self, small_list, code, erasmus_code
    ):
        # CH and GB: third-not-associated in base status, associated in 2027: their charter matters there.
        with at(2026, 11, 25):
            swiss = checked(hei(erasmus_code=erasmus_code, country=country(code)))
        assert swiss.eche_status == "valid"

    def test_territory_counts_as_its_member_state(self, small_list):
        with at(2026, 11, 25):
            reunion = checked(hei(erasmus_code="F  LE-PORT03", country=country("RE")))
        assert reunion.eche_status == "not_found"  # looked up (not `not_required`), and not in the small list

    def test_no_identifier_is_pending_as_in_the_offline_check(self, small_list):
        unchecked = checked(hei(country=country("DE")))
        assert unchecked.eche_status == "pending" == registry_status()
        assert "No Erasmus code, PIC or OID" in unchecked.eche_detail

    def test_no_list_imported_is_pending(self, db):
        tub = checked(hei(erasmus_code="D  BERLIN02", country=country("DE")))
        assert tub.eche_status == "pending"
        assert "No ECHE list" in tub.eche_detail

    def test_check_is_idempotent(self, small_list):
        tub = hei(erasmus_code="D  BERLIN02", country=country("DE"))
        with at(2026, 11, 25):
            first = checked(tub)
            second = checked(tub)
        assert [first.eche_status, first.eche_source_row] == [second.eche_status, second.eche_source_row]

    def test_a_deleted_organisation_is_ignored(self, small_list):
        assert organisation_check(organisation_id=987654321) is None

    def test_registry_status_for_the_offline_command(self, small_list):
        with at(2026, 11, 25):
            assert registry_status(erasmus_code="d berlin02") == "valid"
            assert registry_status(erasmus_code="F  LYON141", pic="900000002") == "expired"
            assert registry_status(oid="E90000004") == "valid"
            assert registry_status(pic="111111111") == "not_found"
            assert registry_status() == "pending"

    def test_registry_status_without_a_list_is_pending(self, db):
        assert registry_status(erasmus_code="D  BERLIN02") == "pending"


@pytest.mark.django_db
def test_april_2026_list_today_the_five_october_charters_are_expired():
    import_list(APRIL_2026)
    codes = {
        "DK KOBENHA63": "DK",
        "E  BARCELO300": "ES",
        "E  MALAGA66": "ES",
        "F  LE-PORT03": "RE",
        "F  LYON141": "FR",
        "D  BERLIN02": "DE",
        "SF ESPOO12": "FI",
    }
    organisations = {
        code: OrganisationFactory(
            type=org_type("higher-education-institution"),
            erasmus_code=code,
            country=country(iso),
            eche_status=EcheStatus.ERROR,
        )
        for code, iso in codes.items()
    }
    with at(2026, 11, 25):
        organisations_recheck()
    statuses = {
        code: Organisation.objects.get(pk=organisation.pk).eche_status
        for code, organisation in organisations.items()
    }
    assert statuses == {
        "DK KOBENHA63": "expired",
        "E  BARCELO300": "expired",
        "E  MALAGA66": "expired",
        "F  LE-PORT03": "expired",
        "F  LYON141": "expired",
        "D  BERLIN02": "valid",
        "SF ESPOO12": "valid",
    }
