"""The invitation column and the audit trail of the builder page, at a constant number of queries.

The builder's templates show them through `with_invitations` (each row's latest invitation, read once for
the table) and `{% audit_trail %}`.
"""

from django import template
from django.core.exceptions import FieldDoesNotExist

from alliances.models import Participation
from invitations.models import EventKind, InvitationStatus
from invitations.selectors import audit_trail, latest_invitations
from partners.selectors import field_label

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


@register.filter
def with_invitations(participations, proposal):
    """Each participation with its latest invitation (or None), as pairs for the rows of the builder's table:
    those of the whole proposal in one query."""
    latest = latest_invitations(proposal_id=proposal.pk)
    return [(participation, latest.get(participation.pk)) for participation in participations]


AUDIT_TRAIL_SHOWN = 50


@register.simple_tag
def audit_events(proposal, everything=False):
    """{"events": the newest 50 (or all), "more": whether there are older ones not shown}."""
    if everything:
        return {"events": audit_trail(proposal_id=proposal.pk, limit=None), "more": False}
    events = audit_trail(proposal_id=proposal.pk, limit=AUDIT_TRAIL_SHOWN + 1)
    return {"events": events[:AUDIT_TRAIL_SHOWN], "more": len(events) > AUDIT_TRAIL_SHOWN}


@register.inclusion_tag("invitations/partials/audit_trail.html", takes_context=True, name="audit_trail")
def audit_trail_tag(context, proposal):
    """The proposal's participation and invitation history."""
    return {"proposal": proposal, "csrf_token": context.get("csrf_token")}


@register.filter
def invitation_badge(status):
    return BADGE_CLASSES.get(status, "text-bg-secondary")


@register.filter
def event_label(kind):
    try:
        return EventKind(kind).label
    except ValueError:
        return kind


@register.filter
def changed_fields(changes) -> str:
    """The fields an audit event changed, as people read them ("legal name, city"), not their codes: the
    organisation's fields for a correction of its details, the participation's for one of the contact."""
    names = []
    for field in changes:
        try:
            names.append(str(Participation._meta.get_field(field).verbose_name))
        except FieldDoesNotExist:
            names.append(field_label(field))
    return ", ".join(names)
