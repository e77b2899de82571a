"""The invitation column and the audit trail of the builder page, at a constant number of queries.

The builder's templates show them through `{% participant_invitation %}` and `{% audit_trail %}`: what an
invitation looks like stays with invitations.
"""

from django import template

from alliances.models import ParticipationStatus
from invitations.models import EventKind, InvitationStatus
from invitations.selectors import audit_trail, latest_invitations

register = template.Library()

BADGE_CLASSES = {
    InvitationStatus.QUEUED: "text-bg-light border",
    InvitationStatus.SENT: "text-bg-info",
    InvitationStatus.OPENED: "text-bg-primary",
    InvitationStatus.CONFIRMED: "text-bg-success",
    InvitationStatus.DECLINED: "text-bg-danger",
    InvitationStatus.EXPIRED: "text-bg-secondary",
    InvitationStatus.REVOKED: "text-bg-dark",
    InvitationStatus.SUPERSEDED: "text-bg-secondary",
}


@register.simple_tag
def invitation_for(participation, proposal):
    """The participation's latest invitation. The first call loads those of the whole proposal (one query)
    and keeps them on the proposal object, which every row of one page shares."""
    cached = getattr(proposal, "_latest_invitations", None)
    if cached is None:
        cached = latest_invitations(proposal_id=proposal.pk)
        proposal._latest_invitations = cached
    return cached.get(participation.pk)


@register.simple_tag
def audit_events(proposal, limit=50):
    return audit_trail(proposal_id=proposal.pk, limit=limit)


@register.inclusion_tag("invitations/partials/participant_invitation.html", takes_context=True)
def participant_invitation(context, participation, proposal):
    """A participant's invitation: its state, dates and the actions the coordinator may take."""
    return {
        "participation": participation,
        "proposal": proposal,
        "invitation": invitation_for(participation, proposal),
        "csrf_token": context.get("csrf_token"),
    }


@register.inclusion_tag("invitations/partials/audit_trail.html", takes_context=True, name="audit_trail")
def audit_trail_tag(context, proposal):
    """The proposal's participation and invitation history."""
    return {"proposal": proposal, "csrf_token": context.get("csrf_token")}


@register.filter
def invitation_badge(status):
    return BADGE_CLASSES.get(status, "text-bg-secondary")


@register.filter
def participation_status(status):
    try:
        return ParticipationStatus(status).label
    except ValueError:
        return status


@register.filter
def event_label(kind):
    try:
        return EventKind(kind).label
    except ValueError:
        return kind
