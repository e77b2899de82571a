"""Behind reverse proxies the client's address comes from X-Forwarded-For (django-ipware, as configured by
TRUSTED_PROXY_COUNT): the sign-in lockout and the invite-link rate limit key on it, not on the proxy's."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.cache import cache
from django.test import Client
from django.urls import reverse

from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
PROXY = "10.0.0.2"  # REMOTE_ADDR of every request: the reverse proxy
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


@pytest.fixture
def behind_one_proxy(settings):
    """What TRUSTED_PROXY_COUNT=1 configures (see test_the_environment_configures_it)."""
    settings.AXES_IPWARE_META_PRECEDENCE_ORDER = ("HTTP_X_FORWARDED_FOR", "REMOTE_ADDR")
    settings.AXES_IPWARE_PROXY_ORDER = "right-most"
    settings.AXES_IPWARE_PROXY_COUNT = 0
    cache.clear()
    yield
    cache.clear()


def through_proxy(client_address, forged=""):
    """A browser behind the proxy, which appends the address it saw to X-Forwarded-For."""
    chain = f"{forged}, {client_address}" if forged else client_address
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def test_a_locked_out_client_does_not_lock_out_the_others(behind_one_proxy, settings):
    user = UserFactory(email="anna@example.org")
    attacker = through_proxy("203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert attacker.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 429
    anna = through_proxy("198.51.100.7")
    assert anna.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302


def test_forging_x_forwarded_for_gives_no_fresh_counters(behind_one_proxy, settings):
    """A chain longer than the proxies configured is not believed: every forger shares one counter."""
    user = UserFactory(email="anna@example.org")
    for index in range(settings.AXES_FAILURE_LIMIT):
        forger = through_proxy("203.0.113.9", forged=f"198.51.100.{index}")
        forger.post(reverse("login"), {"username": user.email, "password": "wrong"})
    forger = through_proxy("203.0.113.9", forged="198.51.100.99")
    assert forger.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 429


def test_the_invite_link_rate_limit_counts_per_client_behind_the_proxy(behind_one_proxy, settings):
    settings.INVITATION_LOOKUP_RATE = "3/m"
    scanner = through_proxy("203.0.113.9")
    statuses = [scanner.get(f"/invite/wrong-{index}/").status_code for index in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert through_proxy("198.51.100.7").get("/invite/wrong-x/").status_code == 404


def test_the_environment_configures_it():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.AXES_IPWARE_META_PRECEDENCE_ORDER, s.AXES_IPWARE_PROXY_COUNT, s.AXES_IPWARE_PROXY_ORDER)"
    )
    env = {**os.environ, "TRUSTED_PROXY_COUNT": "1", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=MANAGE.parent
    )
    assert result.stdout.split() == ["('HTTP_X_FORWARDED_FOR',", "'REMOTE_ADDR')", "0", "right-most"]
    env.pop("TRUSTED_PROXY_COUNT")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=MANAGE.parent
    )
    assert result.stdout.split() == ["('REMOTE_ADDR',)", "None", "right-most"]
