import re

import pytest
from django.core.cache import cache

from alliances.models import ParticipationStatus, Role
from invitations import services
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    edition,
    org_type,
)

LINK = re.compile(r"https?://[^/\s]+(/invite/([A-Za-z0-9_-]+)/)")

# Eligible once the Spanish enterprise confirms: without it, the confirmed consortium has 7 of 8.
CONSORTIUM = [
    ("DE", "higher-education-institution", Role.APPLICANT),
    ("FR", "vet-provider", Role.FULL_PARTNER),
    ("IT", "vet-provider", Role.FULL_PARTNER),
    ("ES", "enterprise", Role.FULL_PARTNER),  # the invited partner
    ("DE", "chamber", Role.FULL_PARTNER),
    ("FR", "sector-skills-council", Role.FULL_PARTNER),
    ("IT", "ngo", Role.FULL_PARTNER),
    ("ES", "research-institute", Role.FULL_PARTNER),
]


@pytest.fixture(autouse=True)
def empty_cache():
    """The rate limit lives in the cache: every test starts with none counted."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def coordinator(db):
    return UserFactory(email="clara@example.org", first_name="Clara", last_name="Coordinator")


@pytest.fixture
def coordinator_client(client, coordinator):
    client.force_login(coordinator)
    return client


@pytest.fixture
def proposal(coordinator, django_capture_on_commit_callbacks):
    """An evaluated proposal whose Spanish enterprise (`proposal.invitee`) is proposed, the rest confirmed."""
    with django_capture_on_commit_callbacks(execute=True):
        proposal = ProposalFactory(
            owner=coordinator,
            edition=edition(2026),
            title="Green Manufacturing Skills Alliance",
            acronym="GREENMAKE",
            summary="Skills for the green transition of manufacturing.",
        )
        invitee = None
        for code, slug, role in CONSORTIUM:
            organisation = OrganisationFactory(
                country=country(code),
                type=org_type(slug),
                eche_status="valid" if slug == "higher-education-institution" else "not_required",
            )
            participation = ParticipationFactory(
                proposal=proposal,
                organisation=organisation,
                role=role,
                status=ParticipationStatus.CONFIRMED,
            )
            if code == "ES" and slug == "enterprise":
                invitee = participation
        invitee.status = ParticipationStatus.PROPOSED
        invitee.contact_name = "Pablo Partner"
        invitee.contact_email = "pablo@fabrica.example"
        invitee.save()
    proposal.refresh_from_db()
    proposal.invitee = invitee
    return proposal


def token_from(message) -> str:
    match = LINK.search(message.body)
    assert match, message.body
    return match.group(2)


@pytest.fixture
def invite(django_capture_on_commit_callbacks, mailoutbox):
    """Invite through the service as a coordinator would; returns (invitation, token from the email)."""

    def invite_(participation, actor=None, *, resend=False):
        actor = actor or participation.proposal.owner
        before = len(mailoutbox)
        with django_capture_on_commit_callbacks(execute=True):
            action = services.invitation_resend if resend else services.invitation_create
            invitation = action(participation=participation, actor=actor)
        assert len(mailoutbox) == before + 1
        invitation.refresh_from_db()
        return invitation, token_from(mailoutbox[-1])

    return invite_


@pytest.fixture
def open_link(client):
    """GET the link as a partner's browser: returns the response (the redirect to the token-free page)."""

    def open_(token, the_client=None):
        return (the_client or client).get(f"/invite/{token}/")

    return open_
