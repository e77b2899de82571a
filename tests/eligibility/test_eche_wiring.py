"""Partners knows nothing of eligibility; what eligibility needs from the ECHE check, and what the check needs
from the editions, goes through the signals partners sends (connected in `EligibilityConfig.ready()`)."""

import pytest

from eligibility.models import EditionCountryStatus, EligibilityReport
from partners.eche.services import organisation_check, organisations_recheck
from tests.eligibility.conftest import criterion
from tests.factories import OrganisationFactory, country, edition
from tests.partners.eche_helpers import import_list, write_list

pytestmark = pytest.mark.django_db

FOREVER = ("01-01-2021", "31-12-2099")


def report_of(proposal):
    return EligibilityReport.objects.get(proposal=proposal)


def test_a_recheck_of_every_hei_reevaluates_the_proposals_whose_statuses_changed(
    build_consortium, tmp_path, django_capture_on_commit_callbacks
):
    proposal = build_consortium()  # its German HEI is `valid` and has no identifier
    assert criterion(report_of(proposal).confirmed, "eche")["status"] == "pass"
    with django_capture_on_commit_callbacks(execute=False):  # the re-check it queues runs below
        import_list(
            write_list(tmp_path / "list.xlsx", [("D  BERLIN02", "", "", "TU Berlin", "DE", *FOREVER)])
        )

    with django_capture_on_commit_callbacks(execute=True):
        result = organisations_recheck()

    assert result["changed"] == 1
    # Nothing to look it up by: not checked, as the offline check says too; the verdict waits for it.
    assert criterion(report_of(proposal).confirmed, "eche")["status"] == "pending"
    assert report_of(proposal).confirmed_status == "pending"


def test_an_hei_of_a_country_an_edition_associates_is_looked_up(tmp_path, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False):
        import_list(write_list(tmp_path / "list.xlsx", [("", "912345678", "", "Boston U", "US", *FOREVER)]))
    boston = OrganisationFactory(hei=True, pic="912345678", country=country("US"))
    assert organisation_check(organisation_id=boston.pk) == "not_required"

    EditionCountryStatus.objects.create(
        edition=edition(2027), country=country("US"), programme_status="associated"
    )

    assert organisation_check(organisation_id=boston.pk) == "valid"
