"""The panel says what each count includes, and offers no new organisations for a gap that the partners'
confirmations would fill (issue 12)."""

import pytest
from django.urls import reverse

from alliances.models import ParticipationStatus
from tests.factories import OrganisationFactory, country, org_type

pytestmark = pytest.mark.django_db


def test_the_panel_names_what_each_count_includes(owner_client, proposal):
    html = owner_client.get(reverse("alliances:eligibility", kwargs={"pk": proposal.pk})).content.decode()
    countries = proposal.eligibility_report.projected["criteria"]
    counted = next(c for c in countries if c["code"] == "countries")["counted"]
    assert f"Counted: {'; '.join(counted)}" in html


def test_confirmations_not_organisations_for_a_gap_invitations_would_fill(owner_client, make_proposal, owner):
    # Every partner but the applicant only invited: confirmed mode lacks full partners, projected does not.
    proposal = make_proposal(owner=owner, status=ParticipationStatus.INVITED)
    applicant = proposal.participations.order_by("created_at").first()
    applicant.status = ParticipationStatus.CONFIRMED
    applicant.save()
    from eligibility.services import reevaluate

    reevaluate([proposal.pk])
    OrganisationFactory(country=country("PL"), type=org_type("enterprise"))  # something to suggest
    url = reverse("alliances:eligibility", kwargs={"pk": proposal.pk})
    confirmed = owner_client.get(url, {"mode": "confirmed"}).content.decode()
    assert "confirmed; 7 more are invited or proposed." in confirmed
    assert "Remind " in confirmed
    assert 'id="suggestions-full-partners"' not in confirmed
    suggestions = owner_client.get(
        reverse("alliances:suggestions", kwargs={"pk": proposal.pk}), {"mode": "confirmed"}
    ).content.decode()
    assert "full-partners" not in suggestions
