"""Emails rendered from templates: `<name>_subject.txt`, `<name>.txt` and, unless plain text is all there is,
`<name>.html`, in the site's language (a worker has no request to take one from)."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils import translation

# For the Celery tasks that send one email: a mail server that refuses or cannot be reached (OSError, which
# smtplib's errors are) is tried again, after 10 s, 20 s, 40 s... up to 10 minutes, five times.
EMAIL_TASK = {
    "acks_late": True,
    "soft_time_limit": 60,
    "time_limit": 90,
    "ignore_result": True,
    "autoretry_for": (OSError,),
    "retry_backoff": 10,
    "retry_backoff_max": 600,
    "retry_jitter": False,  # the pauses as said above (Celery would draw each at random below them)
    "max_retries": 5,
}


def render_subject(template: str, context: dict) -> str:
    """The subject of the email `template`: one line of plain text (its template turns autoescaping off)."""
    return " ".join(render_to_string(f"{template}_subject.txt", context).split())


def send_templated(
    *, template: str, to: list[str], context: dict, reply_to: list[str] | None = None, html: bool = True
) -> None:
    """Send the email `template` (a path without its ending, e.g. "invitations/email/answer"); with
    `html=False`, plain text only. A mail server's refusal is raised, for the task to try again."""
    with translation.override(settings.LANGUAGE_CODE):
        subject = render_subject(template, context)
        text = render_to_string(f"{template}.txt", context)
        alternative = render_to_string(f"{template}.html", context) if html else None
    message = EmailMultiAlternatives(
        subject=subject, body=text, from_email=settings.DEFAULT_FROM_EMAIL, to=to, reply_to=reply_to or []
    )
    if alternative is not None:
        message.attach_alternative(alternative, "text/html")
    message.send()
