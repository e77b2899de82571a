"""The password-reset email, sent by the worker after the request's response (queued on commit), so how
long the request takes says nothing about whether an account exists. The worker makes the link itself:
the reset token never travels through the broker. So does the email-confirmation link sent at sign-up.

Plain text, sent with `send_templated`, not PasswordResetForm.send_mail, which logs a mail server's refusal
and carries on: raised, it has the task tried again."""

from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from config.mail import EMAIL_TASK, send_templated


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
    send_templated(template="accounts/email/password_reset", to=[user.email], context=context, html=False)


@shared_task(**EMAIL_TASK)
def send_email_confirmation(user_id: int) -> None:
    from .confirmation import confirmation_path

    user = (
        get_user_model().objects.filter(pk=user_id, is_active=True, email_confirmed_at__isnull=True).first()
    )
    if user is None:
        return
    context = {"user": user, "link": settings.SITE_URL + confirmation_path(user)}
    send_templated(template="accounts/email/email_confirmation", to=[user.email], context=context, html=False)
