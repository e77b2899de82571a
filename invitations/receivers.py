"""Wiring only: a participation's contact email changed (in the builder, the admin...) → its open
invitation to the old address is revoked.

Unlike the on-commit receivers elsewhere, this one acts inside the save's transaction: the old link must die
with the change, never a moment after it.
"""

from django.db.models.signals import post_save

from alliances.models import Participation

from .services import invitation_revoke_readdressed


def on_participation_saved(sender, instance, created, raw, update_fields, **kwargs):
    if created or raw or (update_fields is not None and "contact_email" not in update_fields):
        return
    if not instance.contact_email_changed:  # most saves (a role, a status, a name): no query
        return
    invitation_revoke_readdressed(participation=instance)


def connect() -> None:
    post_save.connect(
        on_participation_saved, sender=Participation, dispatch_uid="invitations:revoke_readdressed"
    )
