"""Curation of the shared directory: corrections as change requests, reviewed by curators.

The directory knows nothing of proposals: whether a correction may be applied at once (an unverified record
that only the requester's proposal uses) is decided above it (`alliances.curation`). Here: what a correction
changes, whether its identifiers are free, applying it, and the requests' life (made, approved, rejected).
Every request made or decided sends `change_requests_changed`, so the apps above refresh what they show.
"""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.background import delay_after_commit

from .labels import IDENTIFIER_LABELS, describe, shared_identifier_message
from .models import ChangeRequestOrigin, ChangeRequestStatus, Organisation, OrganisationChangeRequest
from .selectors import field_label, organisations_with_identifier, shared_by_listed_holders
from .signals import change_request_decided, change_requests_changed

# What a correction may change, as model field names; the foreign keys are stored by primary key.
CURATED_FIELDS = ("legal_name", "acronym", "country", "city", "website", "type", "pic", "oid", "erasmus_code")
IDENTIFIER_FIELDS = ("pic", "oid", "erasmus_code")
FOREIGN_KEYS = {"country": "country_id", "type": "type_id"}


def _stored(organisation: Organisation, field: str):
    return getattr(organisation, FOREIGN_KEYS.get(field, field))


def _plain(value):
    """A value as JSON keeps it: a country or type by its key, text as text, nothing as ""."""
    if value is None:
        return ""
    return getattr(value, "pk", value)


def organisation_changes(*, organisation: Organisation, values: dict) -> dict:
    """`{field: {"old": ..., "new": ...}}` for the values that differ from the stored record."""
    unknown = set(values) - set(CURATED_FIELDS)
    if unknown:
        raise TypeError(f"not a curated field: {sorted(unknown)}")
    changes = {}
    for field, value in values.items():
        old, new = _plain(_stored(organisation, field)), _plain(value)
        if old != new:
            changes[field] = {"old": old, "new": new}
    return changes


def check_identifiers(*, organisation: Organisation, changes: dict) -> None:
    """Refuse a correction that would give this record an identifier another organisation holds."""
    errors = {}
    for field in IDENTIFIER_FIELDS:
        new = changes.get(field, {}).get("new")
        if not new:
            continue
        holder = organisations_with_identifier(field=field, value=new, exclude_pk=organisation.pk).first()
        if holder is None and shared_by_listed_holders(field=field, value=new):
            errors[field] = shared_identifier_message(field, new)
        elif holder is not None:
            errors[field] = _(
                "%(identifier)s %(value)s belongs to %(organisation)s: an identifier never moves from one "
                "organisation to another. If that record is wrong, ask for its correction instead."
            ) % {"identifier": IDENTIFIER_LABELS[field], "value": new, "organisation": describe(holder)}
    if errors:
        raise ValidationError(errors)


def _with_changes(organisation: Organisation, changes: dict) -> Organisation:
    for field, change in changes.items():
        setattr(organisation, FOREIGN_KEYS.get(field, field), change["new"])
    return organisation


def validate_changes(*, organisation: Organisation, changes: dict) -> None:
    """The model's own checks (formats, refused characters, constraints) on the changed fields only, so a
    record that already holds something refused can still be corrected elsewhere."""
    check_identifiers(organisation=organisation, changes=changes)
    candidate = _with_changes(Organisation.objects.get(pk=organisation.pk), changes)
    others = [field.name for field in Organisation._meta.fields if field.name not in changes]
    candidate.full_clean(exclude=others, validate_unique=False, validate_constraints=False)


def organisation_apply_changes(*, organisation: Organisation, changes: dict) -> Organisation:
    """Write a correction into the record (locked by the caller), re-validated. The save triggers the ECHE
    check and the re-evaluation of every proposal it is in, as any save does."""
    if not changes:
        return organisation
    validate_changes(organisation=organisation, changes=changes)
    _with_changes(organisation, changes)
    fields = [FOREIGN_KEYS.get(field, field) for field in changes]
    try:
        with transaction.atomic():
            organisation.save(update_fields=[*fields, "updated_at"])
    except IntegrityError as exc:  # a concurrent save took the identifier meanwhile
        raise ValidationError(
            _("Another organisation in the directory already has one of these identifiers.")
        ) from exc
    return organisation


def _changed(organisation_id: int) -> None:
    change_requests_changed.send(sender=OrganisationChangeRequest, organisation_ids=[organisation_id])


def change_request_create(
    *,
    organisation: Organisation,
    changes: dict,
    origin: str,
    requested_by=None,
    requester_email="",
    context="",
) -> OrganisationChangeRequest:
    """A correction for a curator to review; refused at once if it could never be approved. The same
    correction by the same requester, still waiting, is not asked twice (a double click, a form sent again):
    the waiting request is returned. The caller holds the organisation's lock."""
    if not changes:
        raise ValueError("a change request needs changes")
    validate_changes(organisation=organisation, changes=changes)
    waiting = OrganisationChangeRequest.objects.filter(
        organisation=organisation,
        status=ChangeRequestStatus.PENDING,
        changes=changes,
        origin=origin,
        requested_by_id=getattr(requested_by, "pk", None),
        requester_email=requester_email or "",
    ).first()
    if waiting is not None:
        return waiting
    _refuse_past_the_daily_limit(requested_by)
    change_request = OrganisationChangeRequest.objects.create(
        organisation=organisation,
        changes=changes,
        origin=origin,
        requested_by=requested_by if getattr(requested_by, "pk", None) else None,
        requester_email=requester_email or "",
        context=context[:255],
    )
    _changed(organisation.pk)
    return change_request


def _refuse_past_the_daily_limit(requested_by) -> None:
    """An account asks for at most CHANGE_REQUESTS_PER_ACCOUNT_PER_DAY corrections in 24 hours: each one
    lands in the curators' queue and marks the record's proposals (a script sent 25 to one record in 2.6 s).
    Partners answer once per link, and official lists are not counted."""
    if getattr(requested_by, "pk", None) is None:
        return
    # Requests sent together passed the count at once (to different records): one after the other.
    get_user_model().objects.lock(requested_by)
    limit = settings.CHANGE_REQUESTS_PER_ACCOUNT_PER_DAY
    since = timezone.now() - timedelta(days=1)
    if (
        OrganisationChangeRequest.objects.filter(requested_by=requested_by, created_at__gte=since).count()
        >= limit
    ):
        raise ValidationError(
            _(
                "You have asked for %(limit)d corrections of shared records in the last 24 hours, as many as "
                "one account may: nothing was sent. Try again tomorrow."
            )
            % {"limit": limit}
        )


def _check_still_current(*, organisation: Organisation, changes: dict) -> None:
    moved = {
        field: change
        for field, change in changes.items()
        if _plain(_stored(organisation, field)) != change.get("old")
    }
    if moved:
        raise ValidationError(
            _(
                "The record changed since it was requested (%(fields)s): reject it, and ask for a new one if "
                "it is still needed."
            )
            % {"fields": ", ".join(str(field_label(field)) for field in moved)}
        )


def _lock_pending(change_request_id: int) -> OrganisationChangeRequest:
    change_request = OrganisationChangeRequest.objects.select_for_update().get(pk=change_request_id)
    if change_request.status != ChangeRequestStatus.PENDING:
        raise ValidationError(
            _("This request was already %(decision)s.")
            % {"decision": change_request.get_status_display().lower()}
        )
    return change_request


def _decide(change_request: OrganisationChangeRequest, *, status: str, reviewer, note: str) -> None:
    change_request.status = status
    change_request.reviewed_by = reviewer if getattr(reviewer, "pk", None) else None
    change_request.reviewed_at = timezone.now()
    change_request.review_note = (note or "").strip()[:500]
    change_request.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_note"])
    _changed(change_request.organisation_id)
    change_request_decided.send(sender=OrganisationChangeRequest, change_request=change_request)
    if change_request.requester_email:  # with the broker down, a thread of this process sends it
        from .tasks import send_change_request_outcome

        delay_after_commit(send_change_request_outcome, change_request.pk)


@transaction.atomic
def change_request_approve(*, change_request_id: int, reviewer, note: str = "") -> OrganisationChangeRequest:
    """Apply the request's changes (re-validated against the directory as it is now) and record who did.

    Refused when a field it changes no longer holds what it held when it was asked (another request approved
    meanwhile, a curator's edit): approving it would silently undo that newer change."""
    change_request = _lock_pending(change_request_id)
    organisation = Organisation.objects.select_for_update().get(pk=change_request.organisation_id)
    _check_still_current(organisation=organisation, changes=change_request.changes)
    organisation_apply_changes(organisation=organisation, changes=change_request.changes)
    if change_request.origin == ChangeRequestOrigin.ECHE_LIST and not organisation.verified:
        # It now holds what the official list says (the import left it unverified until then).
        organisation.verified = True
        organisation.save(update_fields=["verified", "updated_at"])
    change_request.organisation = organisation
    _decide(change_request, status=ChangeRequestStatus.APPROVED, reviewer=reviewer, note=note)
    return change_request


def outcome_to_tell(*, change_request_id: int) -> OrganisationChangeRequest | None:
    """The decided request whose partner has not been told yet (None: unknown, undecided, a coordinator's,
    or told already, by a redelivered task)."""
    return (
        OrganisationChangeRequest.objects.exclude(status=ChangeRequestStatus.PENDING)
        .exclude(requester_email="")
        .filter(pk=change_request_id, outcome_notified_at__isnull=True)
        .select_related("organisation")
        .first()
    )


def outcome_told(*, change_request: OrganisationChangeRequest) -> None:
    change_request.outcome_notified_at = timezone.now()
    change_request.save(update_fields=["outcome_notified_at"])


@transaction.atomic
def change_request_reject(*, change_request_id: int, reviewer, note: str = "") -> OrganisationChangeRequest:
    change_request = _lock_pending(change_request_id)
    _decide(change_request, status=ChangeRequestStatus.REJECTED, reviewer=reviewer, note=note)
    return change_request
