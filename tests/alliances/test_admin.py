"""The proposal's admin page: its participants' "affiliated to" offers this proposal's full partners only, and
the page's queries grow by a few per participant, never with the whole database."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import Role
from tests.factories import ParticipationFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def proposal_with(size: int):
    proposal = ProposalFactory()
    ParticipationFactory(proposal=proposal, role=Role.APPLICANT)
    for _ in range(size - 1):
        ParticipationFactory(proposal=proposal, role=Role.FULL_PARTNER)
    return proposal


def queries_of_change_page(admin_client, proposal) -> tuple[int, str]:
    with CaptureQueriesContext(connection) as queries:
        response = admin_client.get(reverse("admin:alliances_proposal_change", args=[proposal.pk]))
    assert response.status_code == 200
    return len(queries), response.content.decode()


def test_affiliated_to_offers_this_proposals_full_partners_only(admin_client):
    other = proposal_with(3)
    proposal = proposal_with(4)
    _, page = queries_of_change_page(admin_client, proposal)

    first_select = re.search(r'<select name="participations-0-affiliated_to".*?</select>', page, re.S).group()
    offered = set(map(int, re.findall(r'<option value="(\d+)"', first_select)))
    expected = set(proposal.participations.filter(role=Role.FULL_PARTNER).values_list("pk", flat=True))
    assert offered == expected
    assert not offered & set(other.participations.values_list("pk", flat=True))


def test_the_page_does_not_grow_with_the_database_and_little_with_the_consortium(admin_client):
    small = proposal_with(5)
    small_queries, _ = queries_of_change_page(admin_client, small)
    for _ in range(3):
        proposal_with(10)  # elsewhere in the database
    large = proposal_with(15)
    large_queries, _ = queries_of_change_page(admin_client, large)
    assert small_queries == queries_of_change_page(admin_client, small)[0]
    assert large_queries - small_queries <= 3 * (15 - 5), (small_queries, large_queries)
