from urllib.parse import urlsplit

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db


def test_pages_need_a_signed_in_user(client):
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_sign_in_with_email_and_password_then_sign_out(client):
    user = UserFactory(email="anna@example.org")
    response = client.post(
        reverse("login"), {"username": "anna@example.org", "password": PASSWORD}, follow=True
    )
    assert response.context["user"] == user
    assert "My proposals" in response.content.decode()

    response = client.post(reverse("logout"), follow=True)
    assert not response.context["user"].is_authenticated
    assert "You have signed out." in response.content.decode()  # on the sign-in page it lands on
    assert "You have signed out." not in client.get(reverse("login")).content.decode()  # said once


def test_a_sign_out_sent_back_to_itself_shows_the_products_page(client):
    """With `next` the sign-out itself, Django renders its template: the admin's "Thanks for spending some
    quality time with the web site today"."""
    client.force_login(UserFactory())
    response = client.post(reverse("logout"), {"next": reverse("logout")})
    page = response.content.decode()
    assert response.status_code == 200 and "quality time" not in page
    assert "Signed out" in page and reverse("login") in page
    assert client.get(reverse("home")).status_code == 302


def test_wrong_password_is_refused_with_a_message(client):
    UserFactory(email="anna@example.org")
    response = client.post(reverse("login"), {"username": "anna@example.org", "password": "nope"})
    assert response.status_code == 200
    page = response.content.decode()
    assert "correct email address and password" in page
    # Not Django's "both fields may be case-sensitive": the address is found whatever its case
    # (test_emails_any_case.py).
    assert "The password is case-sensitive; the email address is not." in page


def test_sign_out_by_get_changes_nothing(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("logout")).status_code == 405
    assert client.get(reverse("home")).status_code == 200


def test_password_reset_sends_a_link_that_works_once(client, django_capture_on_commit_callbacks):
    UserFactory(email="anna@example.org")
    with django_capture_on_commit_callbacks(execute=True):  # the email is queued after commit
        client.post(reverse("password_reset"), {"email": "anna@example.org"})
    assert len(mail.outbox) == 1
    link = next(line for line in mail.outbox[0].body.splitlines() if "/accounts/reset/" in line)
    path = urlsplit(link.strip()).path  # the worker writes the link on SITE_URL
    response = client.get(path, follow=True)
    assert response.status_code == 200
    set_password_url = response.redirect_chain[-1][0]
    response = client.post(
        set_password_url,
        {"new_password1": "brand-new-pass-2026", "new_password2": "brand-new-pass-2026"},
        follow=True,
    )
    assert "Password changed" in response.content.decode()
    response = client.post(
        reverse("login"), {"username": "anna@example.org", "password": "brand-new-pass-2026"}, follow=True
    )
    assert response.context["user"].is_authenticated
    assert "no longer works" in client.get(path, follow=True).content.decode()


def test_a_signed_out_session_cookie_opens_nothing(client):
    UserFactory(email="anna@example.org")
    client.post(reverse("login"), {"username": "anna@example.org", "password": PASSWORD})
    old_cookie = client.cookies["sessionid"].value
    client.post(reverse("logout"))

    client.cookies["sessionid"] = old_cookie  # someone kept the cookie from before the sign-out
    response = client.get(reverse("home"))
    assert response.status_code == 302 and response.url.startswith(reverse("login"))


def test_a_deactivated_user_is_signed_out_on_the_next_request(client):
    user = UserFactory()
    client.force_login(user)
    assert client.get(reverse("alliances:proposal_create")).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(reverse("alliances:proposal_create"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_a_refused_sign_in_says_so_on_top_for_screen_readers(client):
    response = client.post(reverse("login"), {"username": "nobody@example.org", "password": "wrong-password"})
    page = response.content.decode()
    assert 'role="alert"' in page and "data-error-summary" in page and "You are not signed in:" in page
