"""Co-editors: signed-up users, with confirmed addresses, whom a proposal's owner lets edit it. Each change is
a change of the proposal (`services.lock_proposal`, a version and a line of its history)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from config.background import delay_after_commit

from .models import ActivityAction, Proposal, ProposalActivity
from .services import lock_proposal, record_activity
from .tasks import send_coeditor_added

COEDITOR_TOLD = timedelta(days=1)
COEDITOR_EMAILS_PER_DAY = 3


@transaction.atomic
def coeditor_add(*, proposal: Proposal, email: str, actor, expected_version: int):
    """Let another signed-up user, whose address is confirmed, edit the proposal. Returns the user.

    The owner's address must be confirmed too: the email names them, and the co-editor's invitations would
    name them to partners once the co-editor is gone (an unconfirmed account may be anyone's who typed it)."""
    if getattr(actor, "email_confirmed_at", None) is None:
        raise ValidationError(
            {
                "email": _(
                    "Nobody was added: confirm your email address first, as the email that tells them names "
                    "you. The link is in the email sent when you signed up; your list of proposals sends a "
                    "new one."
                )
            }
        )
    email = (email or "").strip()
    user = get_user_model().objects.with_address(email).filter(is_active=True).first()  # as sign-in finds it
    if user is None or user.email_confirmed_at is None:  # unconfirmed: the account may be anyone's
        # One answer for both: which addresses have accounts is nobody's business.
        raise ValidationError(
            {
                "email": _(
                    "%(email)s cannot be a co-editor yet: they must sign up with this address and confirm it "
                    "(the link emailed at sign-up; their home page sends it again). Ask them to, then add "
                    "them."
                )
                % {"email": email}
            }
        )
    locked = lock_proposal(proposal_id=proposal.pk, expected_version=expected_version)
    if user.pk == locked.owner_id:
        raise ValidationError({"email": _("%(email)s owns this proposal.") % {"email": user.email}})
    if locked.co_editors.filter(pk=user.pk).exists():
        raise ValidationError({"email": _("%(email)s is already a co-editor.") % {"email": user.email}})
    locked.co_editors.add(user)
    # Told once a day at most for a proposal (an owner removing and adding them again sent an email each
    # time), and of COEDITOR_EMAILS_PER_DAY proposals in all (an account made 15 proposals with a title of
    # its choosing and sent 15 emails to one person): the others show on their home page.
    added_lately = ProposalActivity.objects.filter(
        action=ActivityAction.COEDITOR_ADDED,
        subject=user.email,
        created_at__gte=timezone.now() - COEDITOR_TOLD,
    )
    told_today = added_lately.filter(proposal=locked).exists()
    told_enough = added_lately.values("proposal").distinct().count() >= COEDITOR_EMAILS_PER_DAY
    record_activity(proposal=locked, actor=actor, action=ActivityAction.COEDITOR_ADDED, subject=user.email)
    if not told_today and not told_enough:
        delay_after_commit(send_coeditor_added, locked.pk, user.pk, getattr(actor, "pk", None))
    return user


@transaction.atomic
def coeditor_remove(
    *, proposal: Proposal, user, actor, expected_version: int | None, action=ActivityAction.COEDITOR_REMOVED
) -> None:
    locked = lock_proposal(proposal_id=proposal.pk, expected_version=expected_version)
    if not locked.co_editors.filter(pk=user.pk).exists():
        return
    locked.co_editors.remove(user)
    record_activity(proposal=locked, actor=actor, action=action, subject=user.email)


def coeditor_leave(*, proposal: Proposal, user) -> None:
    """A co-editor stops editing the proposal: whenever they like (their page need not be current, the
    proposal may be archived), and said so in the history."""
    coeditor_remove(
        proposal=proposal, user=user, actor=user, expected_version=None, action=ActivityAction.COEDITOR_LEFT
    )
