"""The password-reset email leaves after the response, through the worker (queued on commit), so the
request takes as long whether or not the account exists; its link works."""

import re

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("email", ["bob@example.org", "nobody@example.org"])
def test_the_request_sends_nothing_itself(client, email, django_capture_on_commit_callbacks):
    UserFactory(email="bob@example.org")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = client.post(reverse("password_reset"), {"email": email})
    assert response.status_code == 302
    assert mail.outbox == []
    assert len(callbacks) == (1 if email == "bob@example.org" else 0)


def test_asking_again_and_again_sends_one_email_every_five_minutes(
    client, django_capture_on_commit_callbacks
):
    """Ten quick requests sent ten emails: anyone could have the site flood an account holder's address."""
    import datetime

    import time_machine
    from django.utils import timezone

    UserFactory(email="bob@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        answers = [client.post(reverse("password_reset"), {"email": "Bob@example.org"}) for _ in range(10)]
    assert {answer.status_code for answer in answers} == {302}  # the page says the same every time
    assert len(mail.outbox) == 1

    later = timezone.now() + datetime.timedelta(minutes=6)
    with time_machine.travel(later, tick=False), django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "bob@example.org"})
    assert len(mail.outbox) == 2


def test_the_worker_sends_a_link_that_works(client, django_capture_on_commit_callbacks):
    UserFactory(email="bob@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "bob@example.org"})
    [message] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/\S+/)", message.body).group(1)
    response = client.get(path)
    assert response.status_code == 302 and response["Location"].endswith("/set-password/")
    page = client.get(response["Location"]).content.decode()
    assert "Password again" in page and "New password confirmation" not in page  # worded as sign-up


def test_the_link_keeps_the_path_the_site_is_served_under(settings):
    """With SITE_URL=https://ab.example.org/app the link lost its /app (invitations' links kept it)."""
    from accounts.tasks import send_password_reset

    settings.SITE_URL = "https://ab.example.org/app/"
    user = UserFactory(email="bob@example.org")
    send_password_reset(user.pk)
    [message] = mail.outbox
    assert re.search(r"https://ab\.example\.org/app/accounts/reset/\S+/\S+/", message.body)


# Serialized rollback, as every transactional test outside tests/reliability (which runs last): a plain one
# re-creates the content types as it flushes, and the next serialized test's restore then collides with them.
@pytest.mark.django_db(transaction=True)
def test_with_the_broker_down_the_email_goes_from_this_process(client):
    """It was lost, though the page said the link was sent (the thread's database connection sees only
    what is committed: hence a transactional test)."""
    from unittest import mock

    from accounts.tasks import send_password_reset
    from config import background

    UserFactory(email="bob@example.org")
    with mock.patch.object(send_password_reset, "delay", side_effect=ConnectionError("broker down")):
        response = client.post(reverse("password_reset"), {"email": "bob@example.org"})
    for thread in background.threads:
        thread.join(timeout=30)
    assert response.status_code == 302
    assert [message.to for message in mail.outbox] == [["bob@example.org"]]


def test_a_mail_server_that_fails_once_delays_the_email_without_losing_it():
    """One refusal of the mail server lost the email: the task was not retried (invitations' were)."""
    import smtplib
    from unittest import mock

    from django.core.mail.backends.locmem import EmailBackend

    from accounts.tasks import send_email_confirmation, send_password_reset

    user = UserFactory(email="bob@example.org", email_confirmed_at=None)
    send_messages = EmailBackend.send_messages
    for task in (send_password_reset, send_email_confirmation):
        failures = [smtplib.SMTPServerDisconnected("gone")]

        def once_down(backend, messages, failures=failures):
            if failures:
                raise failures.pop()
            return send_messages(backend, messages)

        mail.outbox.clear()
        with mock.patch.object(EmailBackend, "send_messages", once_down):
            task.apply(args=[user.pk])
        assert [message.to for message in mail.outbox] == [["bob@example.org"]], task.name
