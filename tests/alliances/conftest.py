import pytest
from django.urls import reverse

from alliances import services
from alliances.models import ParticipationStatus, Role
from tests.factories import (
    ELIGIBLE_CONSORTIUM as ELIGIBLE,
)
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    org_type,
)


@pytest.fixture
def owner(db):
    return UserFactory(email="owner@example.org", first_name="Olga", last_name="Owner")


@pytest.fixture
def stranger(db):
    return UserFactory(email="stranger@example.org")


@pytest.fixture
def owner_client(client, owner):
    client.force_login(owner)
    return client


@pytest.fixture
def make_proposal(django_capture_on_commit_callbacks):
    """A proposal with a consortium, evaluated (the on-commit re-evaluation run)."""

    def make(members=ELIGIBLE, *, owner=None, status=ParticipationStatus.CONFIRMED, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            proposal = ProposalFactory(owner=owner or UserFactory(), **fields)
            for code, slug, role in members:
                organisation = OrganisationFactory(
                    country=country(code),
                    type=org_type(slug),
                    eche_status="valid" if slug == "higher-education-institution" else "not_required",
                )
                ParticipationFactory(proposal=proposal, organisation=organisation, role=role, status=status)
        proposal.refresh_from_db()
        return proposal

    return make


@pytest.fixture
def proposal(make_proposal, owner):
    return make_proposal(owner=owner)


@pytest.fixture
def add(django_capture_on_commit_callbacks):
    """Add a participant through the service, as a user would, and run the re-evaluation."""

    def add_(proposal, organisation, role=Role.FULL_PARTNER, **kwargs):
        proposal.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            return services.participation_add(
                proposal=proposal,
                organisation=organisation,
                role=role,
                actor=proposal.owner,
                expected_version=proposal.version,
                **kwargs,
            )

    return add_


def edit_details(client, proposal, **changes):
    """Post the proposal's details page as its form shows them (the version the page gives), with changes."""
    url = reverse("alliances:proposal_update", args=[proposal.pk])
    data = {
        "title": proposal.title,
        "acronym": proposal.acronym,
        "edition": proposal.edition_id,
        "duration_months": str(proposal.duration_months),
        "aims": proposal.aims,
        "summary": proposal.summary,
        "version": client.get(url).context["form"]["version"].value(),
        **changes,
    }
    return client.post(url, data)
