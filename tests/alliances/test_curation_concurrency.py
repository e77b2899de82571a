"""A correction decided while another coordinator adds the same record to their proposal, on PostgreSQL.

"Only this proposal uses it" must still hold when the correction is applied: a participation being added
elsewhere, not yet committed, makes the correction wait, and then a change request."""

import contextlib
import threading

import pytest
from django.db import connection, connections, transaction

from alliances import services
from alliances.curation import organisation_correct
from alliances.models import Role
from partners.models import ChangeRequestOrigin, Organisation, OrganisationChangeRequest
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, UserFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("Concurrency tests need PostgreSQL: set DATABASE_URL (make test does).")


def test_a_correction_waits_for_a_participation_being_added_and_becomes_a_request():
    owner = UserFactory()
    proposal = ProposalFactory(owner=owner)
    organisation = OrganisationFactory(legal_name="Fabrica", city="Berlin", created_by=owner)
    ParticipationFactory(proposal=proposal, organisation=organisation, role=Role.ASSOCIATED_PARTNER)
    other_proposal = ProposalFactory()
    outcome = {}

    def correct():
        try:
            outcome["correction"] = organisation_correct(
                organisation_id=organisation.pk,
                proposal=proposal,
                values={"city": "Sevilla"},
                origin=ChangeRequestOrigin.COORDINATOR,
                actor=owner,
            )
        except Exception as exc:  # reported below, in the test's thread
            outcome["error"] = exc
        finally:
            connections.close_all()

    with transaction.atomic():
        # Another coordinator adds the record, and has not committed yet.
        services.participation_add(
            proposal=other_proposal,
            organisation=organisation,
            role=Role.ASSOCIATED_PARTNER,
            actor=other_proposal.owner,
            expected_version=other_proposal.version,
        )
        thread = threading.Thread(target=correct)
        thread.start()
        thread.join(timeout=1)
        assert thread.is_alive(), "the correction must wait for the participation being added"
    thread.join(timeout=30)

    assert "error" not in outcome, outcome.get("error")
    assert outcome["correction"].applied is False
    assert Organisation.objects.get(pk=organisation.pk).city == "Berlin"
    assert OrganisationChangeRequest.objects.get().changes == {"city": {"old": "Berlin", "new": "Sevilla"}}


def test_corrections_sent_together_are_held_to_the_daily_limit(settings):
    """Counted, then inserted: corrections of different records sent at the same moment all passed the
    count. The second waits for the first's commit, then counts it."""
    settings.CHANGE_REQUESTS_PER_ACCOUNT_PER_DAY = 1
    owner = UserFactory()
    shared = []
    for name in ("Shared One", "Shared Two"):  # each in a proposal of the owner's own, and in another's
        organisation = OrganisationFactory(legal_name=name, city="Berlin")
        proposal = ProposalFactory(owner=owner)
        ParticipationFactory(proposal=proposal, organisation=organisation, role=Role.ASSOCIATED_PARTNER)
        ParticipationFactory(organisation=organisation, role=Role.ASSOCIATED_PARTNER)
        shared.append((organisation, proposal))
    started, counted = threading.Barrier(2), threading.Barrier(2)
    outcomes = []

    def correct(organisation, proposal):
        started.wait(timeout=10)
        try:
            with transaction.atomic():
                organisation_correct(
                    organisation_id=organisation.pk,
                    proposal=proposal,
                    values={"city": "Sevilla"},
                    origin=ChangeRequestOrigin.COORDINATOR,
                    actor=owner,
                )
                # Both past the count before either commits, unless the other waits at the lock.
                with contextlib.suppress(threading.BrokenBarrierError):
                    counted.wait(timeout=3)
            outcomes.append("sent")
        except Exception as exc:
            outcomes.append(type(exc).__name__)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=correct, args=pair) for pair in shared]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert OrganisationChangeRequest.objects.count() == 1
    assert sorted(outcomes) == ["ValidationError", "sent"]
