import pytest

from alliances.models import ParticipationStatus
from tests.factories import (
    ELIGIBLE_CONSORTIUM,
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    country,
    edition,
    org_type,
)


@pytest.fixture
def build_consortium(django_capture_on_commit_callbacks):
    def build(
        members=ELIGIBLE_CONSORTIUM, *, year=2026, status=ParticipationStatus.CONFIRMED, **proposal_fields
    ):
        with django_capture_on_commit_callbacks(execute=True):
            proposal = ProposalFactory(edition=edition(year), **proposal_fields)
            for code, slug, role in members:
                organisation = OrganisationFactory(
                    country=country(code),
                    type=org_type(slug),
                    eche_status="valid" if slug == "higher-education-institution" else "not_required",
                )
                ParticipationFactory(proposal=proposal, organisation=organisation, role=role, status=status)
        proposal.refresh_from_db()
        return proposal

    return build


def criterion(report_part: dict, code: str) -> dict:
    return next(item for item in report_part["criteria"] if item["code"] == code)
