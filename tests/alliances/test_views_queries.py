"""The builder page and its fragments cost the same number of queries for 8, 50 and 500 participants,
whether their fragments are rendered or read from the cache."""

import pytest
from django.core.cache import caches
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliances.models import ParticipationStatus, Role
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, country, org_type

pytestmark = pytest.mark.django_db
SIZES = (8, 50, 500)
COUNTRIES = ["DE", "FR", "IT", "ES", "PL", "NL", "BE", "AT", "PT", "IE"]
TYPES = ["enterprise", "vet-provider", "chamber", "ngo", "research-institute"]
PAGES = [
    ("builder", "", False),
    ("builder", "?mode=confirmed", False),
    ("eligibility", "?mode=projected", True),
    ("eligibility", "?mode=confirmed", True),
    ("suggestions", "?mode=projected", True),
    ("participants", "", True),
    ("history", "", True),
    ("summary", "", False),
    ("export_csv", "", False),
    ("export_xlsx", "", False),
    ("organisation_search", "?q=Organisation", True),
]
ROWS = ["participation_row", "participation_edit", "participation_eche"]


def consortium(owner, size, capture):
    """`size` participants of all roles, some affiliated; counting criteria fail: suggestions are computed."""
    with capture(execute=True):
        proposal = ProposalFactory(owner=owner, duration_months=30)  # a failing duration: the panel hints
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
        for code in ("SE", "FI", "DK"):  # directory organisations to suggest
            OrganisationFactory(country=country(code), type=org_type("enterprise"))
    return proposal


def count(client, path, **headers) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(path, **headers)
    assert response.status_code in (200, 286), path
    return len(queries)


def test_queries_do_not_grow_with_the_consortium(client, owner, django_capture_on_commit_callbacks):
    client.force_login(owner)
    counts = {}
    for size in SIZES:
        proposal = consortium(owner, size, django_capture_on_commit_callbacks)
        applicant = proposal.participations.get(role=Role.APPLICANT)
        for name, query, htmx in PAGES:
            path = reverse(f"alliances:{name}", kwargs={"pk": proposal.pk}) + query
            headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
            count(client, path, **headers)  # the session and the like
            caches["fragments"].clear()
            cold = count(client, path, **headers)
            counts.setdefault((name, query, "rendered"), []).append(cold)
            counts.setdefault((name, query, "cached"), []).append(count(client, path, **headers))
        for name in ROWS:
            path = reverse(f"alliances:{name}", kwargs={"pk": proposal.pk, "participation_id": applicant.pk})
            counts.setdefault((name, "", "rendered"), []).append(count(client, path, HTTP_HX_REQUEST="true"))
    growing = {page: figures for page, figures in counts.items() if len(set(figures)) > 1}
    assert not growing, growing
