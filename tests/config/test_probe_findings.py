"""Findings of the outside probe (issue 14) about operations: request ids, the production cache check, the
demo seed in production, and what check_eligibility does with hostile JSON."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.urls import reverse

pytestmark = pytest.mark.django_db
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


@pytest.mark.parametrize("given", ["abc-123_DEF.7", "f" * 64])
def test_a_safe_request_id_is_kept(client, given):
    assert client.get(reverse("login"), HTTP_X_REQUEST_ID=given)["X-Request-ID"] == given


@pytest.mark.parametrize(
    "given", ["x status=200 user_id=1", "a\tb", "f" * 65, "<script>", "id;rm", "é", ""], ids=repr
)
def test_an_unsafe_request_id_is_replaced(client, given):
    kept = client.get(reverse("login"), HTTP_X_REQUEST_ID=given)["X-Request-ID"]
    assert kept != given and len(kept) == 32 and kept.isalnum()


def test_check_deploy_fails_without_redis_cache_url(settings):
    settings.REDIS_CACHE_URL = None
    with pytest.raises(CommandError, match="REDIS_CACHE_URL"):
        call_command("check", "--deploy", "--tag", "caches")
    settings.REDIS_CACHE_URL = "redis://127.0.0.1:6379/8"
    call_command("check", "--deploy", "--tag", "caches")


def seed(*args, **env):
    environment = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "a-production-like-secret-key-with-plenty-of-entropy-0123456789abcdef",
        "ALLOWED_HOSTS": "alliance.example.org",
        "LOG_LEVEL": "ERROR",
        **env,
    }
    if "DEMO_USER_PASSWORD" not in env:
        environment.pop("DEMO_USER_PASSWORD", None)
    return subprocess.run(
        [sys.executable, str(MANAGE), "seed_demo", *args], capture_output=True, text=True, env=environment
    )


def test_seed_demo_refuses_production_unless_asked_with_a_password_of_ones_own():
    nowhere = "postgres://postgres@127.0.0.1:5432/no_database_here"  # it refuses before touching any database
    refused = seed(DATABASE_URL=nowhere)
    assert refused.returncode != 0 and "--production" in refused.stderr and "Traceback" not in refused.stderr
    published = seed("--production", DATABASE_URL=nowhere)
    assert published.returncode != 0 and "DEMO_USER_PASSWORD" in published.stderr
    assert "Traceback" not in published.stderr


def test_seed_demo_in_production_with_a_password_from_the_environment(settings):
    from accounts.models import User

    settings.PRODUCTION = True
    settings.DEMO_USER_PASSWORD = "a-password-of-our-own-2026"
    call_command("seed_demo", "--production")

    assert User.objects.get(email=settings.DEMO_USER_EMAIL).check_password("a-password-of-our-own-2026")


@pytest.mark.parametrize(
    ("document", "expected"),
    [
        ("[" * 100_000 + "]" * 100_000, ["input: the JSON is nested too deeply"]),
        ('{"duration_months": 1' + "0" * 5000 + "}", ["input: a number has more than 4300 digits"]),
        (
            '{"duration_months": 24, "aims": ["\\ud800"], "participants": []}',
            [
                "aims[0]: a string holds a lone surrogate (not valid Unicode)",
                'aims[0]: unknown aim "\\ud800"',
            ],
        ),
    ],
    ids=["deep", "5001-digits", "lone-surrogate"],
)
def test_check_eligibility_exits_2_with_one_line_per_problem(document, expected, manage_py_env):
    result = subprocess.run(
        [sys.executable, str(MANAGE), "check_eligibility", "-"],
        input=document.encode(),
        capture_output=True,
        env=manage_py_env,
    )
    assert result.returncode == 2, result.stderr.decode(errors="replace")
    assert result.stderr.decode().splitlines() == expected
    assert result.stdout == b""
