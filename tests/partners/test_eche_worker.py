"""Against a real Celery worker process on the test broker and the test database: a saved HEI gets its
status through the worker, and eligibility follows; a check asked for while the broker was down is completed
by the sweep once the broker is back."""

import datetime

import pytest

from eligibility.models import EligibilityReport
from partners.eche import services as eche
from partners.models import Organisation
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory

from .eche_helpers import import_list, write_list

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

VALID = ("01-01-2021", "31-12-2027")


@pytest.fixture
def registry(tmp_path):
    return import_list(
        write_list(
            tmp_path / "list.xlsx", [("D  BERLIN02", "999986678", "E10209450", "TU Berlin", "DE", *VALID)]
        )
    )


def eche_criterion(proposal) -> str:
    report = EligibilityReport.objects.filter(proposal=proposal).first()
    if report is None:
        return ""
    return next(c for c in report.confirmed["criteria"] if c["code"] == "eche")["status"]


def status_of(organisation) -> str:
    return Organisation.objects.values_list("eche_status", flat=True).get(pk=organisation.pk)


def test_a_saved_hei_becomes_valid_through_the_worker(registry, celery_worker_process, wait_for):
    proposal = ProposalFactory()
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")  # committed: the check is queued now
    ParticipationFactory(proposal=proposal, organisation=tub)

    wait_for(lambda: status_of(tub) == "valid", message="the worker's ECHE check")
    wait_for(lambda: eche_criterion(proposal) == "pass", message="eligibility re-evaluated after the check")
    tub.refresh_from_db()
    assert tub.eche_matched_by == "erasmus_code"
    assert tub.eche_requested_at is None
    assert b"partners.tasks.check_eche" in celery_worker_process.log.read_bytes()
    # The worker logs through the project's LOGGING: the task line has its fields (Celery's own set-up of
    # the logging had left a bare "task").
    wait_for(
        lambda: (
            b"task=partners.tasks.check_eche" in celery_worker_process.log.read_bytes()
            and b"state=SUCCESS" in celery_worker_process.log.read_bytes()
        ),
        message="the task's log line",
    )


def test_broker_down_then_back_the_sweep_completes_the_check(
    registry, celery_worker_process, switch_broker, wait_for
):
    switch_broker("redis://127.0.0.1:1/0")
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")  # the save succeeds
    assert status_of(tub) == "pending"

    switch_broker()  # the broker is back
    assert eche.pending_checks_sweep() == 0  # asked for moments ago: not due yet
    assert eche.pending_checks_sweep(older_than=datetime.timedelta(0)) == 1
    wait_for(lambda: status_of(tub) == "valid", message="the swept check")
