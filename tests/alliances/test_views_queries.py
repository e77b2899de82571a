"""The builder page and its fragments cost the same number of queries for 8 and for 50 participants."""

import pytest
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import ParticipationStatus, Role
from alliances.views import forget_pages
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, country, org_type

pytestmark = pytest.mark.django_db
COUNTRIES = ["DE", "FR", "IT", "ES", "PL", "NL", "BE", "AT", "PT", "IE"]
TYPES = ["enterprise", "vet-provider", "chamber", "ngo", "research-institute"]


def consortium(owner, size, capture):
    """`size` participants of all roles, some affiliated; counting criteria fail: suggestions are computed."""
    with capture(execute=True):
        proposal = ProposalFactory(
            owner=owner, duration_months=30
        )  # a failing duration: the panel shows hints
        applicant = ParticipationFactory(
            proposal=proposal,
            role=Role.APPLICANT,
            organisation=OrganisationFactory(
                country=country("DE"), type=org_type("higher-education-institution"), eche_status="pending"
            ),
        )
        for index in range(size - 1):
            # The same three full partners whatever the size, so the same criteria fail and get suggestions.
            role = (
                Role.FULL_PARTNER
                if index < 3
                else [Role.ASSOCIATED_PARTNER, Role.AFFILIATED_ENTITY][index % 2]
            )
            ParticipationFactory(
                proposal=proposal,
                role=role,
                affiliated_to=applicant if role == Role.AFFILIATED_ENTITY else None,
                status=[ParticipationStatus.CONFIRMED, ParticipationStatus.PROPOSED][index % 2],
                organisation=OrganisationFactory(
                    country=country(COUNTRIES[index % len(COUNTRIES)]),
                    type=org_type(TYPES[index % len(TYPES)]),
                ),
            )
        # Directory organisations to suggest.
        for code in ("SE", "FI", "DK"):
            OrganisationFactory(country=country(code), type=org_type("enterprise"))
    return proposal


def count(client, path, **headers):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code in (200, 286), path
    return len(queries)


@pytest.mark.parametrize(
    "name, query, htmx",
    [
        ("builder", "", False),
        ("builder", "?mode=confirmed", False),
        ("eligibility", "?mode=projected", True),
        ("eligibility", "?mode=confirmed", True),
        ("participants", "", True),
        ("history", "", True),
        ("summary", "", False),
        ("export_csv", "", False),
        ("export_xlsx", "", False),
        ("organisation_search", "?q=Organisation", True),
    ],
)
def test_same_number_of_queries_for_8_and_50_participants(
    client, owner, django_capture_on_commit_callbacks, name, query, htmx
):
    client.force_login(owner)
    small = consortium(owner, 8, django_capture_on_commit_callbacks)
    large = consortium(owner, 50, django_capture_on_commit_callbacks)
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    cold, warm = [], []
    for proposal in (small, large):
        path = reverse(f"alliances:{name}", kwargs={"pk": proposal.pk}) + query
        count(client, path, **headers)  # the session and the like
        cache.clear()  # rendered fragments are cached: measure a first rendering, then a cached one
        forget_pages()  # and whole builder pages, in this process's memory too
        cold.append(count(client, path, **headers))
        warm.append(count(client, path, **headers))
    assert cold[0] == cold[1], cold
    assert warm[0] == warm[1], warm
    assert cold[0] <= 20


def test_the_row_fragments_are_constant_too(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    counts = []
    for size in (8, 50):
        proposal = consortium(owner, size, django_capture_on_commit_callbacks)
        participation = proposal.participations.get(role=Role.APPLICANT)
        for name in ("participation_row", "participation_edit", "participation_eche"):
            path = reverse(
                f"alliances:{name}", kwargs={"pk": proposal.pk, "participation_id": participation.pk}
            )
            counts.append((name, count(client, path, HTTP_HX_REQUEST="true")))
    assert counts[:3] == counts[3:]
