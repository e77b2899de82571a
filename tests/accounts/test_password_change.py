"""A signed-in user changes their password from the page their name in the navigation bar leads to: this
session goes on, every other session of the account ends."""

import pytest
from django.test import Client
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

OLD, NEW = "old-password-2026", "a-new-password-2026"


def test_changing_the_password_keeps_this_session_and_ends_the_others():
    user = UserFactory(email="bob@example.org", password=OLD)
    here, elsewhere = Client(), Client()
    for browser in (here, elsewhere):
        assert (
            browser.post(reverse("login"), {"username": "bob@example.org", "password": OLD}).status_code
            == 302
        )

    page = here.get(reverse("home")).content.decode()
    assert reverse("password_change") in page  # the user's name leads there
    assert "Change your password</a>" in page  # and, in a phone's menu, a link that says so
    response = here.post(
        reverse("password_change"),
        {"old_password": OLD, "new_password1": NEW, "new_password2": NEW},
        follow=True,
    )

    assert "Your new password is saved" in response.content.decode()
    user.refresh_from_db()
    assert user.check_password(NEW)
    assert here.get(reverse("home")).status_code == 200
    assert elsewhere.get(reverse("home")).status_code == 302  # signed out


def test_a_wrong_current_password_changes_nothing(client):
    user = UserFactory(email="bob@example.org", password=OLD)
    client.force_login(user)

    response = client.post(
        reverse("password_change"), {"old_password": "guess", "new_password1": NEW, "new_password2": NEW}
    )

    assert response.status_code == 400
    page = response.content.decode()
    assert "The password was not changed: correct what is marked below." in page  # the summary, on top
    assert "This is not your current password. Enter it again." in page
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_signed_out_it_asks_to_sign_in(client):
    response = client.get(reverse("password_change"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_wrong_current_passwords_count_toward_the_sign_in_lockout(client, settings):
    # Given a signed-in session (left open, say) and the lockout after 5 failures
    user = UserFactory(email="bob@example.org", password=OLD)
    client.force_login(user)
    guesses = [{"old_password": f"guess-{n}", "new_password1": NEW, "new_password2": NEW} for n in range(5)]

    # When 5 wrong current passwords are tried, the next try is refused, even with the right one
    statuses = [client.post(reverse("password_change"), guess).status_code for guess in guesses]
    right = {"old_password": OLD, "new_password1": NEW, "new_password2": NEW}
    refused = client.post(reverse("password_change"), right)

    assert statuses[:4] == [400] * 4
    assert refused.status_code == 429
    user.refresh_from_db()
    assert user.check_password(OLD)


def test_a_new_password_is_asked_for_in_the_words_of_sign_up(client):
    """The change page used Django's "Old password", "New password confirmation" and "Enter the same
    password as before, for verification"; sign-up says "Password again" and why."""
    client.force_login(UserFactory(password=OLD))
    page = client.get(reverse("password_change")).content.decode()
    assert "Current password" in page and "Password again" in page
    assert "The same password, to catch typing mistakes." in page
    assert "New password confirmation" not in page and "Old password" not in page


def test_the_last_wrong_current_passwords_say_how_many_are_left(client):
    user = UserFactory(email="bob@example.org", password=OLD)
    client.force_login(user)
    pages = [
        client.post(
            reverse("password_change"),
            {"old_password": f"guess-{n}", "new_password1": NEW, "new_password2": NEW},
        ).content.decode()
        for n in range(4)
    ]
    assert "attempt" not in pages[1]
    assert "This is not your current password. Enter it again." in pages[1]  # not Django's "old password"
    assert (
        "1 attempt left before signing in with this email address is paused here for 15 minutes." in pages[3]
    )


@pytest.mark.parametrize("form", ["sign-up", "change"])
def test_two_different_new_passwords_are_refused_in_the_same_words_everywhere(client, form):
    """Sign-up said "The two passwords differ."; the change and the reset said Django's "The two password
    fields didn't match"."""
    if form == "sign-up":
        data = {"email": "new@example.org", "first_name": "N", "last_name": "W", "password1": NEW}
        response = client.post(reverse("signup"), {**data, "password2": NEW + "x"})
    else:
        client.force_login(UserFactory(password=OLD))
        data = {"old_password": OLD, "new_password1": NEW, "new_password2": NEW + "x"}
        response = client.post(reverse("password_change"), data)
    page = response.content.decode()
    assert "The two passwords differ." in page
    assert "match" not in page
