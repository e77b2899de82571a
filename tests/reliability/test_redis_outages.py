"""Redis stalled or down, for real (a private redis-server): sign-out still signs out for good, the
invite-link rate limit steps aside (look-ups still need a valid token) and says so at ERROR, and a change that
queues a task answers at once while the broker stalls."""

import logging
import re

import pytest
import redis
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.urls import reverse

from alliances.models import ParticipationStatus
from eligibility.services import reevaluate
from invitations.services import invitation_create
from tests.factories import PASSWORD, ParticipationFactory, ProposalFactory, UserFactory

LINK = re.compile(r"https?://[^/\s]+/invite/([A-Za-z0-9_-]+)/")


def sign_in(browser, base: str, email: str):
    login = base + reverse("login")
    browser.get(login)
    form = {"username": email, "password": PASSWORD, "csrfmiddlewaretoken": browser.cookies["csrftoken"]}
    response = browser.post(login, data=form)
    assert response.status_code == 200 and "My proposals" in response.text


def owner_signing_in_to_gunicorn():
    owner = UserFactory(email="owner@example.org")
    hasher = PBKDF2PasswordHasher()  # gunicorn knows the production hashers only (the tests' is quicker)
    owner.password = hasher.encode(PASSWORD, hasher.salt())
    owner.save(update_fields=["password"])
    return owner


@pytest.mark.django_db(transaction=True)
def test_a_session_signed_out_while_redis_stalls_stays_signed_out(request, private_redis, monkeypatch):
    import requests

    monkeypatch.setenv("REDIS_CACHE_URL", private_redis.url(1))  # gunicorn's cache: the private Redis
    server = request.getfixturevalue("gunicorn_server")
    owner = owner_signing_in_to_gunicorn()
    proposal = ProposalFactory(owner=owner, title="Stalled Redis Alliance")
    reevaluate([proposal.pk])
    builder = server.base + reverse("alliances:builder", kwargs={"pk": proposal.pk})

    browser = requests.Session()
    sign_in(browser, server.base, "owner@example.org")
    assert browser.get(builder).status_code == 200  # rendered, and its fragments cached in Redis
    old_cookie = browser.cookies["sessionid"]

    private_redis.pause()
    try:
        # A page not rendered before (the other mode), so its rendering is looked up in the stalled Redis.
        page = browser.get(builder, params={"mode": "confirmed"}, timeout=30)
        assert page.status_code == 200 and "Stalled Redis Alliance" in page.text
        signed_out = browser.post(
            server.base + reverse("logout"),
            data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]},
            timeout=30,
        )
        assert signed_out.status_code == 200 and signed_out.url == server.base + reverse("login")
    finally:
        private_redis.resume()
    assert redis.Redis.from_url(private_redis.url(1)).ping()  # Redis is back

    kept = requests.Session()  # someone kept the cookie from before the sign-out
    kept.cookies.set("sessionid", old_cookie)
    response = kept.get(builder, allow_redirects=False)
    assert response.status_code == 302 and response.headers["Location"].startswith(reverse("login"))
    log = server.log.read_bytes()
    assert b"ERROR django_redis.cache" in log  # the stall was noticed, and logged
    assert b"Internal Server Error" not in log


@pytest.mark.django_db(transaction=True)
def test_an_invitation_sent_while_the_broker_stalls_answers_at_once_and_waits_queued(
    request, private_redis, monkeypatch
):
    """Publishing waited for the stalled broker until gunicorn killed the worker (30 s): a bare 500 for an
    invitation already saved. It now gives up within seconds; the sweep sends the invitation later."""
    import requests

    from invitations.models import Invitation, InvitationStatus

    monkeypatch.setenv("CELERY_BROKER_URL", private_redis.url(2))  # gunicorn's broker: the private Redis
    server = request.getfixturevalue("gunicorn_server")
    owner = owner_signing_in_to_gunicorn()
    participation = ParticipationFactory(
        proposal=ProposalFactory(owner=owner),
        status=ParticipationStatus.PROPOSED,
        contact_email="pablo@fabrica.example",
    )
    browser = requests.Session()
    sign_in(browser, server.base, "owner@example.org")
    send = server.base + reverse(
        "invitations:send", kwargs={"pk": participation.proposal_id, "participation_id": participation.pk}
    )

    private_redis.pause()
    try:
        response = browser.post(send, data={"csrfmiddlewaretoken": browser.cookies["csrftoken"]}, timeout=20)
    finally:
        private_redis.resume()

    assert response.status_code == 200
    assert response.elapsed.total_seconds() < 10
    assert Invitation.objects.get(participation=participation).status == InvitationStatus.QUEUED
    assert b"WORKER TIMEOUT" not in server.log.read_bytes()


@pytest.mark.django_db
def test_the_invite_link_rate_limit_fails_open_and_logs_an_error_while_redis_is_down(
    caches_on_private_redis, settings, client, caplog, django_capture_on_commit_callbacks, mailoutbox
):
    settings.INVITATION_LOOKUP_RATE = "2/m"
    owner = UserFactory()
    participation = ParticipationFactory(
        proposal=ProposalFactory(owner=owner),
        status=ParticipationStatus.PROPOSED,
        contact_name="Pablo Partner",
        contact_email="pablo@fabrica.example",
    )
    with django_capture_on_commit_callbacks(execute=True):
        invitation = invitation_create(participation=participation, actor=owner)
    token = LINK.search(mailoutbox[-1].body).group(1)
    wrong = "w" * len(token)

    def link(value):
        return reverse("invitations:link", kwargs={"token": value})

    # Redis up: past the limit, every look-up from this address is refused, even with a valid token.
    assert [client.get(link(wrong)).status_code for _ in range(3)] == [404, 404, 429]
    assert client.get(link(token)).status_code == 429

    caches_on_private_redis.kill()
    caplog.set_level(logging.ERROR, logger="invitations.ratelimit")
    assert client.get(link(wrong)).status_code == 404  # not limited, and still not found
    opened = client.get(link(token))
    assert opened.status_code == 302
    assert opened.url == reverse("invitations:answer", kwargs={"pk": invitation.pk})

    errors = [record for record in caplog.records if record.name == "invitations.ratelimit"]
    assert errors and {record.levelname for record in errors} == {"ERROR"}
    for record in errors:
        line = record.getMessage()
        assert "rate limit" in line
        assert token not in line and wrong not in line and "/invite/" not in line


@pytest.mark.django_db
def test_with_redis_down_the_builder_renders_and_the_outage_is_logged(
    caches_on_private_redis, client, caplog
):
    owner = UserFactory()
    proposal = ProposalFactory(owner=owner, title="Redis Down Alliance")
    reevaluate([proposal.pk])
    client.force_login(owner)
    builder = reverse("alliances:builder", kwargs={"pk": proposal.pk})

    caches_on_private_redis.kill()
    caplog.set_level(logging.ERROR, logger="django_redis")
    page = client.get(builder)
    assert page.status_code == 200 and "Redis Down Alliance" in page.content.decode()
    errors = [record for record in caplog.records if record.levelname == "ERROR"]
    assert any(record.name.startswith("django_redis") for record in errors)
