"""Evaluate proposals and store their reports: the only code that writes eligibility results."""

import json
import logging
from collections.abc import Iterable
from itertools import islice

from django.db import connection, transaction
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
    return {
        mode: rules.evaluate(proposal_snapshot.snapshot, proposal_snapshot.edition, mode)
        for mode in rules.MODES
    }


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

    Proposals are locked while they are evaluated, so concurrent evaluations of one proposal run one after
    the other and the last one reads everything committed before it. Returns how many were evaluated.
    """
    evaluated = 0
    for chunk in chunked(proposal_ids):
        evaluated += _reevaluate_chunk(chunk)
    return evaluated


def _write(sql: str, params: list) -> None:
    # A report is derived data, recomputed from the consortium at any time: on PostgreSQL its transaction
    # need not wait for its own disk flush (the save that caused it already waited for one).
    if connection.vendor == "postgresql":
        sql = "SET LOCAL synchronous_commit TO OFF; " + sql
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _touch_reports(proposal_ids: list[int], stamp) -> None:
    """Renew the evaluation time of reports whose outcome did not change, leaving their JSON untouched.

    Most saves (a contact's details, a re-save) change no outcome; rewriting two JSON documents for them
    would cost more than evaluating. The time still moves, so pages cached on it know they were re-checked.
    """
    table = connection.ops.quote_name(EligibilityReport._meta.db_table)
    placeholders = ", ".join(["%s"] * len(proposal_ids))
    sql = f"UPDATE {table} SET evaluated_at = %s WHERE proposal_id IN ({placeholders})"
    _write(sql, [stamp, *proposal_ids])


def _store_reports(reports: list[tuple]) -> None:
    """Insert or update the reports in one statement.

    Written out, not bulk_create(): this runs after every save. Raw SQL sends no signals: storing a report
    never triggers another evaluation.
    """
    table = connection.ops.quote_name(EligibilityReport._meta.db_table)
    columns = ["proposal_id", *REPORT_FIELDS]
    rows = ", ".join(["(" + ", ".join(["%s"] * len(columns)) + ")"] * len(reports))
    updates = ", ".join(f"{column} = excluded.{column}" for column in REPORT_FIELDS)
    sql = (
        f"INSERT INTO {table} ({', '.join(columns)}) VALUES {rows} "
        f"ON CONFLICT (proposal_id) DO UPDATE SET {updates}"
    )
    _write(sql, [value for report in reports for value in report])


@transaction.atomic
def _reevaluate_chunk(proposal_ids: list[int]) -> int:
    snapshots = snapshot.build_many(proposal_ids, lock=True)
    if not snapshots:
        return 0
    now = timezone.now()
    stamp = connection.ops.adapt_datetimefield_value(now)
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
            (
                proposal_id,
                proposal_snapshot.edition.year,
                results["confirmed"].status,
                results["projected"].status,
                json.dumps(documents["confirmed"]),
                json.dumps(documents["projected"]),
                stamp,
            )
        )
    if reports:
        _store_reports(reports)
    if unchanged:
        _touch_reports(unchanged, stamp)
    if changes:
        EligibilityChange.objects.bulk_create(changes)
    return len(snapshots)


def reevaluate_all() -> int:
    from alliances.models import Proposal

    return reevaluate(Proposal.objects.values_list("pk", flat=True))
