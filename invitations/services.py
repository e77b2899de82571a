"""Writes of invitations by coordinators and partners, each an atomic function that locks what it changes
(what the tasks write, sending and reminding and expiring, is in `delivery`, with the same locks).

Lock order, everywhere: the proposal, then the participation, then the invitation, then the organisation.
The proposal comes first as in `alliances.services`, so a coordinator's edit and a partner's answer run one
after the other and never deadlock. The participation's status changes only through
`set_participation_status`, each change written to the audit trail in the same transaction; eligibility is
re-evaluated by its signals after commit. Every
change the builder page shows (an invitation's state, its dates, the audit trail) touches the proposal
(`alliances.services.proposal_touch`), which gives it a new version: the builder's cache key.
"""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from alliances.curation import organisation_correct
from alliances.models import Participation, ParticipationStatus, Proposal
from alliances.services import proposal_partner_answered, proposal_touch
from partners.models import ChangeRequestOrigin, Organisation

from . import audit, limits, tokens
from .models import ANSWERED_STATUSES, LIVE_STATUSES, ActorKind, EventKind, Invitation, InvitationStatus

logger = logging.getLogger(__name__)

PARTNER_ORGANISATION_FIELDS = ("legal_name", "acronym", "city", "website", "pic", "oid", "erasmus_code")
CONTACT_FIELDS = ("contact_name", "contact_email")


class InvitationUnavailable(Exception):
    """The link can no longer be used; `reason` says why: answered, expired, revoked, superseded, removed
    (with its participant), unknown."""

    def __init__(self, reason: str, invitation: Invitation | None = None):
        super().__init__(reason)
        self.reason = reason
        self.invitation = invitation


def ttl() -> timedelta:
    return timedelta(days=settings.INVITATION_TTL_DAYS)


def answer_state(invitation: Invitation, now=None) -> str:
    """live, answered, expired, revoked, superseded, or archived (its proposal is, until restored)."""
    if invitation.status in ANSWERED_STATUSES:
        return "answered"
    if invitation.status == InvitationStatus.REVOKED:
        return "revoked"
    if invitation.status == InvitationStatus.SUPERSEDED:
        return "superseded"
    if invitation.participation.proposal.archived_at is not None:
        return "archived"
    if invitation.has_expired(now):
        return "expired"
    return "live"


# --- Locking helpers ---------------------------------------------------------------------------------------


def _lock_proposal(proposal_id: int) -> Proposal:
    # NO KEY UPDATE: conflicts with every other writer's lock, but not with inserts that merely point at it.
    return Proposal.objects.select_for_update(no_key=True).get(pk=proposal_id)


def _lock_participation(participation_id: int) -> Participation:
    """Lock the proposal, then the participation (DoesNotExist if it was removed)."""
    proposal_id = Participation.objects.values_list("proposal_id", flat=True).get(pk=participation_id)
    _lock_proposal(proposal_id)
    return (
        Participation.objects.select_for_update(no_key=True, of=("self",))
        .select_related("organisation", "proposal")
        .get(pk=participation_id)
    )


def _lock_invitation(invitation_id: int) -> Invitation:
    """Lock the proposal, the participation, then the invitation."""
    participation_id = Invitation.objects.values_list("participation_id", flat=True).get(pk=invitation_id)
    participation = _lock_participation(participation_id)
    invitation = Invitation.objects.select_for_update(no_key=True).get(pk=invitation_id)
    invitation.participation = participation
    return invitation


def lock_invitation_if_there(invitation_id: int) -> Invitation | None:
    """`_lock_invitation`, or None when the invitation or its participation has gone meanwhile."""
    try:
        return _lock_invitation(invitation_id)
    except (Invitation.DoesNotExist, Participation.DoesNotExist):
        return None


def set_participation_status(*, participation: Participation, status: str, actor, invitation=None) -> None:
    if participation.status == status:
        return
    before = participation.status
    participation.status = status
    # A save (not update()): the eligibility signals re-evaluate the proposal once this commits.
    participation.save(update_fields=["status", "updated_at"])
    audit.participation_status_changed(
        participation=participation, from_status=before, to_status=status, actor=actor, invitation=invitation
    )


def _queue_on_commit(task_name: str, invitation_id: int) -> None:
    from . import tasks

    transaction.on_commit(lambda: tasks.queue(task_name, invitation_id), robust=True)


# --- Coordinator side --------------------------------------------------------------------------------------


def _check_invitable(participation: Participation) -> None:
    if not participation.contact_email:
        raise ValidationError(_("Add the contact's email address first: the invitation is sent there."))
    if participation.status == ParticipationStatus.CONFIRMED:
        raise ValidationError(_("This participation is already confirmed."))


def _live_invitation(participation: Participation) -> Invitation | None:
    return (
        Invitation.objects.select_for_update(no_key=True)
        .filter(participation=participation, status__in=LIVE_STATUSES)
        .first()
    )


def _new_invitation(*, participation: Participation, actor) -> Invitation:
    sender = actor if getattr(actor, "pk", None) else None
    if sender is not None and sender.email_confirmed_at is None:
        # The email names its sender's address for the partner to write to: until it is proven, the account
        # may be anyone's who typed it (as for co-editors, accounts/confirmation.py).
        raise ValidationError(
            _(
                "Nothing was sent: confirm your email address first, as the invitation gives it to the "
                "partner to write to. The link is in the email sent when you signed up; your list of "
                "proposals sends a new one."
            )
        )
    limits.count_send(proposal_id=participation.proposal_id, email=participation.contact_email, sender=sender)
    try:
        with transaction.atomic():
            invitation = Invitation.objects.create(
                participation=participation,
                email=participation.contact_email,
                created_by=sender,
                expires_at=timezone.now() + ttl(),
            )
    except IntegrityError as exc:  # cannot happen under the proposal lock; kept as the last line of defence
        raise ValidationError(_("This participant already has an open invitation.")) from exc
    invitation.participation = participation
    audit.invitation_event(
        kind=EventKind.CREATED, invitation=invitation, actor=actor, detail={"email": invitation.email}
    )
    set_participation_status(
        participation=participation, status=ParticipationStatus.INVITED, actor=actor, invitation=invitation
    )
    proposal_touch(proposal_id=participation.proposal_id)
    # The token is made by the worker that sends the email: it never travels through the broker.
    _queue_on_commit("send_invitation", invitation.pk)
    return invitation


@transaction.atomic
def invitation_create(*, participation: Participation, actor) -> Invitation:
    """Invite the participation's contact: the participation becomes invited; the email goes after commit."""
    locked = _lock_participation(participation.pk)
    _check_invitable(locked)
    if _live_invitation(locked) is not None:
        raise ValidationError(
            _("%(name)s already has an open invitation: re-send it or revoke it.")
            % {"name": locked.organisation.legal_name}
        )
    return _new_invitation(participation=locked, actor=actor)


@transaction.atomic
def invitation_resend(*, participation: Participation, actor) -> Invitation:
    """A new invitation with a new link; the open one (if any) dies with its link. Not to a partner that
    declined since the page was shown: asking again is an Invite, made knowingly."""
    locked = _lock_participation(participation.pk)
    _check_invitable(locked)
    previous = _live_invitation(locked)
    if previous is None and locked.status == ParticipationStatus.DECLINED:
        raise ValidationError(
            _("%(name)s has declined: nothing was sent. To ask again, use Invite again.")
            % {"name": locked.organisation.display_name}
        )
    if previous is not None:
        previous.participation = locked
        previous.status = InvitationStatus.SUPERSEDED
        previous.revoked_at = timezone.now()
        previous.save(update_fields=["status", "revoked_at"])
        audit.invitation_event(kind=EventKind.SUPERSEDED, invitation=previous, actor=actor)
    return _new_invitation(participation=locked, actor=actor)


def _revoke(*, invitation: Invitation, actor, detail=None) -> None:
    invitation.status = InvitationStatus.REVOKED
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["status", "revoked_at"])
    audit.invitation_event(kind=EventKind.REVOKED, invitation=invitation, actor=actor, detail=detail)
    proposal_touch(proposal_id=invitation.participation.proposal_id)
    if invitation.participation.status == ParticipationStatus.INVITED:
        set_participation_status(
            participation=invitation.participation,
            status=ParticipationStatus.PROPOSED,
            actor=actor,
            invitation=invitation,
        )


@transaction.atomic
def invitation_revoke(*, invitation: Invitation, actor) -> Invitation:
    """The link dies at once; the participation goes back to proposed."""
    locked = _lock_invitation(invitation.pk)
    if not locked.is_live:
        raise _nothing_to_revoke()
    _revoke(invitation=locked, actor=actor)
    return locked


@transaction.atomic
def invitation_revoke_open(*, participation: Participation, actor) -> Invitation:
    """Revoke the participation's open invitation, whichever it is (the builder's Revoke)."""
    locked = _lock_participation(participation.pk)
    invitation = _live_invitation(locked)
    if invitation is None:
        raise _nothing_to_revoke()
    invitation.participation = locked
    _revoke(invitation=invitation, actor=actor)
    return invitation


def _nothing_to_revoke() -> ValidationError:
    return ValidationError(_("This invitation is no longer open: nothing to revoke."))


@transaction.atomic
def invitation_revoke_readdressed(*, participation: Participation) -> None:
    """Revoke the open invitation to an address that is no longer the participation's contact email.

    Called in the transaction that saves the new address, so the old link dies with it: its addressee can
    no longer answer, nor overwrite the corrected contact with their own.
    """
    stale = (
        Invitation.objects.filter(participation=participation, status__in=LIVE_STATUSES)
        .exclude(email__iexact=participation.contact_email)
        .first()
    )
    if stale is None:
        return
    locked = _lock_invitation(stale.pk)
    if locked.is_live:
        _revoke(invitation=locked, actor=ActorKind.SYSTEM, detail={"email": locked.email})


# --- Partner side ------------------------------------------------------------------------------------------


def invitation_open(*, invitation: Invitation) -> None:
    """Record the first opening of the link: bookkeeping only, never an answer or a change of what the
    coordinator built (email scanners open links too)."""
    if invitation.opened_at is not None or answer_state(invitation) != "live":
        return
    with transaction.atomic():
        locked = lock_invitation_if_there(invitation.pk)
        if locked is None or locked.opened_at is not None or answer_state(locked) != "live":
            return
        locked.opened_at = timezone.now()
        locked.status = InvitationStatus.OPENED
        locked.save(update_fields=["opened_at", "status"])
        audit.invitation_event(kind=EventKind.OPENED, invitation=locked, actor=ActorKind.INVITATION)
        proposal_touch(proposal_id=locked.participation.proposal_id)


def _lock_for_answer(*, invitation_id: int, token_hash: str) -> Invitation:
    locked = lock_invitation_if_there(invitation_id)
    if locked is None:  # its participant was removed since the partner's page checked the link
        raise InvitationUnavailable("removed")
    if not tokens.opens(token_hash, locked):
        raise InvitationUnavailable("unknown")
    state = answer_state(locked)
    if state != "live":
        raise InvitationUnavailable(state, locked)
    return locked


def _apply_organisation_changes(*, invitation: Invitation, data: dict, requester_email: str) -> bool | None:
    """The partner's corrections: applied at once to a record only this proposal has (and nobody else made),
    otherwise sent to the curators as a change request (`alliances.curation`). True if sent for review,
    False if applied, None if there was nothing to correct."""
    participation = invitation.participation
    values = {field: data[field] or "" for field in PARTNER_ORGANISATION_FIELDS if field in data}
    correction = organisation_correct(
        organisation_id=participation.organisation_id,
        proposal=participation.proposal,
        values=values,
        origin=ChangeRequestOrigin.INVITATION,
        requester_email=requester_email,
        context=_("Proposal “%(acronym)s”, invitation to %(email)s")
        % {"acronym": participation.proposal.acronym, "email": invitation.email},
    )
    if not correction.changes:
        return None
    if correction.applied:
        participation.organisation = Organisation.objects.get(pk=participation.organisation_id)
    pending = not correction.applied
    audit.organisation_corrected(invitation=invitation, changes=correction.changes, pending=pending)
    return not correction.applied


def _apply_contact_changes(*, invitation: Invitation, data: dict) -> list[str]:
    participation = invitation.participation
    changes = {}
    for field in CONTACT_FIELDS:
        if field in data and data[field] and data[field] != getattr(participation, field):
            changes[field] = [getattr(participation, field), data[field]]
            setattr(participation, field, data[field])
    if changes:
        audit.contact_corrected(invitation=invitation, changes=changes)
    return list(changes)


def _answer(*, invitation: Invitation, status: str, participation_status: str, contact_fields: list[str]):
    now = timezone.now()
    invitation.status = status
    invitation.answered_at = now
    if invitation.opened_at is None:
        invitation.opened_at = now
    invitation.save(update_fields=["status", "answered_at", "opened_at", "decline_reason"])
    kind = EventKind.CONFIRMED if status == InvitationStatus.CONFIRMED else EventKind.DECLINED
    detail = {"reason": invitation.decline_reason} if invitation.decline_reason else {}
    audit.invitation_event(kind=kind, invitation=invitation, actor=ActorKind.INVITATION, detail=detail)
    participation = invitation.participation
    before = participation.status
    participation.status = participation_status
    participation.save(update_fields=[*contact_fields, "status", "updated_at"])
    if before != participation_status:
        audit.participation_status_changed(
            participation=participation,
            from_status=before,
            to_status=participation_status,
            actor=ActorKind.INVITATION,
            invitation=invitation,
        )
    proposal_partner_answered(participation=participation, confirmed=status == InvitationStatus.CONFIRMED)
    _queue_on_commit("notify_coordinator", invitation.pk)


@transaction.atomic
def invitation_confirm(
    *,
    invitation_id: int,
    token_hash: str,
    organisation: dict | None = None,
    contact: dict | None = None,
    role_shown: str | None = None,
) -> Invitation:
    """The partner confirms, with any corrections of their organisation and contact. Exactly once; and only
    the role the page showed them (ValidationError when the coordinator changed it since)."""
    locked = _lock_for_answer(invitation_id=invitation_id, token_hash=token_hash)
    role = locked.participation.role
    if role_shown is not None and role_shown != role:
        raise ValidationError(
            _(
                "The coordinator changed your role to %(role)s since this page opened: nothing was "
                "confirmed. Check the invitation again and confirm if you agree."
            )
            % {"role": locked.participation.role_in_a_sentence}
        )
    sent_for_review = None
    if organisation:
        # The outcome goes to the address the link was sent to, not to one typed in the form: the email
        # quotes what the partner asked for, and must not carry it to anyone they name.
        sent_for_review = _apply_organisation_changes(
            invitation=locked, data=organisation, requester_email=locked.email
        )
    # For the page that thanks the partner: what became of their corrections.
    locked.correction_sent_for_review = sent_for_review is True
    locked.correction_applied = sent_for_review is False
    contact_fields = _apply_contact_changes(invitation=locked, data=contact or {})
    _answer(
        invitation=locked,
        status=InvitationStatus.CONFIRMED,
        participation_status=ParticipationStatus.CONFIRMED,
        contact_fields=contact_fields,
    )
    return locked


@transaction.atomic
def invitation_decline(*, invitation_id: int, token_hash: str, reason: str = "") -> Invitation:
    locked = _lock_for_answer(invitation_id=invitation_id, token_hash=token_hash)
    locked.decline_reason = (reason or "").strip()[:2000]
    _answer(
        invitation=locked,
        status=InvitationStatus.DECLINED,
        participation_status=ParticipationStatus.DECLINED,
        contact_fields=[],
    )
    return locked
