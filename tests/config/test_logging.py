"""Structured logs: one line per request and per task, with ids and durations, and no secrets from URLs."""

import json
import logging

import pytest
from django.urls import reverse

from config.observability import JsonFormatter

pytestmark = pytest.mark.django_db


def test_one_line_per_request_by_route_not_path(client, caplog):
    caplog.set_level(logging.INFO, logger="alliance_builder.request")
    response = client.get(reverse("password_reset_confirm", args=["MQ", "secret-token-value"]))
    records = [r for r in caplog.records if r.name == "alliance_builder.request"]
    assert len(records) == 1
    fields = records[0].fields
    assert fields["route"] == "accounts/reset/<uidb64>/<token>/"
    assert fields["status"] == response.status_code
    assert fields["duration_ms"] >= 0
    assert response.headers["X-Request-ID"] == fields["request_id"]
    line = JsonFormatter().format(records[0])
    assert "secret-token-value" not in line
    assert json.loads(line)["method"] == "GET"


def test_one_line_per_task_with_duration(caplog):
    from config.celery import app

    @app.task(name="tests.logging.add")
    def add(a, b):
        return a + b

    caplog.set_level(logging.INFO, logger="alliance_builder.task")
    assert add.delay(2, 3).get() == 5
    records = [r for r in caplog.records if r.name == "alliance_builder.task"]
    assert [r.fields["task"] for r in records] == ["tests.logging.add"]
    assert records[0].fields["state"] == "SUCCESS"
    assert records[0].fields["duration_ms"] is not None
