"""Structured logs: one line per request and per task, with ids and durations, and no secrets from URLs.

The lines are written by the handler, formatter and filter the settings configure, as in production."""

import copy
import io
import json
import logging
import logging.config

import pytest
from django.conf import settings
from django.core.cache import cache
from django.urls import reverse

pytestmark = pytest.mark.django_db

SECRET = "secret-token-value"


@pytest.fixture(autouse=True)
def no_failed_lookups_counted():
    """Refused invite links count towards the rate limit (in the cache): none counted before or after."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def log_lines():
    """The lines the configured console handler writes while the test runs, in the format asked for."""
    streams = []

    def capture(log_format: str) -> io.StringIO:
        stream = io.StringIO()
        config = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))  # configuring consumes it
        handler = logging.StreamHandler(stream)
        handler.setFormatter(config.configure_formatter(config.config["formatters"][log_format]))
        handler.addFilter(config.configure_filter(config.config["filters"]["route_not_path"]))
        logging.getLogger().addHandler(handler)
        streams.append(handler)
        return stream

    yield capture
    for handler in streams:
        logging.getLogger().removeHandler(handler)


def json_lines(stream: io.StringIO) -> list[dict]:
    return [json.loads(line) for line in stream.getvalue().splitlines()]


def test_one_json_line_per_request_by_route_not_path(client, log_lines):
    stream = log_lines("json")
    response = client.get(reverse("password_reset_confirm", args=["MQ", SECRET]))
    lines = json_lines(stream)
    requests = [line for line in lines if line["logger"] == "alliance_builder.request"]
    assert len(requests) == 1
    line = requests[0]
    assert line["level"] == "INFO" and line["message"] == "request" and line["time"]
    assert line["method"] == "GET"
    assert line["route"] == "accounts/reset/<uidb64>/<token>/"
    assert line["status"] == response.status_code
    assert line["duration_ms"] >= 0
    assert line["user_id"] is None
    assert response.headers["X-Request-ID"] == line["request_id"]
    assert SECRET not in stream.getvalue()


def test_djangos_own_lines_about_a_refused_link_name_the_route_not_the_token(client, log_lines):
    stream = log_lines("json")
    response = client.get(reverse("invitations:link", args=[SECRET]))
    assert response.status_code == 404
    lines = json_lines(stream)
    assert {line["logger"] for line in lines} >= {"django.request", "alliance_builder.request"}
    django_line = next(line for line in lines if line["logger"] == "django.request")
    assert django_line["level"] == "WARNING" and "invite/<str:token>/" in django_line["message"]
    assert SECRET not in stream.getvalue()


def test_plain_lines_are_readable_with_their_fields(client, log_lines):
    stream = log_lines("plain")
    client.get(reverse("invitations:link", args=[SECRET]))
    request_line = next(line for line in stream.getvalue().splitlines() if "alliance_builder.request" in line)
    assert " INFO alliance_builder.request request " in request_line
    assert "route=invite/<str:token>/" in request_line and "status=404" in request_line
    assert SECRET not in stream.getvalue()


def test_one_line_per_task_with_duration(log_lines):
    from config.celery import app

    @app.task(name="tests.logging.add")
    def add(a, b):
        return a + b

    stream = log_lines("json")
    assert add.delay(2, 3).get() == 5
    tasks = [line for line in json_lines(stream) if line["logger"] == "alliance_builder.task"]
    assert [line["task"] for line in tasks] == ["tests.logging.add"]
    assert tasks[0]["state"] == "SUCCESS"
    assert tasks[0]["task_args"] == [2, 3]
    assert tasks[0]["duration_ms"] is not None
