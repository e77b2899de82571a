"""Reports are stored per proposal, in both modes, with a history row whenever an outcome changes."""

import pytest

from alliances.models import Participation, ParticipationStatus, Role
from eligibility import services
from eligibility.models import EligibilityChange, EligibilityReport
from tests.eligibility.conftest import criterion
from tests.factories import OrganisationFactory, ParticipationFactory, country, org_type

pytestmark = pytest.mark.django_db


def report_of(proposal) -> EligibilityReport:
    return EligibilityReport.objects.get(proposal=proposal)


def test_an_eligible_consortium_gets_an_eligible_report_in_both_modes(build_consortium):
    proposal = build_consortium()
    report = report_of(proposal)
    assert (report.confirmed_status, report.projected_status) == ("eligible", "eligible")
    assert report.edition_year == 2026
    assert [item["code"] for item in report.confirmed["criteria"]][:3] == [
        "applicant",
        "organisation-types",
        "excluded-countries",
    ]
    assert len(report.confirmed["criteria"]) == 12


def test_invited_partners_count_only_in_projected_mode(build_consortium, django_capture_on_commit_callbacks):
    proposal = build_consortium()
    with django_capture_on_commit_callbacks(execute=True):
        Participation.objects.filter(proposal=proposal, organisation__type__slug="chamber").get().delete()
        ParticipationFactory(
            proposal=proposal,
            organisation=OrganisationFactory(country=country("AT"), type=org_type("enterprise")),
            status=ParticipationStatus.INVITED,
        )
    report = report_of(proposal)
    assert report.confirmed_status == "not_eligible"
    assert criterion(report.confirmed, "full-partners")["observed"] == 7
    assert report.projected_status == "eligible"


def test_history_records_each_change_with_from_and_to(build_consortium, django_capture_on_commit_callbacks):
    proposal = build_consortium()
    EligibilityChange.objects.filter(proposal=proposal).delete()
    chamber = Participation.objects.get(proposal=proposal, organisation__type__slug="chamber")
    with django_capture_on_commit_callbacks(execute=True):
        chamber.status = ParticipationStatus.DECLINED
        chamber.save()
    changes = {
        (c.mode, c.criterion): (c.from_status, c.to_status)
        for c in EligibilityChange.objects.filter(proposal=proposal)
    }
    assert changes[("confirmed", "overall")] == ("eligible", "not_eligible")
    assert changes[("confirmed", "labour-market-actors")] == ("pass", "fail")
    assert changes[("projected", "full-partners")] == ("pass", "fail")
    assert ("confirmed", "duration") not in changes


def test_reevaluating_an_unchanged_proposal_writes_no_history(build_consortium):
    proposal = build_consortium()
    before = EligibilityChange.objects.count()
    services.reevaluate([proposal.pk])
    services.reevaluate([proposal.pk])
    assert EligibilityChange.objects.count() == before


def test_reevaluate_ignores_proposals_that_no_longer_exist(build_consortium):
    proposal = build_consortium()
    assert services.reevaluate([proposal.pk, 10_000_000]) == 1


def test_territories_count_as_their_member_state(build_consortium):
    members = [
        ("FR", "higher-education-institution", Role.APPLICANT),
        ("RE", "vet-provider", Role.FULL_PARTNER),
        ("GP", "enterprise", Role.FULL_PARTNER),
        ("GL", "chamber", Role.FULL_PARTNER),
        ("DK", "enterprise", Role.FULL_PARTNER),
    ]
    report = report_of(build_consortium(members))
    assert criterion(report.confirmed, "countries")["observed"] == 2


def test_an_unchanged_outcome_only_renews_the_evaluation_time(build_consortium):
    proposal = build_consortium()
    before = report_of(proposal)
    services.reevaluate([proposal.pk])
    after = report_of(proposal)
    assert after.evaluated_at > before.evaluated_at
    assert (after.confirmed, after.projected) == (before.confirmed, before.projected)
