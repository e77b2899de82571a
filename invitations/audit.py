"""The audit trail, written explicitly by the services, in the transaction that makes the change."""

from alliances.models import Participation
from partners.models import ChangeRequestStatus

from .models import ActorKind, EventKind, Invitation, ParticipationEvent


def _actor(actor) -> dict:
    """A user, or one of ActorKind.INVITATION / ActorKind.SYSTEM."""
    if actor in (ActorKind.INVITATION, ActorKind.SYSTEM, ActorKind.CURATOR):
        return {"actor_kind": actor, "actor": None}
    if getattr(actor, "pk", None):
        return {"actor_kind": ActorKind.USER, "actor": actor}
    return {"actor_kind": ActorKind.SYSTEM, "actor": None}


def _event(
    *, kind, participation: Participation, invitation: Invitation | None, actor, detail=None, **fields
) -> ParticipationEvent:
    return ParticipationEvent.objects.create(
        proposal_id=participation.proposal_id,
        participation=participation,
        invitation=invitation,
        subject=participation.organisation.legal_name[:255],
        kind=kind,
        detail=detail or {},
        **_actor(actor),
        **fields,
    )


def participation_status_changed(
    *, participation, from_status, to_status, actor, invitation=None, detail=None
):
    return _event(
        kind=EventKind.STATUS_CHANGED,
        participation=participation,
        invitation=invitation,
        actor=actor,
        detail=detail,
        from_status=from_status,
        to_status=to_status,
    )


def invitation_event(*, kind, invitation: Invitation, actor, detail=None):
    return _event(
        kind=kind,
        participation=invitation.participation,
        invitation=invitation,
        actor=actor,
        detail=detail,
    )


def _before_after(changes: dict) -> dict:
    """A correction's changes as the trail keeps them: {field: [before, after]}."""
    return {field: [change["old"], change["new"]] for field, change in changes.items()}


def organisation_corrected(*, invitation: Invitation, changes: dict, pending: bool = False):
    """`changes` as the correction has them ({field: {"old", "new"}}); `pending`: sent for review, not
    applied."""
    detail = {"changes": _before_after(changes)}
    if pending:
        detail["pending_review"] = True
    return invitation_event(
        kind=EventKind.ORGANISATION_CORRECTED,
        invitation=invitation,
        actor=ActorKind.INVITATION,
        detail=detail,
    )


def correction_decided(*, invitation: Invitation, change_request):
    """A curator's decision on what the partner asked for through this invitation: the fields and the
    curator's note, not who the curator is."""
    approved = change_request.status == ChangeRequestStatus.APPROVED
    return invitation_event(
        kind=EventKind.CORRECTION_APPROVED if approved else EventKind.CORRECTION_REJECTED,
        invitation=invitation,
        actor=ActorKind.CURATOR,
        detail={"changes": _before_after(change_request.changes), "note": change_request.review_note},
    )


def contact_corrected(*, invitation: Invitation, changes: dict):
    return invitation_event(
        kind=EventKind.CONTACT_CORRECTED,
        invitation=invitation,
        actor=ActorKind.INVITATION,
        detail={"changes": changes},
    )
