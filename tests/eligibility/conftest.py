import pytest

from alliances.models import ParticipationStatus, Role
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    country,
    edition,
    org_type,
)

# An eligible consortium (2026 rules): 8 full partners in 4 countries, 3 labour market actors,
# 3 education and training providers including an HEI (charter valid) and a VET provider.
ELIGIBLE_CONSORTIUM = [
    ("DE", "higher-education-institution", Role.APPLICANT),
    ("FR", "vet-provider", Role.FULL_PARTNER),
    ("IT", "vet-provider", Role.FULL_PARTNER),
    ("ES", "enterprise", Role.FULL_PARTNER),
    ("DE", "chamber", Role.FULL_PARTNER),
    ("FR", "sector-skills-council", Role.FULL_PARTNER),
    ("IT", "ngo", Role.FULL_PARTNER),
    ("ES", "research-institute", Role.FULL_PARTNER),
]


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
