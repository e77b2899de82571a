"""Operators' view: the health endpoint, production settings, and the security headers on real responses."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db
MANAGE = Path(__file__).resolve().parents[2] / "manage.py"


def test_healthz_reports_every_component(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["components"]["database"] == "ok"
    assert body["components"]["broker"] == "ok"  # the suite runs with a Redis broker and cache


def test_pages_answer_head_as_get_without_a_body(client):
    """A load balancer's or uptime check's HEAD: the status a GET would get (it was a 405 on every page
    that takes GET only). Not the invitation link, where it would count as the partner opening it."""
    from tests.factories import ProposalFactory

    proposal = ProposalFactory()
    assert client.head(reverse("healthz")).status_code == 200
    client.force_login(proposal.owner)
    assert client.head(reverse("partners:organisation_list")).status_code == 200
    response = client.head(reverse("alliances:builder", args=[proposal.pk]))
    assert response.status_code == 200 and response.content == b""
    assert client.head(reverse("invitations:link", args=["x" * 43])).status_code == 405


def test_healthz_names_what_is_down_and_redis_down_is_degraded_not_dead(client, settings):
    """The site works with Redis down: a 503 told an orchestrator it was dead."""
    settings.REDIS_CACHE_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 200 and response.json()["status"] == "degraded"
    assert response.json()["components"]["cache"].startswith("down: ")
    assert response.json()["components"]["database"] == "ok"


def test_healthz_is_a_503_when_the_database_is_down(client, monkeypatch):
    from config import views

    def down():
        raise OSError("connection refused")

    monkeypatch.setattr(views, "_database", down)
    response = client.get(reverse("healthz"))
    assert response.status_code == 503 and response.json()["status"] == "down"
    assert response.json()["components"]["database"] == "down: OSError"


def test_production_settings_pass_check_deploy():
    env = {
        **{key: value for key, value in os.environ.items() if key != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DJANGO_ENV": "production",
        "SECRET_KEY": "a-production-like-secret-key-with-plenty-of-entropy-0123456789abcdef",
        "ALLOWED_HOSTS": "alliance.example.org",
    }
    result = subprocess.run(
        [sys.executable, str(MANAGE), "check", "--deploy", "--fail-level", "WARNING"],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {**os.environ, "DJANGO_ENV": "production", "SECRET_KEY": ""}
    result = subprocess.run([sys.executable, str(MANAGE), "check"], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


def test_security_headers_on_a_real_page(client):
    response = client.get(reverse("login"))
    csp = response.headers["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Frame-Options"] == "DENY"
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "same-origin"


PRODUCTION_RESPONSE = """
import json
from django.test import Client
response = Client().get("/accounts/login/", secure=True, HTTP_HOST="alliance.example.org")
print(json.dumps({"status": response.status_code, "headers": dict(response.headers),
                  "cookies": {name: dict(morsel) for name, morsel in response.cookies.items()}}))
"""


def test_production_responses_carry_hsts_and_secure_cookies():
    import json

    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "a-production-like-secret-key-with-plenty-of-entropy-0123456789abcdef",
        "ALLOWED_HOSTS": "alliance.example.org",
        "LOG_LEVEL": "ERROR",
        "STATIC_MANIFEST": "false",  # no collectstatic in the test tree
    }
    result = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-c", PRODUCTION_RESPONSE],
        capture_output=True,
        text=True,
        env=env,
    )
    assert result.returncode == 0, result.stderr
    response = json.loads(result.stdout.strip().splitlines()[-1])
    assert response["status"] == 200
    headers = response["headers"]
    assert headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains; preload"
    assert "unsafe-inline" not in headers["Content-Security-Policy"].split("script-src")[1].split(";")[0]
    assert headers["X-Frame-Options"] == "DENY"
    assert headers["X-Content-Type-Options"] == "nosniff"
    csrf = response["cookies"]["csrftoken"]
    assert csrf["secure"] is True
    assert csrf["samesite"] == "Lax"


def test_plain_http_is_redirected_to_https_in_production():
    env = {
        **os.environ,
        "DJANGO_ENV": "production",
        "SECRET_KEY": "a-production-like-secret-key-with-plenty-of-entropy-0123456789abcdef",
        "ALLOWED_HOSTS": "alliance.example.org",
        "LOG_LEVEL": "ERROR",
    }
    code = (
        "from django.test import Client; "
        "r = Client().get('/accounts/login/', HTTP_HOST='alliance.example.org'); "
        "print(r.status_code, r.headers.get('Location'))"
    )
    result = subprocess.run(
        [sys.executable, str(MANAGE), "shell", "-c", code], capture_output=True, text=True, env=env
    )
    assert result.stdout.strip().splitlines()[-1] == "301 https://alliance.example.org/accounts/login/"


def test_session_cookie_is_http_only_and_secure_in_production(client, settings):
    """The session cookie a real sign-in sets: HttpOnly, SameSite, and Secure with the production setting."""
    from tests.factories import PASSWORD, UserFactory

    settings.SESSION_COOKIE_SECURE = True
    settings.CSRF_COOKIE_SECURE = True
    user = UserFactory(email="anna@example.org")
    response = client.post(reverse("login"), {"username": user.email, "password": PASSWORD})
    assert response.status_code == 302
    session = response.cookies[settings.SESSION_COOKIE_NAME]
    assert session["httponly"] is True
    assert session["secure"] is True
    assert session["samesite"] == "Lax"
