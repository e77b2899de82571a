"""Wiring only: a participation's contact email changed (in the builder, the admin...) → its open
invitation to the old address is revoked; a partner's correction decided by a curator → its invitation's
audit trail says so; a confirmed participant's role changed → the trail says its confirmation was withdrawn.

Unlike the on-commit receivers elsewhere, these act inside the transaction of the change: the old link must
die with the change, never a moment after it, and the trail is written with what it records.
"""

from django.db.models.signals import post_save

from alliances.models import Participation, ParticipationStatus
from alliances.signals import confirmation_withdrawn
from partners.models import ChangeRequestOrigin
from partners.signals import change_request_decided

from . import audit
from .models import Invitation
from .services import invitation_revoke_readdressed


def on_participation_saved(sender, instance, created, raw, update_fields, **kwargs):
    if created or raw or (update_fields is not None and "contact_email" not in update_fields):
        return
    if not instance.contact_email_changed:  # most saves (a role, a status, a name): no query
        return
    invitation_revoke_readdressed(participation=instance)


def on_change_request_decided(sender, change_request, **kwargs):
    """A partner's correction decided: the coordinator reads the outcome in the audit trail, where the
    correction was "sent for review" (the partner gets an email)."""
    if change_request.origin != ChangeRequestOrigin.INVITATION:
        return
    invitation = (
        Invitation.objects.filter(
            participation__proposal__corrections_requested=change_request,
            participation__organisation_id=change_request.organisation_id,
            email=change_request.requester_email,
        )
        .select_related("participation__organisation")
        .order_by("-pk")
        .first()
    )
    if invitation is not None:  # None: its participant was removed since
        audit.correction_decided(invitation=invitation, change_request=change_request)


def on_confirmation_withdrawn(sender, participation, actor, from_role, **kwargs):
    """A confirmed participant's role changed: the trail says its status went back to proposed, and why."""
    audit.participation_status_changed(
        participation=participation,
        from_status=ParticipationStatus.CONFIRMED,
        to_status=participation.status,
        actor=actor,
        detail={"from_role": from_role, "role": participation.role},
    )


def connect() -> None:
    confirmation_withdrawn.connect(
        on_confirmation_withdrawn, dispatch_uid="invitations:confirmation_withdrawn"
    )
    change_request_decided.connect(on_change_request_decided, dispatch_uid="invitations:correction_decided")
    post_save.connect(
        on_participation_saved, sender=Participation, dispatch_uid="invitations:revoke_readdressed"
    )
