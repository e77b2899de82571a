"""Proof that an account's email address is its holder's: a link emailed to it, signed with SECRET_KEY for
the account and the address it was sent to, valid for a week. Until it is followed (or a password reset by
email is, which proves the same), an account may be anyone's who typed the address: no one can make it a
co-editor of a proposal."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core import signing
from django.utils import timezone

SALT = "accounts.email-confirmation"
VALID_FOR = timedelta(days=7)
# A new link at most this often: the address may be someone else's, who would get each one.
RESEND_AFTER = timedelta(minutes=5)


def confirmation_token(user) -> str:
    return signing.dumps({"user": user.pk, "email": user.email}, salt=SALT, compress=True)


def user_confirming(token: str):
    """The active account the token was made for, if it is genuine, recent and its address unchanged."""
    try:
        data = signing.loads(token, salt=SALT, max_age=VALID_FOR)
    except signing.BadSignature:  # expired links included
        return None
    if not isinstance(data, dict):
        return None
    return (
        get_user_model().objects.filter(pk=data.get("user"), email=data.get("email"), is_active=True).first()
    )


def email_confirm(user) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])


def confirmation_may_be_sent(user) -> bool:
    """Claim the sending of a new link (recorded now), or False when one went out less than RESEND_AFTER ago
    or the address is confirmed already."""
    now = timezone.now()
    claimed = (
        get_user_model()
        .objects.filter(pk=user.pk, email_confirmed_at__isnull=True)
        .exclude(email_confirmation_sent_at__gt=now - RESEND_AFTER)
        .update(email_confirmation_sent_at=now)
    )
    return bool(claimed)
