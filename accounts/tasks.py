"""The password-reset email, sent by the worker after the request's response (queued on commit), so how
long the request takes says nothing about whether an account exists. The worker makes the link itself:
the reset token never travels through the broker. So does the email-confirmation link sent at sign-up."""

from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.mail import EMAIL_TASK, render_subject


def _send(name: str, context: dict, to: str) -> None:
    """The email `accounts/<name>_subject.txt` and `accounts/<name>_email.txt`, in the site's language. Not
    through PasswordResetForm.send_mail, which logs a mail server's refusal and carries on: raised here, it
    has the task tried again."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_subject(f"accounts/{name}", context)
        body = render_to_string(f"accounts/{name}_email.txt", context)
    EmailMessage(subject, body, to=[to]).send()


@shared_task(**EMAIL_TASK)
def send_password_reset(user_id: int) -> None:
    user = get_user_model().objects.filter(pk=user_id, is_active=True).first()
    if user is None:
        return
    site = urlsplit(settings.SITE_URL)
    context = {
        "email": user.email,
        "domain": site.netloc + site.path.rstrip("/"),  # with the path it is served under, as invitations
        "site_name": site.netloc,
        "uid": urlsafe_base64_encode(force_bytes(user.pk)),
        "user": user,
        "token": default_token_generator.make_token(user),
        "protocol": site.scheme or "https",
    }
    _send("password_reset", context, user.email)


@shared_task(**EMAIL_TASK)
def send_email_confirmation(user_id: int) -> None:
    from .confirmation import confirmation_path

    user = (
        get_user_model().objects.filter(pk=user_id, is_active=True, email_confirmed_at__isnull=True).first()
    )
    if user is None:
        return
    context = {"user": user, "link": settings.SITE_URL + confirmation_path(user)}
    _send("email_confirmation", context, user.email)
