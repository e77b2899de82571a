"""The snapshot and the evaluation cost the same number of queries for 8 and 200 participants."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from alliances.models import Role
from eligibility import services, snapshot
from eligibility.models import EligibilityChange
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, country, org_type

pytestmark = pytest.mark.django_db

COUNTRIES = ["DE", "FR", "IT", "ES", "PL", "NL", "RE", "GL", "NO", "CH", "UA", "BY"]
TYPES = ["higher-education-institution", "vet-provider", "enterprise", "chamber", "ngo"]


def proposal_with(size: int, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        proposal = ProposalFactory()
        for index in range(size):
            ParticipationFactory(
                proposal=proposal,
                organisation=OrganisationFactory(
                    country=country(COUNTRIES[index % len(COUNTRIES)]),
                    type=org_type(TYPES[index % len(TYPES)]),
                ),
                role=Role.APPLICANT if index == 0 else Role.FULL_PARTNER,
            )
    return proposal


def queries_of(context) -> list[str]:
    """The statements run, less the savepoints that exist only because each test runs in a transaction."""
    return [q["sql"] for q in context.captured_queries if "SAVEPOINT" not in q["sql"].split(" ", 2)[:2]]


def count_queries(function) -> int:
    with CaptureQueriesContext(connection) as context:
        function()
    return len(queries_of(context))


def test_snapshot_queries_do_not_grow_with_the_consortium(django_capture_on_commit_callbacks):
    small = proposal_with(8, django_capture_on_commit_callbacks)
    large = proposal_with(200, django_capture_on_commit_callbacks)
    assert count_queries(lambda: snapshot.build(small.pk)) == count_queries(lambda: snapshot.build(large.pk))
    assert len(snapshot.build(large.pk).snapshot.participants) == 200


@pytest.mark.parametrize("size", [8, 200])
def test_an_evaluation_costs_at_most_five_queries_lock_included(size, django_capture_on_commit_callbacks):
    """Whatever the size, and whether the outcome moves (report and history written) or stands."""
    proposal = proposal_with(size, django_capture_on_commit_callbacks)
    assert count_queries(lambda: services.reevaluate([proposal.pk])) <= 5  # the outcome stands
    applicant = proposal.participations.get(role=Role.APPLICANT)
    applicant.role = Role.FULL_PARTNER
    applicant.save()  # its evaluation would run on commit, which never comes in this test
    with CaptureQueriesContext(connection) as context:
        services.reevaluate([proposal.pk])  # the applicant criterion fails now: report and history written
    assert len(queries_of(context)) <= 5
    assert EligibilityChange.objects.filter(proposal=proposal, criterion="applicant").exists()


def test_evaluation_queries_do_not_grow_with_the_consortium(django_capture_on_commit_callbacks):
    small = proposal_with(8, django_capture_on_commit_callbacks)
    large = proposal_with(200, django_capture_on_commit_callbacks)
    assert count_queries(lambda: services.reevaluate([small.pk])) == count_queries(
        lambda: services.reevaluate([large.pk])
    )


def test_evaluating_many_proposals_costs_a_fixed_number_of_queries_per_chunk(
    django_capture_on_commit_callbacks,
):
    proposals = [proposal_with(8, django_capture_on_commit_callbacks) for _ in range(3)]
    one = count_queries(lambda: services.reevaluate([proposals[0].pk]))
    assert count_queries(lambda: services.reevaluate([p.pk for p in proposals])) == one


def test_several_proposals_at_once_give_the_same_snapshots_as_one_by_one(django_capture_on_commit_callbacks):
    proposals = [proposal_with(size, django_capture_on_commit_callbacks) for size in (3, 8)]
    together = snapshot.build_many([p.pk for p in proposals])
    for proposal in proposals:
        assert snapshot.build(proposal.pk) == together[proposal.pk]
