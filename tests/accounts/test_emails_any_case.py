"""Email addresses are matched case-insensitively everywhere: sign-in, its lockout counter, sign-up and the
password reset."""

import pytest
from axes.models import AccessAttempt
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


def test_sign_in_with_the_email_in_another_case(client):
    UserFactory(email="bob@example.org")
    response = sign_in(client, "Bob@Example.org", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).wsgi_request.user.email == "bob@example.org"


def test_one_lockout_counter_whatever_the_case(client, settings):
    user = UserFactory(email="bob@example.org")
    cases = ["bob@example.org", "Bob@Example.org", "BOB@EXAMPLE.ORG", " bob@example.ORG"]
    for index in range(settings.AXES_FAILURE_LIMIT):
        sign_in(client, cases[index % len(cases)], "wrong")
    assert AccessAttempt.objects.count() == 1
    assert sign_in(client, user.email, PASSWORD).status_code == 429


def test_sign_up_refuses_an_address_taken_in_another_case(client):
    UserFactory(email="bob@example.org")
    response = client.post(
        reverse("signup"),
        {
            "email": "BOB@example.ORG",
            "first_name": "Bob",
            "last_name": "Again",
            "password1": "a-long-enough-password-2026",
            "password2": "a-long-enough-password-2026",
        },
    )
    assert response.status_code == 400
    assert "already exists" in response.content.decode()


def test_password_reset_finds_the_account_in_another_case(client, django_capture_on_commit_callbacks):
    UserFactory(email="bob@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "Bob@Example.ORG"})
    assert [message.to for message in mail.outbox] == [["bob@example.org"]]


def test_an_address_spelt_with_a_dotless_i_is_another_address(client, settings):
    """PostgreSQL's UPPER('ı') is 'I': an `iexact` look-up signed tım@ in as tim@, with a lockout counter of
    its own for each spelling (every i of the address doubled the guesses allowed)."""
    UserFactory(email="tim@example.org")
    assert sign_in(client, "t\u0131m@example.org", PASSWORD).status_code == 200  # refused
    assert sign_in(client, "TIM@example.org", PASSWORD).status_code == 302
