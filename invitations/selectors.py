"""Reads for the partner's page and the coordinator's builder page."""

from django.db.models import Q

from alliances.models import Participation, ParticipationStatus, Role
from alliances.selectors import can_edit, in_role_order

from . import tokens
from .models import LIVE_STATUSES, Invitation, ParticipationEvent


def invitation_by_token(*, token: str) -> Invitation | None:
    """The invitation whose link (or reminder link) carries this token; None for anything else."""
    if not tokens.well_formed(token):
        return None
    digest = tokens.token_hash(token)
    invitation = (
        Invitation.objects.filter(Q(token_hash=digest) | Q(reminder_token_hash=digest))
        .select_related("participation__proposal")
        .first()
    )
    if invitation is None:
        return None
    return invitation if tokens.opens(digest, invitation) else None


def invitation_for_session(*, invitation_id: int, token_hash: str | None) -> Invitation | None:
    """The invitation if the session holds the hash of one of its links."""
    if not token_hash:
        return None
    invitation = (
        Invitation.objects.filter(pk=invitation_id)
        .select_related(
            "created_by",
            "participation__proposal__owner",
            "participation__organisation__country",
            "participation__organisation__type",
        )
        .first()
    )
    if invitation is None:
        return None
    return invitation if tokens.opens(token_hash, invitation) else None


def invitation_exists(invitation_id: int) -> bool:
    return Invitation.objects.filter(pk=invitation_id).exists()


def newer_link_sent(invitation: Invitation) -> bool:
    """Whether the participation of this dead invitation has an open one (made since: one is open at a time)
    to the same address: whoever holds this link has a working one in a newer email."""
    return Invitation.objects.filter(
        participation_id=invitation.participation_id, status__in=LIVE_STATUSES, email__iexact=invitation.email
    ).exists()


def coordinator_of(invitation: Invitation):
    """Whom an invitation names and notifies as its coordinator: its sender while they may edit the proposal
    (its owner or a co-editor), otherwise the owner, so a removed co-editor hears nothing more of it."""
    proposal = invitation.participation.proposal
    sender = invitation.created_by
    return sender if sender is not None and can_edit(user=sender, proposal=proposal) else proposal.owner


def partner_consortium(*, proposal) -> list[Participation]:
    """The consortium as a partner may see it: who is in it, in which role and status (no contacts)."""
    return in_role_order(
        Participation.objects.filter(proposal=proposal)
        .exclude(status=ParticipationStatus.WITHDRAWN)
        .select_related("organisation__country", "organisation__type")
        .order_by("created_at", "id")
    )


def applicant_of(participations) -> Participation | None:
    return next((p for p in participations if p.role == Role.APPLICANT), None)


def latest_invitations(*, proposal_id: int) -> dict[int, Invitation]:
    """The latest invitation of each participation of the proposal, in one query."""
    latest: dict[int, Invitation] = {}
    for invitation in Invitation.objects.filter(participation__proposal_id=proposal_id).order_by(
        "participation_id", "-created_at", "-id"
    ):
        latest.setdefault(invitation.participation_id, invitation)
    return latest


def audit_trail(*, proposal_id: int, limit: int | None) -> list[ParticipationEvent]:
    """The proposal's events, the newest first: the `limit` newest, or all of them (None)."""
    return list(
        ParticipationEvent.objects.filter(proposal_id=proposal_id)
        .select_related("actor")
        .order_by("-created_at", "-id")[:limit]
    )
