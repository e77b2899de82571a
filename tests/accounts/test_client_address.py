"""Behind reverse proxies the client's address comes from X-Forwarded-For (config/client_address.py, as
TRUSTED_PROXY_COUNT says): the sign-in lockout and the invite-link rate limit key on it, not on the
proxy's."""

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


def behind(settings, proxies: int) -> None:
    settings.TRUSTED_PROXY_COUNT = proxies


@pytest.fixture
def behind_one_proxy(settings):
    behind(settings, 1)
    cache.clear()
    yield
    cache.clear()


def through_proxy(client_address, forged="", outer_proxies=()):
    """A browser behind the proxy, which appends the address it saw to X-Forwarded-For (as do the proxies
    further out, `outer_proxies`, the outermost first)."""
    chain = ", ".join([*([forged] if forged else []), client_address, *outer_proxies])
    return Client(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=chain)


def client_address(client) -> str:
    from axes.helpers import get_client_ip_address

    return get_client_ip_address(client.get("/bench-nothing-here/").wsgi_request)


def test_a_locked_out_client_does_not_lock_out_the_others(behind_one_proxy, settings):
    user = UserFactory(email="anna@example.org")
    attacker = through_proxy("203.0.113.9")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        attacker.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert attacker.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 429
    anna = through_proxy("198.51.100.7")
    assert anna.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302


def test_forging_x_forwarded_for_gives_no_fresh_counters(behind_one_proxy, settings):
    """What a client writes into X-Forwarded-For itself is ignored: it keeps its own address's counter."""
    user = UserFactory(email="anna@example.org")
    for index in range(settings.AXES_FAILURE_LIMIT):
        forger = through_proxy("203.0.113.9", forged=f"198.51.100.{index}")
        forger.post(reverse("login"), {"username": user.email, "password": "wrong"})
    forger = through_proxy("203.0.113.9", forged="198.51.100.99")
    assert forger.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 429
    # Nor does it lock out the address it forged.
    anna = through_proxy("198.51.100.0")
    assert anna.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302


def test_the_invite_link_rate_limit_counts_per_client_behind_the_proxy(behind_one_proxy, settings):
    settings.INVITATION_LOOKUP_RATE = "3/m"
    scanner = through_proxy("203.0.113.9")
    statuses = [scanner.get(f"/invite/wrong-{index}/").status_code for index in range(4)]
    assert statuses == [404, 404, 404, 429]
    assert through_proxy("198.51.100.7").get("/invite/wrong-x/").status_code == 404


def test_the_environment_configures_it():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.TRUSTED_PROXY_COUNT, s.AXES_CLIENT_IP_CALLABLE)"
    )
    env = {**os.environ, "TRUSTED_PROXY_COUNT": "2", "DJANGO_SETTINGS_MODULE": "config.settings"}
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=MANAGE.parent
    )
    assert result.stdout.split() == ["2", "config.client_address.client_address"]
    env.pop("TRUSTED_PROXY_COUNT")
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, cwd=MANAGE.parent
    )
    assert result.stdout.split() == ["0", "config.client_address.client_address"]


@pytest.mark.parametrize("proxies", [1, 2, 3])
def test_the_client_is_the_address_the_outermost_proxy_saw(settings, proxies):
    """With 2 or 3 proxies the lockout keyed on a proxy's address (the chain was read from the wrong end), so
    anyone could lock any account out for everyone."""
    behind(settings, proxies)
    ours = [f"10.0.1.{index}" for index in range(proxies - 1)]  # the proxies between, as they append
    assert client_address(through_proxy("203.0.113.9", outer_proxies=ours)) == "203.0.113.9"
    # What the client wrote itself, and what its office's own proxy appended, come before: ignored.
    assert (
        client_address(through_proxy("203.0.113.9", forged="198.51.100.1", outer_proxies=ours))
        == "203.0.113.9"
    )
    office = through_proxy("203.0.113.9", forged="192.168.0.7, 198.51.100.1", outer_proxies=ours)
    assert client_address(office) == "203.0.113.9"
    # A quote opened before the proxies' entries (python-ipware read the rest as one quoted value, and took
    # the address written before it), junk, an empty header.
    for forged in ('5.5.5.6, "', '"5.5.5.6', "for=5.5.5.6", "not an address"):
        assert (
            client_address(through_proxy("203.0.113.9", forged=forged, outer_proxies=ours)) == "203.0.113.9"
        )
    assert client_address(Client(REMOTE_ADDR=PROXY)) == PROXY  # past no proxy: its own address


def test_with_no_proxy_the_header_is_not_read(settings):
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_address(through_proxy("203.0.113.9")) == PROXY


def test_a_quote_in_the_header_gives_no_fresh_counter_nor_another_clients(behind_one_proxy, settings):
    """With `5.5.5.6, "` an attacker locked out 5.5.5.6, and with a new address each time guessed at will."""
    user = UserFactory(email="anna@example.org")
    for index in range(settings.AXES_FAILURE_LIMIT):
        attacker = through_proxy("203.0.113.9", forged=f'198.51.100.{index}, "')
        attacker.post(reverse("login"), {"username": user.email, "password": "wrong"})
    assert attacker.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 429
    anna = through_proxy("198.51.100.0")
    assert anna.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302


def test_two_proxies_lock_out_the_attacker_not_the_owner(settings):
    behind(settings, 2)
    user = UserFactory(email="anna@example.org")
    for index in range(settings.AXES_FAILURE_LIMIT):
        attacker = through_proxy(f"203.0.113.{index}", outer_proxies=["10.0.1.1"])
        attacker.post(reverse("login"), {"username": user.email, "password": "wrong"})
    anna = through_proxy("198.51.100.7", outer_proxies=["10.0.1.1"])
    assert anna.post(reverse("login"), {"username": user.email, "password": PASSWORD}).status_code == 302
