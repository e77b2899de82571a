"""Evaluate proposals and store their reports: the only code that writes eligibility results."""

import logging
from collections.abc import Iterable
from itertools import islice

from django.db import OperationalError, transaction
from django.utils import timezone

from . import rules, snapshot
from .models import EligibilityChange, EligibilityReport

logger = logging.getLogger(__name__)

CHUNK_SIZE = 50
REPORT_FIELDS = [
    "edition_year",
    "confirmed_status",
    "projected_status",
    "confirmed",
    "projected",
    "evaluated_at",
]


def chunked(ids: Iterable[int], size: int = CHUNK_SIZE):
    iterator = iter(sorted(set(ids)))
    while chunk := list(islice(iterator, size)):
        yield chunk


def evaluate_both_modes(proposal_snapshot: snapshot.ProposalSnapshot) -> dict[str, rules.Evaluation]:
    return rules.evaluate_modes(proposal_snapshot.snapshot, proposal_snapshot.edition)


def _changes(
    proposal_id: int, mode: str, before: dict, after: rules.Evaluation, now
) -> list[EligibilityChange]:
    """History rows for what moved: the overall status and each criterion whose status changed."""
    changes = []
    if before.get("status") != after.status:
        changes.append(
            EligibilityChange(
                proposal_id=proposal_id,
                mode=mode,
                criterion=EligibilityChange.OVERALL,
                from_status=before.get("status", ""),
                to_status=after.status,
                changed_at=now,
            )
        )
    previous = {criterion["code"]: criterion for criterion in before.get("criteria", [])}
    for result in after.criteria:
        old = previous.get(result.code, {})
        if old.get("status") != result.status:
            changes.append(
                EligibilityChange(
                    proposal_id=proposal_id,
                    mode=mode,
                    criterion=result.code,
                    from_status=old.get("status", ""),
                    to_status=result.status,
                    observed=result.observed,
                    required=result.required,
                    message=result.message[:500],
                    changed_at=now,
                )
            )
    return changes


def reevaluate(proposal_ids: Iterable[int]) -> int:
    """Evaluate the proposals in both modes; store each report and the history of what changed.

    Each proposal is locked before it is read, so concurrent evaluations of one proposal run one after the
    other and each reads everything committed before it: whatever the order of commits, the report stored
    last is made from the newest data. Returns how many were evaluated.
    """
    evaluated = 0
    for chunk in chunked(proposal_ids):
        evaluated += _reevaluate_chunk(chunk)
    return evaluated


@transaction.atomic
def _reevaluate_chunk(proposal_ids: list[int]) -> int:
    locked = snapshot.lock(proposal_ids)
    snapshots = snapshot.build_many(locked)
    if not snapshots:
        return 0
    now = timezone.now()
    reports, unchanged, changes = [], [], []
    for proposal_id, proposal_snapshot in snapshots.items():
        results = evaluate_both_modes(proposal_snapshot)
        documents = {mode: evaluation.as_dict() for mode, evaluation in results.items()}
        if documents == proposal_snapshot.previous:
            unchanged.append(proposal_id)
            continue
        for mode, evaluation in results.items():
            changes += _changes(proposal_id, mode, proposal_snapshot.previous[mode], evaluation, now)
        reports.append(
            EligibilityReport(
                proposal_id=proposal_id,
                edition_year=proposal_snapshot.edition.year,
                confirmed_status=results["confirmed"].status,
                projected_status=results["projected"].status,
                confirmed=documents["confirmed"],
                projected=documents["projected"],
                evaluated_at=now,
            )
        )
    # bulk_create and update() send no signals: storing a report never triggers another evaluation.
    if reports:
        EligibilityReport.objects.bulk_create(
            reports, update_conflicts=True, unique_fields=["proposal"], update_fields=REPORT_FIELDS
        )
    if unchanged:
        # The outcome stands: only its time moves (pages keyed on it know it was re-checked); the JSON stays.
        EligibilityReport.objects.filter(proposal_id__in=unchanged).update(evaluated_at=now)
    if changes:
        EligibilityChange.objects.bulk_create(changes)
    return len(snapshots)


def reevaluate_all() -> int:
    """The nightly safety net: every proposal evaluated again, so no report outlives what its evaluation
    missed (a crash between a commit and its evaluation, a write that sent no signal, a change of a country,
    type or edition whose evaluation was lost, a release whose rules changed). A report that comes out the
    same keeps its JSON and history; only its evaluation time moves."""
    from alliances.models import Proposal

    evaluated = 0
    for chunk in chunked(Proposal.objects.values_list("pk", flat=True)):
        try:
            evaluated += _reevaluate_chunk(chunk)
        except OperationalError:  # a proposal held too long by another transaction: the next night, then
            logger.warning("Proposals %s..%s not re-evaluated tonight", chunk[0], chunk[-1], exc_info=True)
    return evaluated
