"""The nightly safety net evaluates every proposal again: whatever an evaluation missed is put right by the
next morning. It used to look for reports older than their proposal's, participants' and organisations'
last change, and so missed a country, a type or an edition changed while its evaluation was lost (the worker
killed mid-request by a stalled broker): such a report stayed wrong for good."""

import pytest

from alliances.models import Participation, ParticipationStatus, Role
from eligibility import tasks
from eligibility.models import EligibilityChange, EligibilityReport
from partners.models import Country
from tests.eligibility.conftest import criterion

pytestmark = pytest.mark.django_db


def test_a_report_that_comes_out_the_same_keeps_its_json_and_history(build_consortium):
    proposal = build_consortium()
    before = EligibilityReport.objects.get(proposal=proposal)
    changes = EligibilityChange.objects.count()

    assert tasks.reevaluate_all_reports() == 1

    after = EligibilityReport.objects.get(proposal=proposal)
    assert (after.confirmed, after.projected) == (before.confirmed, before.projected)
    assert after.evaluated_at >= before.evaluated_at
    assert EligibilityChange.objects.count() == changes


def test_a_participation_changed_without_an_evaluation_is_caught(build_consortium):
    proposal, other = build_consortium(), build_consortium()
    # A write that sends no signal (a bulk update, a crash before the on-commit evaluation ran).
    Participation.objects.filter(proposal=proposal, role=Role.APPLICANT).update(
        status=ParticipationStatus.DECLINED
    )

    assert tasks.reevaluate_all_reports() == 2

    report = EligibilityReport.objects.get(proposal=proposal)
    assert report.confirmed_status == "not_eligible"
    assert criterion(report.confirmed, "applicant")["status"] == "fail"
    assert EligibilityReport.objects.get(proposal=other).confirmed_status == "eligible"


def test_a_country_changed_while_its_evaluation_was_lost_is_caught(build_consortium):
    proposal = build_consortium()
    country = Participation.objects.filter(proposal=proposal).first().organisation.country
    Country.objects.filter(pk=country.pk).update(programme_status="third_not_associated", region=14)

    tasks.reevaluate_all_reports()

    assert EligibilityReport.objects.get(proposal=proposal).confirmed_status == "not_eligible"


def test_a_proposal_without_a_report_is_evaluated(build_consortium):
    proposal = build_consortium()
    EligibilityReport.objects.filter(proposal=proposal).delete()
    assert tasks.reevaluate_all_reports() == 1
    assert EligibilityReport.objects.get(proposal=proposal).confirmed_status == "eligible"
