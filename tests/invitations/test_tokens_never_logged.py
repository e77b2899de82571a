"""No log line, at any level and in either format, holds an invite token: through the abuse cases (a wrong
token, the rate limit's 429, an expired and a revoked link), as the configured handler writes them."""

import copy
import datetime
import io
import logging
import logging.config

import pytest
import time_machine
from django.conf import settings

from invitations import services

pytestmark = pytest.mark.django_db


@pytest.fixture
def every_line():
    """Every record of every logger, at DEBUG, through the configured formatters and filter."""
    config = logging.config.DictConfigurator(copy.deepcopy(settings.LOGGING))
    streams, handlers = [], []
    root = logging.getLogger()
    levels = {
        name: logging.getLogger(name).level for name in ("", "django", "django.request", "django.server")
    }
    for log_format in ("json", "plain"):
        stream = io.StringIO()
        handler = logging.StreamHandler(stream)
        handler.setFormatter(config.configure_formatter(config.config["formatters"][log_format]))
        handler.addFilter(config.configure_filter(config.config["filters"]["route_not_path"]))
        handler.setLevel(logging.DEBUG)
        root.addHandler(handler)
        streams.append(stream)
        handlers.append(handler)
    for name in levels:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield lambda: "".join(stream.getvalue() for stream in streams)
    for handler in handlers:
        root.removeHandler(handler)
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_no_token_in_any_line_through_the_abuse_cases(client, proposal, invite, every_line, settings):
    settings.INVITATION_LOOKUP_RATE = "3/m"
    expired, expired_token = invite(proposal.invitee)
    revoked_participation = proposal.participations.exclude(pk=proposal.invitee.pk).first()
    revoked_participation.status = "proposed"
    revoked_participation.contact_email = "rita@example.org"
    revoked_participation.save()
    revoked, revoked_token = invite(revoked_participation)
    services.invitation_revoke(invitation=revoked, actor=proposal.owner)
    wrong = "A" * 43
    statuses = []
    with time_machine.travel(expired.expires_at + datetime.timedelta(minutes=1)):
        for token in (expired_token, revoked_token, wrong, wrong + "B", wrong + "C", wrong + "D"):
            statuses.append(client.get(f"/invite/{token}/").status_code)
    assert 429 in statuses and 404 in statuses
    lines = every_line()
    assert "invite/<str:token>/" in lines
    for token in (expired_token, revoked_token, wrong):
        assert [line for line in lines.splitlines() if token in line] == []


def test_gunicorns_own_lines_name_the_route_not_the_path(invite, proposal):
    """A worker killed mid-request logs "Error handling request GET /invite/<token>/"; a malformed request
    line is logged whole: gunicorn's lines go through the filter gunicorn.conf.py installs in each worker."""
    import runpy
    from pathlib import Path

    _invitation, token = invite(proposal.invitee)
    server = logging.getLogger("gunicorn.error")
    before = list(server.filters)
    conf = runpy.run_path(str(Path(settings.BASE_DIR) / "gunicorn.conf.py"))
    conf["post_worker_init"](worker=None)
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    server.addHandler(handler)
    try:
        server.error("Error handling request %s %s", "GET", f"/invite/{token}/?utm=1")
        server.warning(
            f"Invalid request from ip=10.0.0.1: Invalid HTTP request line: 'GET /invite/{token}/ HTP'"
        )
        server.error("Error handling request %s", "/organisations/12/")
        # A path that resolves nothing (a control character after the token) keeps no token either.
        server.warning(
            f"Invalid request from ip=10.0.0.1: Invalid HTTP request line: 'GET /invite/{token}/\x01'"
        )
    finally:
        server.removeHandler(handler)
        server.filters[:] = before
    lines = stream.getvalue()
    assert token not in lines
    assert lines.count("/invite/<str:token>/") == 2 and "/organisations/<int:pk>/" in lines
