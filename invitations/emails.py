"""The invitation emails: plain text and HTML, rendered from templates/invitations/email/."""

from django.conf import settings
from django.urls import reverse

from alliances.models import Role
from config.mail import send_templated
from partners.curation import CURATED_FIELDS
from partners.selectors import field_label

from .models import EventKind, Invitation
from .selectors import coordinator_of


def _context(invitation: Invitation, **extra) -> dict:
    participation = invitation.participation
    proposal = participation.proposal
    applicant = proposal.participations.filter(role=Role.APPLICANT).select_related("organisation").first()
    return {
        "invitation": invitation,
        "participation": participation,
        "organisation": participation.organisation,
        "proposal": proposal,
        "role": participation.role_in_a_sentence,
        "coordinator": coordinator_of(invitation),
        "applicant": applicant.organisation if applicant else None,
        "expires_at": invitation.expires_at,
        "site_url": settings.SITE_URL,
        **extra,
    }


def _send(*, template: str, to: list[str], context: dict, reply_to: list[str] | None = None) -> None:
    send_templated(template=f"invitations/email/{template}", to=to, context=context, reply_to=reply_to)


def invitation_link(token: str) -> str:
    return settings.SITE_URL + reverse("invitations:link", args=[token])


def send_invitation(*, invitation: Invitation, token: str, reminder: bool = False) -> None:
    context = _context(invitation, link=invitation_link(token))
    coordinator = context["coordinator"]
    # An address not proven to be the coordinator's is given to no one (the owner's, named once the co-editor
    # who sent it is gone; one an admin changed): the email then names none and has no Reply-To.
    reply_address = context["reply_address"] = coordinator.email if coordinator.email_confirmed_at else ""
    _send(
        template="reminder" if reminder else "invitation",
        to=[invitation.email],
        context=context,
        reply_to=[reply_address] if reply_address else None,
    )


def _form_order(field: str) -> int:
    return CURATED_FIELDS.index(field) if field in CURATED_FIELDS else len(CURATED_FIELDS)


def _corrections(invitation: Invitation) -> dict | None:
    """What the partner corrected of their organisation's details with their answer, for the coordinator:
    {"pending": sent for review rather than applied, "changes": [(label, before, after)]}."""
    event = invitation.events.filter(kind=EventKind.ORGANISATION_CORRECTED).order_by("-pk").first()
    if event is None:
        return None
    in_form_order = sorted(event.detail["changes"].items(), key=lambda change: _form_order(change[0]))
    changes = [(field_label(field), old, new) for field, (old, new) in in_form_order]
    return {"pending": bool(event.detail.get("pending_review")), "changes": changes}


def send_answer_notification(*, invitation: Invitation) -> None:
    proposal = invitation.participation.proposal
    builder = settings.SITE_URL + reverse("alliances:builder", args=[proposal.pk])
    context = _context(invitation, builder_url=builder, corrections=_corrections(invitation))
    _send(
        template="answer",
        to=list(dict.fromkeys([context["coordinator"].email, proposal.owner.email])),
        context=context,
        reply_to=[invitation.participation.contact_email or invitation.email],
    )
