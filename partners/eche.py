"""ECHE (Erasmus Charter for Higher Education): the registry of imported lists, the sources, and the checks.

Status of an organisation, exactly as ELIGIBILITY.md defines it:

- ``not_required``: not an HEI, or an HEI whose effective country (a territory counts as its Member State) is
  a third country not associated to the Programme. Because a country can be associated under one edition
  only (CH, GB in 2027), an HEI is looked up whenever its country is a Member State or associated in its base
  status *or* in any edition's override (``eligibility.EditionCountryStatus``, read through the app registry:
  partners never imports eligibility rules). ``not_required`` is stored only for HEIs from countries that are
  third-not-associated in every edition; elsewhere the registry's real answer is kept, and the rules decide
  per edition whether it matters.
- ``pending``: not checked yet, or no list imported.
- ``valid``: a holder in the current list matches and its end date is today or later (a charter whose start
  is still ahead counts); ``expired``: a holder matches but its end date has passed. "Today" is the local date
  of ``settings.TIME_ZONE``.
- ``not_found``: no holder matches; ``error``: the source could not be read (after the task's retries).

Matching falls through: normalised Erasmus code, then PIC, then OID; the first identifier that matches any
holder decides; when it matches several holders, ``valid`` if any of them is valid.

Two sources, chosen by ``settings.ECHE_SOURCE``: ``registry`` (the imported list) and ``http`` (a service
shaped like the public ECHE List API at ``settings.ECHE_API_URL``).
"""

from __future__ import annotations

import datetime
import io
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from urllib.parse import quote

from django.apps import apps
from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from .codes import normalise_erasmus_code, normalise_oid, normalise_pic
from .eche_import import ParsedList, _parse_date, read_holder_list
from .models import (
    ECHE_IDENTITY_FIELDS,
    EcheHolder,
    EcheImportJob,
    EcheList,
    EcheStatus,
    ImportJobStatus,
    Organisation,
    ProgrammeStatus,
)

logger = logging.getLogger(__name__)

MATCH_ORDER = ("erasmus_code", "pic", "oid")
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
HOLDER_BATCH = 2000


class SourceError(Exception):
    """The source could not be read (network, server error, malformed answer). The task retries."""


# --- Pure decision ------------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Charter:
    """A holder as a source reports it: enough to decide and to record provenance."""

    erasmus_code: str = ""
    pic: str = ""
    oid: str = ""
    start: datetime.date | None = None
    end: datetime.date | None = None
    row: int | None = None  # row in the imported list (registry source only)
    legal_name: str = ""


@dataclass(frozen=True, slots=True)
class Outcome:
    status: str
    matched_by: str = ""
    charter: Charter | None = None
    detail: str = ""
    source: str = ""


def charter_valid(charter: Charter, today: datetime.date) -> bool:
    # An end date the source does not give cannot have passed.
    return charter.end is None or charter.end >= today


def decide(
    matched_by: str, charters: Sequence[Charter], today: datetime.date, *, source: str = ""
) -> Outcome:
    """Status for the holders the first matching identifier found (none: ``not_found``)."""
    if not charters:
        return Outcome(EcheStatus.NOT_FOUND, detail=_("No holder in the list matches."), source=source)
    valid = [c for c in charters if charter_valid(c, today)]
    pool = valid or list(charters)
    # Provenance: the charter that lasts longest (None, open-ended, last of all).
    chosen = max(pool, key=lambda c: (c.end is None, c.end or datetime.date.min, c.row or 0))
    status = EcheStatus.VALID if valid else EcheStatus.EXPIRED
    label = {"erasmus_code": _("Erasmus code"), "pic": _("PIC"), "oid": _("OID")}[matched_by]
    if len(charters) == 1:
        detail = _("Matched by %(identifier)s.") % {"identifier": label}
    else:
        detail = _("Matched %(n)d holders by %(identifier)s; %(valid)d valid.") % {
            "n": len(charters),
            "identifier": label,
            "valid": len(valid),
        }
    if status == EcheStatus.EXPIRED:
        detail += " " + _("The charter ended on %(date)s.") % {"date": chosen.end.isoformat()}
    elif chosen.start and chosen.start > today:
        detail += " " + _("The charter starts on %(date)s.") % {"date": chosen.start.isoformat()}
    return Outcome(status, matched_by=matched_by, charter=chosen, detail=detail, source=source)


def identifiers_of(organisation) -> dict[str, str]:
    return {
        "erasmus_code": normalise_erasmus_code(organisation.erasmus_code),
        "pic": normalise_pic(organisation.pic),
        "oid": normalise_oid(organisation.oid),
    }


# --- Sources ------------------------------------------------------------------------------------------------


class RegistrySource:
    """The current imported list. ``lookup`` answers None when no list is imported."""

    name = "registry"

    def __init__(self):
        self.current = EcheList.objects.filter(is_current=True).first()

    def lookup(self, identifiers: dict[str, str]) -> tuple[str, list[Charter]] | None:
        if self.current is None:
            return None
        column = {"erasmus_code": "erasmus_code_normalised", "pic": "pic", "oid": "oid"}
        for name in MATCH_ORDER:
            value = identifiers.get(name)
            if not value:
                continue
            found = [
                _charter(holder)
                for holder in EcheHolder.objects.filter(list=self.current, **{column[name]: value})
            ]
            if found:
                return name, found
        return MATCH_ORDER[0], []

    @property
    def label(self) -> str:
        return self.current.provenance if self.current else ""


def _charter(holder: EcheHolder) -> Charter:
    return Charter(
        erasmus_code=holder.erasmus_code,
        pic=holder.pic,
        oid=holder.oid,
        start=holder.start,
        end=holder.end,
        row=holder.row,
        legal_name=holder.legal_name,
    )


class HttpSource:
    """A service shaped like the public ECHE List API: ``GET {base}/erasmusCode/{code}``, ``/pic/{pic}``,
    ``/oid/{oid}`` answer a JSON list of holders (empty when none matches); a path without its trailing slash
    redirects to the same path with one (followed). Connection failures, timeouts and 5xx answers are retried
    here a few times with a short backoff; what still fails raises SourceError for the task to retry later.
    """

    name = "http"
    PATHS = {"erasmus_code": "erasmusCode", "pic": "pic", "oid": "oid"}

    def __init__(
        self, base_url: str | None = None, *, timeout: float | None = None, retries: int | None = None
    ):
        import requests
        from requests.adapters import HTTPAdapter
        from urllib3.util.retry import Retry

        self.base_url = (base_url or settings.ECHE_API_URL or "").rstrip("/")
        if not self.base_url:
            raise SourceError(_("ECHE_SOURCE is “http” but ECHE_API_URL is not set."))
        self.timeout = settings.ECHE_HTTP_TIMEOUT if timeout is None else timeout
        retries = settings.ECHE_HTTP_RETRIES if retries is None else retries
        self.session = requests.Session()
        self.session.max_redirects = 5
        retry = Retry(
            total=retries,
            connect=retries,
            read=retries,
            status=retries,
            backoff_factor=0.2,
            status_forcelist=(500, 502, 503, 504),
            allowed_methods=frozenset({"GET"}),
            raise_on_status=False,
        )
        adapter = HTTPAdapter(max_retries=retry)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.requests = requests

    @property
    def label(self) -> str:
        return _("ECHE List API at %(url)s") % {"url": self.base_url}

    def lookup(self, identifiers: dict[str, str]) -> tuple[str, list[Charter]]:
        for name in MATCH_ORDER:
            value = identifiers.get(name)
            if not value:
                continue
            found = self._get(f"{self.base_url}/{self.PATHS[name]}/{quote(value, safe='')}")
            if found:
                return name, found
        return MATCH_ORDER[0], []

    def _get(self, url: str) -> list[Charter]:
        try:
            response = self.session.get(url, timeout=self.timeout, headers={"Accept": "application/json"})
        except self.requests.RequestException as error:
            raise SourceError(
                _("The ECHE service could not be reached (%(error)s).") % {"error": error}
            ) from error
        if response.status_code == 404:
            return []
        if response.status_code != 200:
            raise SourceError(
                _("The ECHE service answered %(status)s for %(url)s.")
                % {"status": response.status_code, "url": url}
            )
        try:
            payload = response.json()
        except ValueError as error:
            raise SourceError(
                _("The ECHE service did not answer JSON for %(url)s.") % {"url": url}
            ) from error
        if isinstance(payload, dict):  # tolerate {"content": [...]}-style envelopes
            payload = payload.get("content") or payload.get("items") or payload.get("results") or []
        if not isinstance(payload, list):
            raise SourceError(
                _("The ECHE service answered something other than a list for %(url)s.") % {"url": url}
            )
        try:
            return [_charter_from_json(item) for item in payload if isinstance(item, dict)]
        except ValueError as error:
            raise SourceError(
                _("The ECHE service answered a malformed date (%(error)s).") % {"error": error}
            ) from error


def _charter_from_json(item: dict) -> Charter:
    return Charter(
        erasmus_code=str(item.get("erasmusCode") or ""),
        pic=normalise_pic(item.get("pic")),
        oid=normalise_oid(item.get("oid")),
        start=_parse_date(item.get("echeStartDate")),
        end=_parse_date(item.get("echeEndDate")),
        legal_name=str(item.get("legalName") or item.get("name") or ""),
    )


def configured_source():
    if settings.ECHE_SOURCE == "http":
        return HttpSource()
    return RegistrySource()


# --- Who needs a charter ------------------------------------------------------------------------------------


def charter_country_codes() -> set[str]:
    """Codes of the countries whose HEIs are looked up: not third-not-associated in base status or in some
    edition's override. Two queries."""
    from .models import Country

    codes = set(
        Country.objects.exclude(programme_status=ProgrammeStatus.THIRD_NOT_ASSOCIATED).values_list(
            "code", flat=True
        )
    )
    try:
        overrides = apps.get_model("eligibility", "EditionCountryStatus")
    except LookupError:  # pragma: no cover - eligibility is always installed
        return codes
    codes |= set(
        overrides.objects.exclude(programme_status=ProgrammeStatus.THIRD_NOT_ASSOCIATED).values_list(
            "country_id", flat=True
        )
    )
    return codes


def _not_required(organisation, charter_countries: set[str]) -> str | None:
    """Why this organisation needs no charter, or None when it must be looked up."""
    if not organisation.type.higher_education:
        return _("Not a higher education institution.")
    country = organisation.country
    effective = country.member_state_id or country.code
    if effective not in charter_countries and country.code not in charter_countries:
        return _("A higher education institution from a third country not associated to the Programme.")
    return None


def outcome_for(organisation, source, *, charter_countries: set[str] | None = None, today=None) -> Outcome:
    """Decide an organisation's status (raises SourceError when the source fails)."""
    if charter_countries is None:
        charter_countries = charter_country_codes()
    reason = _not_required(organisation, charter_countries)
    if reason:
        return Outcome(EcheStatus.NOT_REQUIRED, detail=reason)
    identifiers = identifiers_of(organisation)
    if not any(identifiers.values()):
        return Outcome(
            EcheStatus.NOT_FOUND, detail=_("No Erasmus code, PIC or OID to look up."), source=source.label
        )
    found = source.lookup(identifiers)
    if found is None:
        return Outcome(EcheStatus.PENDING, detail=_("No ECHE list is imported yet."))
    matched_by, charters = found
    return decide(matched_by, charters, today or timezone.localdate(), source=source.label)


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
    outcome = outcome_for(organisation, source or configured_source())
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


def queue_checks(organisation_ids: Iterable[int]) -> int:
    """Queue a check per organisation now (call it on commit). A broker that is down is logged and
    swallowed: the organisations stay `pending` with `eche_requested_at` set, and the sweep re-queues them.
    Returns how many were queued."""
    from .tasks import check_eche

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
    """Mark organisations as waiting for a check and queue the checks after commit (the admin action)."""
    ids = list(organisation_ids)
    if not ids:
        return 0
    now = timezone.now()
    with transaction.atomic():
        organisations = list(Organisation.objects.select_for_update().filter(pk__in=ids))
        for organisation in organisations:
            organisation.eche_requested_at = now
            # eche_requested_at alone: eligibility does not read it; the status stays until the check answers.
            organisation.save(update_fields=["eche_requested_at"])
        transaction.on_commit(lambda: queue_checks([o.pk for o in organisations]), robust=True)
    return len(organisations)


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


class _Index:
    """The current list in memory, by each identifier: one query for the whole re-check."""

    def __init__(self, current: EcheList):
        self.current = current
        self.label = current.provenance
        self.by = {name: defaultdict(list) for name in MATCH_ORDER}
        for holder in EcheHolder.objects.filter(list=current).only(
            "row", "erasmus_code", "erasmus_code_normalised", "pic", "oid", "start", "end", "legal_name"
        ):
            charter = _charter(holder)
            if holder.erasmus_code_normalised:
                self.by["erasmus_code"][holder.erasmus_code_normalised].append(charter)
            if holder.pic:
                self.by["pic"][holder.pic].append(charter)
            if holder.oid:
                self.by["oid"][holder.oid].append(charter)

    def lookup(self, identifiers: dict[str, str]):
        for name in MATCH_ORDER:
            value = identifiers.get(name)
            if value and value in self.by[name]:
                return name, self.by[name][value]
        return MATCH_ORDER[0], []


def _recheck_candidates():
    """HEIs, and organisations that are no HEI but whose stored status says otherwise (a type changed)."""
    from django.db.models import Q

    return Organisation.objects.filter(
        Q(type__higher_education=True) | ~Q(eche_status=EcheStatus.NOT_REQUIRED)
    )


def organisations_recheck_all(
    *, batch_size: int = RECHECK_BATCH, progress: Callable[[int], None] | None = None
) -> dict:
    """Re-check every HEI against the imported list, in batches: a fixed number of queries per batch.

    With the HTTP source this queues one task per HEI instead (each is a network call). Changed statuses are
    written with one bulk update per batch, and the proposals they affect are re-evaluated explicitly
    (bulk_update sends no signals).
    """
    if settings.ECHE_SOURCE == "http":
        ids = list(_recheck_candidates().values_list("pk", flat=True))
        return {"queued": queue_checks(ids), "checked": 0, "changed": 0}
    current = EcheList.objects.filter(is_current=True).first()
    source = _Index(current) if current else RegistrySource()
    charter_countries = charter_country_codes()
    today = timezone.localdate()
    checked = changed = 0
    last_pk = 0
    while True:
        batch = list(
            _recheck_candidates()
            .filter(pk__gt=last_pk)
            .select_related("country", "type")
            .order_by("pk")[:batch_size]
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
                _reevaluate_proposals_of(status_changed)
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


def _reevaluate_proposals_of(organisation_ids: list[int]) -> None:
    from alliances.models import Participation
    from eligibility import signals as eligibility_signals  # wiring, not rules

    eligibility_signals.schedule(
        Participation.objects.filter(organisation_id__in=organisation_ids)
        .values_list("proposal_id", flat=True)
        .distinct()
    )


# --- Importing a list ---------------------------------------------------------------------------------------


def eche_list_store(*, parsed: ParsedList, user=None) -> EcheList:
    """Store a parsed list and make it the current one, atomically; queue the re-check of every HEI after
    commit. Superseded lists stay (who imported what, when) but lose their holders: only the current
    counts."""
    with transaction.atomic():
        new = EcheList.objects.create(
            source_name=parsed.source_name[:255],
            sheet=parsed.sheet[:100],
            header_row=parsed.header_row,
            publication_date=parsed.publication_date,
            imported_by=user if user is not None and user.is_authenticated else None,
            rows_read=parsed.rows_read,
            holders_count=len(parsed.holders),
            refused_count=len(parsed.refused),
            warnings_count=len(parsed.warnings),
            refused=[{"row": p.row, "reason": p.reason} for p in parsed.refused],
            warnings=[{"row": p.row, "reason": p.reason} for p in parsed.warnings],
        )
        _holders_insert(
            (
                new.pk,
                h.row,
                h.erasmus_code[:40],
                h.erasmus_code_normalised[:40],
                h.pic,
                h.oid,
                h.legal_name[:500],
                h.city[:200],
                h.country,
                h.start,
                h.end,
            )
            for h in parsed.holders
        )
        previous = list(
            EcheList.objects.select_for_update().filter(is_current=True).values_list("pk", flat=True)
        )
        EcheHolder.objects.filter(list_id__in=previous).delete()  # no signals, no cascades: one DELETE
        EcheList.objects.filter(pk__in=previous).update(is_current=False)
        EcheList.objects.filter(pk=new.pk).update(is_current=True)
        new.is_current = True
        transaction.on_commit(queue_recheck_all, robust=True)
    return new


HOLDER_COLUMNS = [
    "list", "row", "erasmus_code", "erasmus_code_normalised", "pic", "oid", "legal_name", "city", "country",
    "start", "end",
]  # fmt: skip


def _holders_insert(rows: Iterable[tuple]) -> None:
    """Insert a list's holders, given as tuples of HOLDER_COLUMNS: with COPY on PostgreSQL (building some
    6,000 rows through the ORM took about half as long as reading the workbook), bulk_create elsewhere."""
    fields = [EcheHolder._meta.get_field(name) for name in HOLDER_COLUMNS]
    if connection.vendor != "postgresql":
        names = [field.attname for field in fields]
        holders = (EcheHolder(**dict(zip(names, row, strict=True))) for row in rows)
        EcheHolder.objects.bulk_create(holders, batch_size=HOLDER_BATCH)
        return
    data = io.StringIO()
    data.writelines("\t".join(map(_copy_text, row)) + "\n" for row in rows)
    data.seek(0)
    columns = ", ".join(connection.ops.quote_name(field.column) for field in fields)
    table = connection.ops.quote_name(EcheHolder._meta.db_table)
    with connection.cursor() as cursor:
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", data)


def _copy_text(value) -> str:
    """A value (text, a number or a date) in COPY's text format: NULL as \\N, backslashes and line and field
    separators escaped."""
    if value is None:
        return "\\N"
    return str(value).translate(_COPY_ESCAPES)


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})


def queue_recheck_all() -> None:
    from .tasks import recheck_all_eche

    try:
        recheck_all_eche.delay()
    except Exception:
        logger.warning("Could not queue the re-check after an import; re-checking here", exc_info=True)
        organisations_recheck_all()


def eche_list_import(
    *, source, filename: str, user=None, progress: Callable[[int], None] | None = None
) -> tuple[EcheList, ParsedList]:
    """Parse and store a list. Raises ListFormatError (the current list stays as it was)."""
    parsed = read_holder_list(source, filename=filename, progress=progress)
    return eche_list_store(parsed=parsed, user=user), parsed


def import_job_run(*, job_id: int) -> None:
    """Run an admin upload: progress and result are written to the job as they come."""
    import io

    from .eche_import import ListFormatError

    job = EcheImportJob.objects.filter(pk=job_id).first()
    if job is None or job.finished:
        return
    EcheImportJob.objects.filter(pk=job_id).update(
        status=ImportJobStatus.RUNNING, started_at=timezone.now(), rows_done=0
    )

    def progress(rows: int) -> None:
        EcheImportJob.objects.filter(pk=job_id).update(rows_done=rows)

    try:
        eche_list, parsed = eche_list_import(
            source=io.BytesIO(bytes(job.content)),
            filename=job.filename,
            user=job.uploaded_by,
            progress=progress,
        )
    except ListFormatError as error:
        EcheImportJob.objects.filter(pk=job_id).update(
            status=ImportJobStatus.FAILED,
            finished_at=timezone.now(),
            message=_("Refused: %(reason)s The current list is unchanged.") % {"reason": error},
        )
        return
    EcheImportJob.objects.filter(pk=job_id).update(
        status=ImportJobStatus.DONE,
        finished_at=timezone.now(),
        eche_list=eche_list,
        message=import_summary(parsed),
    )


def import_summary(parsed: ParsedList) -> str:
    lines = [
        _(
            "%(rows)d rows read, %(holders)d holders imported, %(refused)d rows refused, "
            "%(warnings)d warnings."
        )
        % {
            "rows": parsed.rows_read,
            "holders": len(parsed.holders),
            "refused": len(parsed.refused),
            "warnings": len(parsed.warnings),
        }
    ]
    lines += [
        _("Row %(row)d refused: %(reason)s") % {"row": p.row, "reason": p.reason} for p in parsed.refused
    ]
    return "\n".join(lines)
