"""An account's address is confirmed by the link emailed at sign-up (or by a password reset, which proves the
same): until then the account may be anyone's who typed the address, and no one can make it a co-editor.
Without this, anyone signed up as a colleague's address, was added by a trusting owner, and read every
contact of the proposal."""

import re
from datetime import timedelta

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from tests.factories import ProposalFactory, UserFactory

from .test_signup import data

pytestmark = pytest.mark.django_db
LINK = re.compile(r"https?://[^/\s]+(/accounts/confirm/[^/\s]+/[^/\s]+/)")


def sign_up(client, capture, email="anna.keller@tu-berlin.example"):
    with capture(execute=True):
        response = client.post(reverse("signup"), data(email=email))
    assert response.status_code == 302
    return get_user_model().objects.get(email=email)


def confirmation_link(to: str) -> str:
    [message] = [m for m in mail.outbox if m.to == [to] and "Confirm your email" in m.subject]
    return LINK.search(message.body).group(1)


def add_coeditor(client, proposal, email):
    url = reverse("alliances:coeditor_add", args=[proposal.pk])
    return client.post(url, {"email": email, "version": proposal.version}, follow=True)


def test_an_account_nobody_confirmed_cannot_be_made_a_co_editor(client, django_capture_on_commit_callbacks):
    squatter = sign_up(client, django_capture_on_commit_callbacks)
    assert squatter.email_confirmed_at is None
    proposal = ProposalFactory()
    client.force_login(proposal.owner)

    page = add_coeditor(client, proposal, "anna.keller@tu-berlin.example").content.decode()

    assert "cannot be a co-editor yet" in page
    assert not proposal.co_editors.exists()
    # The same answer as for an address nobody signed up with: it tells no one which addresses have accounts.
    nobody = add_coeditor(client, proposal, "nobody@tu-berlin.example").content.decode()

    def answer(html, address):
        return re.search(r"[^>]*cannot be a co-editor yet[^<]*", html).group().replace(address, "ADDRESS")

    assert answer(nobody, "nobody@tu-berlin.example") == answer(page, "anna.keller@tu-berlin.example")


def test_the_emailed_link_confirms_the_address_after_a_click(client, django_capture_on_commit_callbacks):
    user = sign_up(client, django_capture_on_commit_callbacks)
    link = confirmation_link(user.email)
    client.logout()

    page = client.get(link)  # a mail scanner opening it confirms nothing
    assert page.status_code == 200 and "Confirm my email address" in page.content.decode()
    user.refresh_from_db()
    assert user.email_confirmed_at is None

    client.post(link)
    user.refresh_from_db()
    assert user.email_confirmed_at is not None
    assert client.post(link).status_code == 400  # once: the token is bound to the unconfirmed address
    client.force_login(user)  # opened again, signed in: it says the address is confirmed, no "if"
    assert "is confirmed already" in client.get(link).content.decode()
    client.logout()
    assert "/accounts/confirm/" in link and user.email not in link and "eyJ" not in link  # nothing readable
    proposal = ProposalFactory()
    client.force_login(proposal.owner)
    add_coeditor(client, proposal, user.email)
    assert list(proposal.co_editors.all()) == [user]


@pytest.mark.parametrize("tamper", ["forged", "expired", "address changed"])
def test_a_forged_expired_or_outdated_link_confirms_nothing(
    client, django_capture_on_commit_callbacks, tamper
):
    user = sign_up(client, django_capture_on_commit_callbacks)
    link = confirmation_link(user.email)
    later = timezone.now()
    if tamper == "forged":
        link = link[:-3] + ("A" if link[-3] != "A" else "B") + link[-2:]
    elif tamper == "expired":
        later += timedelta(days=4)
    else:
        get_user_model().objects.filter(pk=user.pk).update(email="someone.else@example.org")
    with time_machine.travel(later):
        response = client.post(link)
    assert response.status_code == 400 and "not valid" in response.content.decode()
    user.refresh_from_db()
    assert user.email_confirmed_at is None


def test_the_home_page_asks_for_it_and_sends_a_new_link_at_most_every_few_minutes(
    client, django_capture_on_commit_callbacks
):
    user = sign_up(client, django_capture_on_commit_callbacks)
    assert "Email me a link" in client.get(reverse("home")).content.decode()
    resend = reverse("email_confirmation_resend")
    with django_capture_on_commit_callbacks(execute=True):
        asked = client.post(resend, follow=True)  # just after the sign-up's: not yet
    assert "less than five minutes ago" in asked.content.decode()
    assert len([m for m in mail.outbox if m.to == [user.email]]) == 1
    with (
        time_machine.travel(timezone.now() + timedelta(minutes=6)),
        django_capture_on_commit_callbacks(execute=True),
    ):
        client.post(resend)
    assert len([m for m in mail.outbox if m.to == [user.email]]) == 2

    client.post(confirmation_link_of_last(user.email))
    assert "Email me a link" not in client.get(reverse("home")).content.decode()


def test_an_address_changed_in_the_admin_is_confirmed_again(admin_client):
    """The old address's confirmation counted for the new one, which no one had proved."""
    user = UserFactory(email="bob@example.org")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    unsent = {"password", "groups", "user_permissions"}
    data = {name: form.initial.get(name) or "" for name in form.fields if name not in unsent}
    data |= {"email": "bob@elsewhere.example", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"}
    assert admin_client.post(url, data).status_code == 302
    user.refresh_from_db()
    assert (user.email, user.email_confirmed_at) == ("bob@elsewhere.example", None)


def test_a_co_editor_is_found_by_the_address_folded_as_sign_in_folds_it(client):
    """PostgreSQL's iexact (UPPER) took tım@ (a dotless ı) for tim@."""
    UserFactory(email="tim@example.org")
    proposal = ProposalFactory()
    client.force_login(proposal.owner)
    assert (
        "cannot be a co-editor yet" in add_coeditor(client, proposal, "t\u0131m@example.org").content.decode()
    )
    assert not proposal.co_editors.exists()


def confirmation_link_of_last(to: str) -> str:
    message = [m for m in mail.outbox if m.to == [to]][-1]
    return LINK.search(message.body).group(1)


def test_a_password_reset_by_email_confirms_the_address(client, django_capture_on_commit_callbacks):
    user = UserFactory(email="bob@example.org", email_confirmed_at=None)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("password_reset"), {"email": "bob@example.org"})
    [message] = mail.outbox
    path = re.search(r"https?://[^/\s]+(/accounts/reset/\S+/\S+/)", message.body).group(1)
    form_page = client.get(path, follow=True)
    client.post(
        form_page.redirect_chain[-1][0],
        {"new_password1": "a-brand-new-password-9", "new_password2": "a-brand-new-password-9"},
    )
    user.refresh_from_db()
    assert user.email_confirmed_at is not None


@pytest.mark.parametrize("uid", [b"99999999999999999999999", b"-1", b"abc", b"\xff\xfe"])
def test_a_link_with_a_made_up_account_is_refused_with_a_page(client, uid):
    from django.utils.http import urlsafe_base64_encode

    response = client.get(f"/accounts/confirm/{urlsafe_base64_encode(uid)}/abc-def/")
    assert response.status_code == 400 and "not valid" in response.content.decode()


def test_the_builder_says_so_before_invite_is_refused(client, django_capture_on_commit_callbacks):
    """A new coordinator learnt it only when Invite was refused; the builder says so as the home page does,
    and stops saying it once the address is confirmed. The emails and the page say what it is for."""
    from tests.factories import ProposalFactory

    user = sign_up(client, django_capture_on_commit_callbacks)
    builder = reverse("alliances:builder", args=[ProposalFactory(owner=user).pk])
    page = client.get(builder).content.decode()
    assert "until then you cannot invite partners" in page and "Email me a link" in page
    assert "cannot invite partners" in mail.outbox[-1].body

    client.post(confirmation_link_of_last(user.email))
    assert "Email me a link" not in client.get(builder).content.decode()
