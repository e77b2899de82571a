"""How many invitation emails may go out: per recipient and per proposal in the last 24 hours, counted in
the database (every send and re-send is an Invitation row; reminders are not, so they are exempt)."""

from datetime import timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import Invitation

WINDOW = timedelta(days=1)


def check_send_allowed(*, proposal_id: int, email: str) -> None:
    """Raise ValidationError (and send nothing) when another invitation would pass a limit.

    Called under the proposal's lock, so two sends of one proposal are counted one after the other.
    """
    since = timezone.now() - WINDOW
    recent = Invitation.objects.filter(created_at__gte=since)
    per_recipient = settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY
    if recent.filter(email__iexact=email).count() >= per_recipient:
        raise ValidationError(
            _(
                "No invitation sent: %(email)s has already been sent %(limit)d invitations in the last 24 "
                "hours. Try again tomorrow."
            )
            % {"email": email, "limit": per_recipient}
        )
    per_proposal = settings.INVITATION_SENDS_PER_PROPOSAL_PER_DAY
    if recent.filter(participation__proposal_id=proposal_id).count() >= per_proposal:
        raise ValidationError(
            _(
                "No invitation sent: this proposal has already sent %(limit)d invitations in the last 24 "
                "hours. Try again tomorrow."
            )
            % {"limit": per_proposal}
        )
