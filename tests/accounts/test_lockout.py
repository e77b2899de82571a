"""Sign-in attempts are limited (django-axes): by client address and username together, with a clear page."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def sign_in(client, email, password):
    return client.post(reverse("login"), {"username": email, "password": password})


@pytest.fixture
def limit(settings):
    return settings.AXES_FAILURE_LIMIT


def test_the_limit_comes_from_settings_with_a_cool_off(settings):
    assert settings.AXES_FAILURE_LIMIT == 5
    assert settings.AXES_COOLOFF_TIME.total_seconds() == 15 * 60
    assert settings.AXES_LOCKOUT_PARAMETERS == [["ip_address", "username"]]
    assert settings.AUTHENTICATION_BACKENDS[0] == "axes.backends.AxesStandaloneBackend"


def test_after_the_limit_even_the_right_password_is_refused_with_a_clear_page(client, limit):
    user = UserFactory(email="anna@example.org")
    for _ in range(limit - 1):
        assert sign_in(client, user.email, "wrong").status_code == 200  # the form, with its error
    response = sign_in(client, user.email, "wrong")
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many sign-in attempts" in page
    assert "15 minutes" in page
    assert 'href="/static/' in page or "<nav" in page  # the product's layout, not a bare message
    response = sign_in(client, user.email, PASSWORD)
    assert response.status_code == 429
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated


def test_lockout_is_per_address_and_username(client, limit):
    anna = UserFactory(email="anna@example.org")
    ben = UserFactory(email="ben@example.org")
    for _ in range(limit):
        sign_in(client, anna.email, "wrong")
    assert sign_in(client, anna.email, PASSWORD).status_code == 429
    # Another user from the same address, and the same user from another address, can still sign in.
    assert sign_in(Client(), ben.email, PASSWORD).status_code == 302
    assert sign_in(Client(REMOTE_ADDR="10.9.8.7"), anna.email, PASSWORD).status_code == 302


def test_success_before_the_limit_resets_the_count(client, limit):
    user = UserFactory(email="anna@example.org")
    for _ in range(limit - 1):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, PASSWORD).status_code == 302
    client.post(reverse("logout"))
    for _ in range(limit - 1):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_the_admin_sign_in_is_limited_too(client, limit):
    UserFactory(email="root@example.org", is_staff=True, is_superuser=True)
    url = reverse("admin:login")
    for _ in range(limit):
        client.post(url, {"username": "root@example.org", "password": "wrong"})
    assert client.post(url, {"username": "root@example.org", "password": PASSWORD}).status_code == 429


def test_the_lockout_ends_after_the_cool_off(client, limit, settings):
    import datetime

    import time_machine
    from django.utils import timezone

    user = UserFactory(email="anna@example.org")
    for _ in range(limit):
        sign_in(client, user.email, "wrong")
    assert sign_in(client, user.email, PASSWORD).status_code == 429
    later = timezone.now() + settings.AXES_COOLOFF_TIME + datetime.timedelta(seconds=5)
    with time_machine.travel(later):
        assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_a_username_longer_than_axes_records_is_refused_not_a_500(client, limit):
    """Found by the hostile-input test: axes keeps 255 characters; a longer username was a database error."""
    for _ in range(limit + 1):
        response = sign_in(client, "x" * 4000 + "@example.org", "wrong")
    assert response.status_code == 429


def test_a_password_reset_by_the_emailed_link_ends_the_lockout(
    client, limit, django_capture_on_commit_callbacks
):
    """The lockout page says "Forgotten your password? Reset it by email"; after doing so, sign-in was still
    refused (429) until the cool-off ended."""
    from urllib.parse import urlsplit

    from django.core import mail

    user = UserFactory(email="Anna@Example.org")
    for _ in range(limit):
        sign_in(client, "anna@example.org", "wrong")
    assert sign_in(client, "anna@example.org", PASSWORD).status_code == 429

    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": user.email})
    link = next(line for line in mail.outbox[-1].body.splitlines() if "/accounts/reset/" in line)
    form_page = client.get(urlsplit(link.strip()).path, follow=True).redirect_chain[-1][0]
    new = "brand-new-pass-2026"
    client.post(form_page, {"new_password1": new, "new_password2": new})

    assert sign_in(client, "anna@example.org", new).status_code == 302
    # A reset of another address unlocks nothing else.
    ben = UserFactory(email="ben@example.org")
    other = Client()
    for _ in range(limit):
        sign_in(other, ben.email, "wrong")
    assert sign_in(other, ben.email, PASSWORD).status_code == 429


def test_the_last_two_attempts_are_announced_before_the_lockout_page(client, limit):
    """The lockout page came without warning after the fifth wrong password."""
    user = UserFactory(email="anna@example.org")
    pages = [sign_in(client, "Anna@example.org", "wrong").content.decode() for _ in range(limit - 1)]
    assert not any("attempt" in page for page in pages[: limit - 3])
    assert (
        "2 attempts left before signing in with this email address is paused here for 15 minutes."
        in pages[-2]
    )
    assert (
        "1 attempt left before signing in with this email address is paused here for 15 minutes." in pages[-1]
    )
    assert "Please enter a correct email address and password." in pages[-1]  # the reason stays first
    # Another address from the same client starts afresh, as its lockout does.
    assert "attempt" not in sign_in(client, "ben@example.org", "wrong").content.decode()
    assert sign_in(client, user.email, PASSWORD).status_code == 302


def test_the_warning_follows_the_configured_limit(client, settings):
    settings.AXES_FAILURE_LIMIT = 3
    UserFactory(email="anna@example.org")
    first = sign_in(client, "anna@example.org", "wrong").content.decode()
    assert "2 attempts left" in first
