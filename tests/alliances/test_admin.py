"""The proposal's admin page: its consortium read-only, each participant linked to its own page, read in the
same number of queries whatever the consortium's size or the database's (it made 611 queries and 48,631
options, in 20 s, for 300 participants)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Role
from tests.factories import ParticipationFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def proposal_with(size: int):
    proposal = ProposalFactory()
    applicant = ParticipationFactory(proposal=proposal, role=Role.APPLICANT)
    for index in range(size - 1):
        if index % 5 == 4:
            ParticipationFactory(proposal=proposal, role=Role.AFFILIATED_ENTITY, affiliated_to=applicant)
        else:
            ParticipationFactory(proposal=proposal, role=Role.FULL_PARTNER)
    return proposal


def change_page(admin_client, proposal) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:alliances_proposal_change", args=[proposal.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_each_participant_is_shown_and_linked_to_its_own_page(admin_client):
    proposal = proposal_with(6)
    _, page = change_page(admin_client, proposal)
    for participation in proposal.participations.select_related("organisation"):
        assert participation.organisation.legal_name in page
        assert reverse("admin:alliances_participation_change", args=[participation.pk]) in page
    assert 'name="participations-0-role"' not in page  # changed on its own page, not here


def test_the_page_does_not_grow_with_the_consortium_or_the_database(admin_client):
    small = proposal_with(5)
    small_queries, _ = change_page(admin_client, small)
    for _ in range(3):
        proposal_with(10)  # elsewhere in the database
    large = proposal_with(40)
    assert change_page(admin_client, large)[0] == small_queries
