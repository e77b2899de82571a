"""The password-reset email, sent by the worker after the request's response (queued on commit), so how
long the request takes says nothing about whether an account exists. The worker makes the link itself:
the reset token never travels through the broker. So does the email-confirmation link sent at sign-up."""

from urllib.parse import urlsplit

from celery import shared_task
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

EMAIL_TEMPLATE = "accounts/password_reset_email.txt"
SUBJECT_TEMPLATE = "accounts/password_reset_subject.txt"


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90, ignore_result=True)
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
    PasswordResetForm().send_mail(SUBJECT_TEMPLATE, EMAIL_TEMPLATE, context, None, user.email)


@shared_task(acks_late=True, soft_time_limit=60, time_limit=90, ignore_result=True)
def send_email_confirmation(user_id: int) -> None:
    from .confirmation import confirmation_path

    user = (
        get_user_model().objects.filter(pk=user_id, is_active=True, email_confirmed_at__isnull=True).first()
    )
    if user is None:
        return
    context = {"user": user, "link": settings.SITE_URL + confirmation_path(user)}
    PasswordResetForm().send_mail(
        "accounts/email_confirmation_subject.txt",
        "accounts/email_confirmation_email.txt",
        context,
        None,
        user.email,
    )
