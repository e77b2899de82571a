"""Checking organisations' ECHE and storing the status with its provenance: one organisation (the task), the
checks waiting in the queue (the admin action, the sweep), and every HEI at once (after an import, nightly).

Writes of the ECHE fields alone ask for no new check (see ``Organisation.save``); eligibility re-evaluates
the proposals concerned, through its own receivers for a save, and through ``organisations_changed_in_bulk``
for the bulk write of a re-check (which sends no model signal).
"""

from __future__ import annotations

import datetime
import logging
import threading
from collections.abc import Callable, Iterable

from django.conf import settings
from django.db import connection, connections, transaction
from django.db.models import Q
from django.utils import timezone

from partners.codes import normalise_erasmus_code, normalise_oid, normalise_pic
from partners.models import (
    ECHE_IDENTITY_FIELDS,
    Country,
    EcheList,
    EcheStatus,
    Organisation,
    ProgrammeStatus,
)
from partners.signals import charter_countries_requested, organisations_changed_in_bulk, schedule_checks

from .decision import Outcome, decide, outcome_for
from .sources import RegistryIndex, RegistrySource, SourceError, configured_source

logger = logging.getLogger(__name__)

PROVENANCE_FIELDS = [
    "eche_status",
    "eche_checked_at",
    "eche_requested_at",
    "eche_source",
    "eche_source_row",
    "eche_matched_by",
    "eche_start",
    "eche_end",
    "eche_detail",
]
RECHECK_BATCH = 500


# --- Who needs a charter ------------------------------------------------------------------------------------


def charter_country_codes() -> set[str]:
    """Codes of the countries whose HEIs are looked up: not third-not-associated in the country table, or
    named by a receiver of ``charter_countries_requested`` (eligibility: the countries an edition associates,
    such as CH and GB in 2027)."""
    codes = set(
        Country.objects.exclude(programme_status=ProgrammeStatus.THIRD_NOT_ASSOCIATED).values_list(
            "code", flat=True
        )
    )
    for _receiver, answer in charter_countries_requested.send(sender=Country):
        codes |= set(answer)
    return codes


def _apply(organisation, outcome: Outcome, now) -> None:
    charter = outcome.charter
    organisation.eche_status = outcome.status
    organisation.eche_checked_at = now
    organisation.eche_requested_at = None
    organisation.eche_source = outcome.source[:255]
    organisation.eche_source_row = charter.row if charter else None
    organisation.eche_matched_by = outcome.matched_by if charter else ""
    organisation.eche_start = charter.start if charter else None
    organisation.eche_end = charter.end if charter else None
    organisation.eche_detail = outcome.detail[:500]


# --- Checking one organisation ------------------------------------------------------------------------------


def organisation_check(*, organisation_id: int, source=None) -> str | None:
    """Check one organisation and store its status and provenance; the status, or None when it is gone.

    Idempotent. Raises SourceError when the source fails (nothing is written then). The organisation is locked
    while its result is written; a result computed for identifiers that changed meanwhile is dropped (the
    change queued a check of its own).
    """
    organisation = Organisation.objects.select_related("country", "type").filter(pk=organisation_id).first()
    if organisation is None:
        return None
    identity = organisation._current_eche_identity()
    outcome = outcome_for(
        organisation,
        source or configured_source(),
        charter_countries=charter_country_codes(),
        today=timezone.localdate(),
    )
    with transaction.atomic():
        locked = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        if locked is None:
            return None
        if locked._current_eche_identity() != identity:
            return locked.eche_status
        _apply(locked, outcome, timezone.now())
        # update_fields: only ECHE fields, so no new check is asked for; eligibility re-evaluates on commit.
        locked.save(update_fields=PROVENANCE_FIELDS)
    return outcome.status


def organisation_mark_error(*, organisation_id: int, detail: str) -> None:
    """The check failed for good: say so, rather than leave a silent `pending`."""
    with transaction.atomic():
        organisation = Organisation.objects.select_for_update().filter(pk=organisation_id).first()
        if organisation is None:
            return
        organisation.eche_status = EcheStatus.ERROR
        organisation.eche_checked_at = timezone.now()
        organisation.eche_requested_at = None
        organisation.eche_source = _source_label_safely()[:255]
        organisation.eche_source_row = None
        organisation.eche_matched_by = ""
        organisation.eche_start = None
        organisation.eche_end = None
        organisation.eche_detail = detail[:500]
        organisation.save(update_fields=PROVENANCE_FIELDS)


def _source_label_safely() -> str:
    try:
        return configured_source().label
    except SourceError:
        return ""


def registry_status(*, erasmus_code: str = "", pic: str = "", oid: str = "") -> str:
    """The ECHE status the current imported list gives these identifiers (`pending` when none is imported,
    or no identifier is given). Used by the offline `check_eligibility` command, which never writes."""
    identifiers = {
        "erasmus_code": normalise_erasmus_code(erasmus_code),
        "pic": normalise_pic(pic),
        "oid": normalise_oid(oid),
    }
    if not any(identifiers.values()):
        return EcheStatus.PENDING.value
    found = RegistrySource().lookup(identifiers)
    if found is None:
        return EcheStatus.PENDING.value
    matched_by, charters = found
    return str(decide(matched_by, charters, timezone.localdate()).status)


# --- Queueing -----------------------------------------------------------------------------------------------


# Checks run in-process without a broker (`make run`) against the HTTP source: each in a thread of its own.
in_process_checks: list[threading.Thread] = []


def _check_in_process(organisation_ids: list[int]) -> None:
    from partners.tasks import check_eche

    try:
        for organisation_id in organisation_ids:
            check_eche.delay(organisation_id)
    finally:
        connections.close_all()


def queue_checks(organisation_ids: Iterable[int]) -> int:
    """Queue a check per organisation now (call it on commit). A broker that is down is logged and
    swallowed: the organisations stay `pending` with `eche_requested_at` set, and the sweep re-queues them.
    Returns how many were queued.

    Without a broker, tasks run in-process: a check against the HTTP source (a network call that may hang)
    then runs in a thread, so the request that saved the organisation answers at once."""
    from partners.tasks import check_eche  # the tasks call these services

    organisation_ids = list(organisation_ids)
    if check_eche.app.conf.task_always_eager and settings.ECHE_SOURCE == "http" and organisation_ids:
        thread = threading.Thread(target=_check_in_process, args=(organisation_ids,), daemon=True)
        in_process_checks[:] = [*(t for t in in_process_checks if t.is_alive()), thread]
        thread.start()
        return len(organisation_ids)
    queued = 0
    for organisation_id in organisation_ids:
        try:
            check_eche.delay(organisation_id)
        except Exception:
            logger.warning(
                "Could not queue the ECHE check of organisation %s; the sweep will retry it",
                organisation_id,
                exc_info=True,
            )
            return queued  # the broker is down: the others would fail the same way
        queued += 1
    return queued


def organisations_request_check(*, organisation_ids: Iterable[int]) -> int:
    """Mark organisations as waiting for a check (`eche_requested_at`; an update() without signals, as
    eligibility does not read it and the status stays until the check answers) and queue the checks once
    the transaction commits: a check the broker cannot take is queued again by the sweep. The admin's
    action, a country or an edition's override changed, a type made (or unmade) higher education."""
    ids = list(organisation_ids)
    if not ids:
        return 0
    marked = Organisation.objects.filter(pk__in=ids).update(eche_requested_at=timezone.now())
    schedule_checks(ids)
    return marked


def pending_checks_sweep(*, older_than: datetime.timedelta | None = None) -> int:
    """Re-queue every check asked for more than ``older_than`` ago that has not answered (broker or worker
    was down). The request time is moved forward, so a check is re-queued at most once per period."""
    if older_than is None:
        older_than = datetime.timedelta(seconds=settings.ECHE_PENDING_GRACE_SECONDS)
    now = timezone.now()
    with transaction.atomic():
        ids = list(
            Organisation.objects.select_for_update(skip_locked=True)
            .filter(eche_requested_at__lt=now - older_than)
            .values_list("pk", flat=True)
        )
        if not ids:
            return 0
        # QuerySet.update on a watched model is safe here: eche_requested_at means nothing to eligibility.
        Organisation.objects.filter(pk__in=ids).update(eche_requested_at=now)
    return queue_checks(ids)


# --- Checking every organisation ----------------------------------------------------------------------------


def _recheck_candidates():
    """HEIs, and organisations that are no HEI but whose stored status says otherwise (a type changed)."""
    return Organisation.objects.filter(
        Q(type__higher_education=True) | ~Q(eche_status=EcheStatus.NOT_REQUIRED)
    )


def organisations_recheck(
    *,
    organisation_ids: Iterable[int] | None = None,
    batch_size: int = RECHECK_BATCH,
    progress: Callable[[int], None] | None = None,
) -> dict:
    """Re-check every HEI (or those of `organisation_ids`) against the imported list, in batches: a fixed
    number of queries per batch.

    With the HTTP source this asks for one check per HEI instead (each is a network call; marked as asked for,
    so a check the broker cannot take is queued again by the sweep). Changed statuses are
    written with one bulk update per batch, which sends no model signal: ``organisations_changed_in_bulk`` is
    sent for the organisations whose status changed instead.
    """
    candidates = _recheck_candidates()
    if organisation_ids is not None:
        candidates = candidates.filter(pk__in=organisation_ids)  # a queryset stays a subquery
    if settings.ECHE_SOURCE == "http":
        asked = organisations_request_check(organisation_ids=candidates.values_list("pk", flat=True))
        return {"queued": asked, "checked": 0, "changed": 0}
    current = EcheList.objects.filter(is_current=True).first()
    source = RegistryIndex(current) if current else RegistrySource()
    charter_countries = charter_country_codes()
    today = timezone.localdate()
    checked = changed = 0
    last_pk = 0
    while True:
        batch = list(
            candidates.filter(pk__gt=last_pk).select_related("country", "type").order_by("pk")[:batch_size]
        )
        if not batch:
            break
        last_pk = batch[-1].pk
        now = timezone.now()
        status_changed = []
        for organisation in batch:
            before = organisation.eche_status
            _apply(
                organisation,
                outcome_for(organisation, source, charter_countries=charter_countries, today=today),
                now,
            )
            if organisation.eche_status != before:
                status_changed.append(organisation.pk)
        with transaction.atomic():
            # An organisation whose identifiers changed since it was read keeps its own queued check.
            identities = {
                row[0]: row[1:]
                for row in Organisation.objects.select_for_update()
                .filter(pk__in=[o.pk for o in batch])
                .values_list("pk", *ECHE_IDENTITY_FIELDS)
            }
            batch = [o for o in batch if identities.get(o.pk) == o._current_eche_identity()]
            kept = {o.pk for o in batch}
            status_changed = [pk for pk in status_changed if pk in kept]
            _write_provenance(batch)
            if status_changed:
                # bulk writes send no model signal: eligibility re-evaluates on this one.
                organisations_changed_in_bulk.send(sender=Organisation, organisation_ids=status_changed)
        checked += len(batch)
        changed += len(status_changed)
        if progress:
            progress(checked)
    return {"queued": 0, "checked": checked, "changed": changed}


def _write_provenance(organisations: list) -> None:
    """Write the ECHE fields of many organisations in one statement.

    On PostgreSQL an ``UPDATE ... FROM (VALUES ...)``: Django's bulk_update builds a CASE expression per
    field and row in Python, which costs seconds per thousand rows. Elsewhere (SQLite in development),
    bulk_update. Either way no signal is sent: the caller re-evaluates the proposals concerned.
    """
    if not organisations:
        return
    if connection.vendor != "postgresql":
        Organisation.objects.bulk_update(organisations, PROVENANCE_FIELDS)
        return
    meta = Organisation._meta
    column = {name: connection.ops.quote_name(meta.get_field(name).column) for name in PROVENANCE_FIELDS}
    casts = {
        "eche_checked_at": "timestamptz",
        "eche_requested_at": "timestamptz",
        "eche_source_row": "integer",
        "eche_start": "date",
        "eche_end": "date",
    }
    names = [f"v{index}" for index in range(len(PROVENANCE_FIELDS))]
    assignments = ", ".join(
        f"{column[field]} = v.{alias}" + (f"::{casts[field]}" if field in casts else "")
        for field, alias in zip(PROVENANCE_FIELDS, names, strict=True)
    )
    row = "(" + ", ".join(["%s"] * (len(PROVENANCE_FIELDS) + 1)) + ")"
    params = []
    for organisation in organisations:
        params.append(organisation.pk)
        params.extend(getattr(organisation, field) for field in PROVENANCE_FIELDS)
    table = connection.ops.quote_name(meta.db_table)
    pk = connection.ops.quote_name(meta.pk.column)
    sql = (
        f"UPDATE {table} AS o SET {assignments} "
        f"FROM (VALUES {', '.join([row] * len(organisations))}) AS v(id, {', '.join(names)}) "
        f"WHERE o.{pk} = v.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
