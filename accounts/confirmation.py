"""Proof that an account's email address is its holder's: a link emailed to it, made as Django makes
password-reset links (the account's id, and a token bound to its address and to whether it is confirmed, so
the link works once), valid for PASSWORD_RESET_TIMEOUT (three days). Until it is followed (or a password reset
by email is, which proves the same), an account may be anyone's who typed the address: no one can make it a
co-editor of a proposal."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import PasswordResetTokenGenerator
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_decode, urlsafe_base64_encode

# A new link at most this often: the address may be someone else's, who would get each one.
RESEND_AFTER = timedelta(minutes=5)


class EmailConfirmationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "accounts.confirmation.EmailConfirmationTokenGenerator"

    def _make_hash_value(self, user, timestamp):
        return f"{user.pk}{user.email}{user.email_confirmed_at}{timestamp}"


tokens = EmailConfirmationTokenGenerator()


def confirmation_path(user) -> str:
    return reverse(
        "email_confirm", args=[urlsafe_base64_encode(force_bytes(user.pk)), tokens.make_token(user)]
    )


def user_confirming(uidb64: str, token: str):
    """The active account the link was made for, if its token is genuine, recent, and for the address the
    account has and has not confirmed yet (as PasswordResetConfirmView reads its link)."""
    try:
        user = get_user_model().objects.get(pk=urlsafe_base64_decode(uidb64).decode(), is_active=True)
    except (TypeError, ValueError, OverflowError, ValidationError, get_user_model().DoesNotExist):
        return None
    return user if tokens.check_token(user, token) else None


def email_confirm(user) -> None:
    if user.email_confirmed_at is None:
        user.email_confirmed_at = timezone.now()
        user.save(update_fields=["email_confirmed_at"])


def _claim(user, sent_at: str, **only_if) -> bool:
    """Record that a link goes to the account's address now, unless one went out less than RESEND_AFTER ago
    (one statement: two requests at once send one link)."""
    now = timezone.now()
    claimed = (
        get_user_model()
        .objects.filter(pk=user.pk, **only_if)
        .exclude(**{f"{sent_at}__gt": now - RESEND_AFTER})
        .update(**{sent_at: now})
    )
    return bool(claimed)


def confirmation_may_be_sent(user) -> bool:
    """Claim the sending of a new link (recorded now), or False when one went out less than RESEND_AFTER ago
    or the address is confirmed already."""
    return _claim(user, "email_confirmation_sent_at", email_confirmed_at__isnull=True)


def password_reset_may_be_sent(user) -> bool:
    """Claim the sending of a password-reset link, or False when one went out less than RESEND_AFTER ago:
    anyone may ask for one, and the holder of the address would get each."""
    return _claim(user, "password_reset_sent_at")
