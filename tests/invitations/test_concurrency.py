"""Partners answering (and coordinators sending) at the same moment, on PostgreSQL, each in a thread with its
own connection."""

import threading

import pytest
from django.db import connection, connections
from django.test import Client

from alliances.models import Participation, ParticipationStatus, Role
from eligibility.models import EligibilityReport
from invitations import services
from invitations.models import EventKind, Invitation, InvitationSend, InvitationStatus, ParticipationEvent
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    org_type,
)
from tests.invitations.conftest import token_from

pytestmark = pytest.mark.django_db(transaction=True)

COUNTRIES = ["FR", "IT", "ES", "PL", "NL", "BE", "AT", "PT", "IE", "SE"]
TYPES = ["enterprise", "vet-provider", "chamber", "ngo", "research-institute"]


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("Concurrency tests need PostgreSQL: set DATABASE_URL (make test does).")


def run_at_once(functions):
    """Run each function in its own thread, released together; return their results in order."""
    barrier = threading.Barrier(len(functions))
    results = [None] * len(functions)

    def worker(index, function):
        try:
            barrier.wait(timeout=30)
            results[index] = function()
        except Exception as exc:
            results[index] = exc
        finally:
            connections.close_all()

    threads = [threading.Thread(target=worker, args=(i, f)) for i, f in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return results


def opened_link(invitation, token) -> Client:
    browser = Client()
    response = browser.get(f"/invite/{token}/")
    assert response.status_code == 302, response.status_code
    return browser


def confirm(browser, invitation):
    return lambda: browser.post(
        f"/invite/answer/{invitation.pk}/confirm/",
        {"contact-contact_email": f"contact{invitation.pk}@example.org", "contact-contact_name": "Partner"},
    )


@pytest.fixture
def big_proposal(mailoutbox, db):
    """An applicant (confirmed) and 20 full partners, each invited, with the token of each email."""
    owner = UserFactory()
    proposal = ProposalFactory(owner=owner)
    ParticipationFactory(
        proposal=proposal,
        role=Role.APPLICANT,
        organisation=OrganisationFactory(
            country=country("DE"), type=org_type("higher-education-institution"), eche_status="valid"
        ),
    )
    invited = []
    for index in range(20):
        participation = ParticipationFactory(
            proposal=proposal,
            status=ParticipationStatus.PROPOSED,
            contact_email=f"partner{index}@example.org",
            organisation=OrganisationFactory(
                country=country(COUNTRIES[index % len(COUNTRIES)]), type=org_type(TYPES[index % len(TYPES)])
            ),
        )
        # Outside a test transaction: the email goes out (eagerly) as soon as the invitation commits.
        invitation = services.invitation_create(participation=participation, actor=owner)
        invited.append((invitation, token_from(mailoutbox[-1])))
    return proposal, invited


def test_twenty_partners_confirm_at_the_same_moment(big_proposal):
    proposal, invited = big_proposal
    browsers = [(invitation, opened_link(invitation, token)) for invitation, token in invited]

    responses = run_at_once([confirm(browser, invitation) for invitation, browser in browsers])

    assert [getattr(r, "status_code", r) for r in responses] == [302] * 20
    participations = Participation.objects.filter(proposal=proposal)
    assert participations.filter(status=ParticipationStatus.CONFIRMED).count() == 21
    assert Invitation.objects.filter(status=InvitationStatus.CONFIRMED).count() == 20
    assert ParticipationEvent.objects.filter(proposal=proposal, kind=EventKind.CONFIRMED).count() == 20
    # Each answer re-evaluated the proposal after its commit; the last evaluation saw every confirmation.
    report = EligibilityReport.objects.get(proposal=proposal)
    full_partners = next(c for c in report.confirmed["criteria"] if c["code"] == "full-partners")
    assert full_partners["observed"] == 21
    assert full_partners["status"] == "pass"


def test_two_confirms_of_one_link_one_wins(big_proposal):
    _proposal, invited = big_proposal
    invitation, token = invited[0]
    first, second = opened_link(invitation, token), opened_link(invitation, token)

    responses = run_at_once([confirm(first, invitation), confirm(second, invitation)])

    codes = sorted(getattr(r, "status_code", r) for r in responses)
    assert codes == [302, 410]
    loser = next(r for r in responses if r.status_code == 410)
    assert 'data-reason="answered"' in loser.content.decode()
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CONFIRMED
    assert ParticipationEvent.objects.filter(invitation=invitation, kind=EventKind.CONFIRMED).count() == 1
    assert (
        ParticipationEvent.objects.filter(
            invitation=invitation, kind=EventKind.STATUS_CHANGED, to_status=ParticipationStatus.CONFIRMED
        ).count()
        == 1
    )


def test_confirm_and_decline_and_revoke_of_one_invitation_at_once(big_proposal):
    proposal, invited = big_proposal
    invitation, token = invited[1]
    confirming, declining = opened_link(invitation, token), opened_link(invitation, token)

    def revoke():
        try:
            return services.invitation_revoke(invitation=invitation, actor=proposal.owner)
        except Exception as exc:
            return exc

    responses = run_at_once(
        [
            confirm(confirming, invitation),
            lambda: declining.post(f"/invite/answer/{invitation.pk}/decline/", {"decline-reason": ""}),
            revoke,
        ]
    )

    invitation.refresh_from_db()
    participation = Participation.objects.get(pk=invitation.participation_id)
    # Exactly one of the three took effect, and the participation agrees with it.
    expected = {
        InvitationStatus.CONFIRMED: ParticipationStatus.CONFIRMED,
        InvitationStatus.DECLINED: ParticipationStatus.DECLINED,
        InvitationStatus.REVOKED: ParticipationStatus.PROPOSED,
    }
    assert participation.status == expected[invitation.status]
    answered = [r for r in responses[:2] if r.status_code == 302]
    assert len(answered) == (0 if invitation.status == InvitationStatus.REVOKED else 1)
    assert all(r.status_code in (302, 410) for r in responses[:2])


def test_two_sends_to_one_address_at_once_are_counted_one_after_the_other(settings, mailoutbox):
    settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY = 1
    owner = UserFactory()
    proposal = ProposalFactory(owner=owner)
    both = [
        ParticipationFactory(
            proposal=proposal, status=ParticipationStatus.PROPOSED, contact_email="one@example.org"
        )
        for _ in range(2)
    ]

    results = run_at_once(
        [
            lambda p=participation: services.invitation_create(participation=p, actor=owner)
            for participation in both
        ]
    )

    assert sorted(type(result).__name__ for result in results) == ["Invitation", "ValidationError"]
    assert InvitationSend.objects.count() == 1
    assert len(mailoutbox) == 1
