"""How many invitation emails may go out in 24 hours, counted in the send log (`InvitationSend`), which keeps
every send when its invitation, participant or proposal is gone:

- to one address from one account: INVITATION_SENDS_PER_RECIPIENT_PER_DAY (5), so no one can use up
  another coordinator's sends to an address alone;
- to one address from all accounts together: INVITATION_SENDS_PER_RECIPIENT_ALL_SENDERS_PER_DAY (20), which
  bounds what many accounts can send to one address;
- from one proposal: INVITATION_SENDS_PER_PROPOSAL_PER_DAY (50);
- from one account, all its proposals together: INVITATION_SENDS_PER_ACCOUNT_PER_DAY (100), so no one sends
  the platform's emails (with their own title, names and greeting in them) to any number of addresses by
  making proposals, which cost nothing.

Sends and re-sends count; reminders are not sends, so they are exempt.
"""

from datetime import timedelta

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from .models import InvitationSend

WINDOW = timedelta(days=1)


def count_send(*, proposal_id: int, email: str, sender) -> None:
    """Log one more invitation email, or raise ValidationError (and log nothing) if it would pass a limit.

    Called under the proposal's lock, in the transaction that creates the invitation, and takes the sender's:
    two sends of one proposal, or of one account, are counted one after the other, and a send that is rolled
    back is not counted.
    """
    email = email.lower()
    if sender is not None:  # the account's sends from its other proposals, counted one after the other
        get_user_model().objects.lock(sender)
    recent = InvitationSend.objects.filter(sent_at__gte=timezone.now() - WINDOW)
    to_recipient = recent.filter(email=email)
    all_senders = settings.INVITATION_SENDS_PER_RECIPIENT_ALL_SENDERS_PER_DAY
    if (
        to_recipient.filter(sender=sender).count() >= settings.INVITATION_SENDS_PER_RECIPIENT_PER_DAY
        or to_recipient.count() >= all_senders
    ):
        # One message for both limits: it never tells a sender that others are inviting this address.
        raise ValidationError(
            _(
                "No invitation sent: this address has had as many invitations as it may get today. "
                "Try again tomorrow."
            )
        )
    per_proposal = settings.INVITATION_SENDS_PER_PROPOSAL_PER_DAY
    if recent.filter(proposal_id=proposal_id).count() >= per_proposal:
        raise ValidationError(
            _(
                "No invitation sent: this proposal has already sent %(limit)d invitations in the last 24 "
                "hours. Try again tomorrow."
            )
            % {"limit": per_proposal}
        )
    per_account = settings.INVITATION_SENDS_PER_ACCOUNT_PER_DAY
    if sender is not None and recent.filter(sender=sender).count() >= per_account:
        raise ValidationError(
            _(
                "No invitation sent: your account has already sent %(limit)d invitations in the last 24 "
                "hours. Try again tomorrow."
            )
            % {"limit": per_account}
        )
    InvitationSend.objects.create(email=email, sender=sender, proposal_id=proposal_id)
