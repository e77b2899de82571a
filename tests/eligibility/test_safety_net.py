"""The nightly safety net: a proposal whose report is missing or older than its data is evaluated again."""

import datetime

import pytest
from django.utils import timezone

from alliances.models import Participation, ParticipationStatus, Proposal, Role
from eligibility import services, tasks
from eligibility.models import EligibilityReport
from partners.models import Organisation
from tests.eligibility.conftest import criterion

pytestmark = pytest.mark.django_db


def settled(*proposals):
    """As if written an hour ago and evaluated half an hour ago: any write from now on is newer than the
    report."""
    hour_ago, half_hour_ago = (timezone.now() - datetime.timedelta(minutes=m) for m in (60, 30))
    Proposal.objects.filter(pk__in=[p.pk for p in proposals]).update(updated_at=hour_ago)
    Participation.objects.filter(proposal__in=proposals).update(updated_at=hour_ago)
    Organisation.objects.filter(participations__proposal__in=proposals).update(updated_at=hour_ago)
    EligibilityReport.objects.filter(proposal__in=proposals).update(evaluated_at=half_hour_ago)


def test_an_up_to_date_report_is_left_alone(build_consortium):
    proposal = build_consortium()
    evaluated_at = proposal.eligibility_report.evaluated_at
    assert services.stale_proposal_ids() == []
    assert tasks.reevaluate_stale_reports() == 0
    assert EligibilityReport.objects.get(proposal=proposal).evaluated_at == evaluated_at


def test_a_participation_changed_without_an_evaluation_is_caught(build_consortium):
    proposal, other = build_consortium(), build_consortium()
    settled(proposal, other)
    # A write that sends no signal (a bulk update, a crash before the on-commit evaluation ran).
    Participation.objects.filter(proposal=proposal, role=Role.APPLICANT).update(
        status=ParticipationStatus.DECLINED, updated_at=timezone.now()
    )
    assert services.stale_proposal_ids() == [proposal.pk]

    assert tasks.reevaluate_stale_reports() == 1

    report = EligibilityReport.objects.get(proposal=proposal)
    assert report.confirmed_status == "not_eligible"
    assert criterion(report.confirmed, "applicant")["status"] == "fail"
    assert services.stale_proposal_ids() == []
    assert other.pk not in services.stale_proposal_ids()


def test_an_organisation_or_proposal_changed_without_an_evaluation_is_caught(build_consortium):
    by_organisation, by_proposal = build_consortium(), build_consortium()
    settled(by_organisation, by_proposal)
    organisation = Participation.objects.filter(proposal=by_organisation).first().organisation
    Organisation.objects.filter(pk=organisation.pk).update(updated_at=timezone.now())
    Proposal.objects.filter(pk=by_proposal.pk).update(duration_months=30, updated_at=timezone.now())

    assert services.stale_proposal_ids() == sorted([by_organisation.pk, by_proposal.pk])
    assert services.reevaluate_stale() == 2
    report = EligibilityReport.objects.get(proposal=by_proposal)
    assert criterion(report.confirmed, "duration")["status"] == "fail"


def test_a_proposal_without_a_report_is_evaluated(build_consortium):
    proposal = build_consortium()
    EligibilityReport.objects.filter(proposal=proposal).delete()
    assert services.stale_proposal_ids() == [proposal.pk]
    assert services.reevaluate_stale() == 1
    assert EligibilityReport.objects.get(proposal=proposal).confirmed_status == "eligible"
