"""Evaluations of one proposal run one after the other: whatever the interleaving of commits and evaluations,
the stored report ends equal to a fresh evaluation of the committed data.

The interleaving is forced, not hoped for: evaluation A is paused right after it has read its snapshot; a
change commits in another thread, whose evaluation B then runs (or waits for A); A is released.
"""

import threading
import time

import pytest
from django.db import connection, connections, transaction

from alliances.models import Participation, ParticipationStatus, Role
from eligibility import services, snapshot
from eligibility.models import EligibilityReport

pytestmark = pytest.mark.django_db(transaction=True)

WAIT = 30  # seconds: a bound for each step, never reached when things work


@pytest.fixture(autouse=True)
def postgres_only():
    if connection.vendor != "postgresql":
        pytest.fail("Concurrency tests need PostgreSQL: set DATABASE_URL (make test does).")


def fresh_documents(proposal_id: int) -> dict:
    results = services.evaluate_both_modes(snapshot.build(proposal_id))
    return {mode: evaluation.as_dict() for mode, evaluation in results.items()}


def stored_documents(proposal_id: int) -> dict:
    report = EligibilityReport.objects.get(proposal_id=proposal_id)
    return {"confirmed": report.confirmed, "projected": report.projected}


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity "
            "WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def in_thread(function, name: str) -> threading.Thread:
    def run():
        try:
            function()
        finally:
            connections.close_all()

    thread = threading.Thread(target=run, name=name, daemon=True)
    thread.start()
    return thread


def set_status(participation, status):
    def change():
        with transaction.atomic():
            participation.status = status
            participation.save()

    return change


def test_an_evaluation_paused_after_its_snapshot_never_leaves_a_stale_report(build_consortium, monkeypatch):
    proposal = build_consortium()
    applicant = Participation.objects.get(proposal=proposal, role=Role.APPLICANT)
    assert stored_documents(proposal.pk)["confirmed"]["status"] == "eligible"
    read_by_a, release_a = threading.Event(), threading.Event()
    seen_by_a = {}
    real_build_many = snapshot.build_many

    def build_many_then_pause(ids):
        snapshots = real_build_many(ids)
        if threading.current_thread().name == "change-and-evaluation-a":
            seen_by_a.update(snapshots)
            read_by_a.set()
            assert release_a.wait(WAIT)
        return snapshots

    monkeypatch.setattr(snapshot, "build_many", build_many_then_pause)

    # A: the applicant declines; the evaluation that follows its commit pauses once it has read the snapshot.
    change_and_a = in_thread(set_status(applicant, ParticipationStatus.DECLINED), "change-and-evaluation-a")
    assert read_by_a.wait(WAIT)
    # B: the applicant confirms after all, committed meanwhile; its evaluation runs (or waits for A's).
    change_and_b = in_thread(set_status(applicant, ParticipationStatus.CONFIRMED), "change-and-evaluation-b")
    deadline = time.monotonic() + WAIT
    while change_and_b.is_alive() and not waiting_for_a_lock():
        assert time.monotonic() < deadline, "evaluation B neither finished nor waited"
        time.sleep(0.01)

    release_a.set()
    change_and_a.join(WAIT)
    change_and_b.join(WAIT)
    assert not change_and_a.is_alive() and not change_and_b.is_alive()

    # A saw the applicant declined: had it written last, the report would say "not eligible".
    assert services.evaluate_both_modes(seen_by_a[proposal.pk])["confirmed"].status == "not_eligible"
    assert fresh_documents(proposal.pk)["confirmed"]["status"] == "eligible"
    assert stored_documents(proposal.pk) == fresh_documents(proposal.pk)
