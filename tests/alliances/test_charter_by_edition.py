"""A university's ECHE status is shown as its proposal's edition decides it (ELIGIBILITY.md: `not_required`
for an HEI whose effective country is `third_not_associated`). The organisation's own status is edition-blind:
a British university is checked because the 2027 call associates the United Kingdom, and showed "No ECHE
found" in a 2025 proposal, whose ECHE criterion rightly passes without it."""

import csv
import io

import pytest
from django.urls import reverse

from alliances.models import Proposal, Role
from tests.factories import OrganisationFactory, ProposalFactory, country, edition, org_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def universities():
    hei = org_type("higher-education-institution")
    return {
        "GB": OrganisationFactory(legal_name="University of Leeds", country=country("GB"), type=hei),
        "DE": OrganisationFactory(legal_name="Universität Bremen", country=country("DE"), type=hei),
    }


def consortium(owner, add, universities, year, capture):
    with capture(execute=True):
        proposal = ProposalFactory(owner=owner, edition=edition(year), acronym=f"C{year}")
    add(proposal, universities["DE"], role=Role.APPLICANT)
    add(proposal, universities["GB"], role=Role.FULL_PARTNER if year == 2027 else Role.ASSOCIATED_PARTNER)
    with capture(execute=True):
        for organisation in universities.values():
            organisation.refresh_from_db()
            organisation.eche_status = "not_found"
            organisation.save(update_fields=["eche_status"])
    return Proposal.objects.get(pk=proposal.pk)


def eche_cells(owner_client, proposal) -> dict[str, str]:
    response = owner_client.get(reverse("alliances:export_csv", kwargs={"pk": proposal.pk}))
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    column = rows[0].index("ECHE status")
    return {row[1]: row[column] for row in rows[1:]}


@pytest.mark.parametrize(("year", "leeds"), [(2025, "Not required"), (2027, "Not found")])
def test_a_british_university_needs_a_charter_only_where_the_edition_associates_its_country(
    owner, owner_client, add, universities, year, leeds, django_capture_on_commit_callbacks
):
    proposal = consortium(owner, add, universities, year, django_capture_on_commit_callbacks)
    assert eche_cells(owner_client, proposal) == {
        "Universität Bremen": "Not found",
        "University of Leeds": leeds,
    }

    summary = owner_client.get(reverse("alliances:summary", kwargs={"pk": proposal.pk})).content.decode()
    leeds_row = summary[summary.index("University of Leeds") :].split("</tr>")[0]
    assert leeds in leeds_row

    builder = owner_client.get(reverse("alliances:builder", kwargs={"pk": proposal.pk})).content.decode()
    leeds_row = builder[builder.index("University of Leeds") :].split("</tr>")[0]
    assert ("No ECHE found" in leeds_row) is (year == 2027)
    assert ("Not required" in leeds_row) is (year == 2025)

    # The panel's criterion says the same: only the universities that need a charter are named.
    criteria = {c["code"]: c for c in proposal.eligibility_report.projected["criteria"]}
    assert ("University of Leeds" in criteria["eche"]["message"]) is (year == 2027)
    assert "Universität Bremen" in criteria["eche"]["message"]
