"""Faults, for real: a worker killed mid-check, Redis (broker and cache) stopped while a coordinator works,
and a database connection killed between requests. Each against real processes on the test databases."""

import datetime
import os
import signal
import time

import pytest
from django.urls import reverse

from eligibility.services import reevaluate
from partners import eche
from partners.models import Organisation
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory, org_type

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]
HTMX = {"HTTP_HX_REQUEST": "true"}


def status_of(organisation_id: int) -> str:
    return Organisation.objects.values_list("eche_status", flat=True).get(pk=organisation_id)


def test_a_worker_killed_mid_check_gets_the_check_again_and_completes(
    request, hanging_eche_api, monkeypatch, switch_broker, celery_eager, wait_for
):
    # A short visibility timeout, in the worker (from the environment) and here: an unacknowledged task
    # comes back after 2 s instead of an hour.
    monkeypatch.setenv("CELERY_VISIBILITY_TIMEOUT", "2")
    options = {**celery_eager.conf.broker_transport_options, "visibility_timeout": 2}
    monkeypatch.setitem(celery_eager.conf, "broker_transport_options", options)
    switch_broker()  # new connections, with the options above
    worker = request.getfixturevalue("celery_worker_process")

    hanging_eche_api.hold.set()  # the first answer hangs: the worker is caught in the middle of the check
    tub = OrganisationFactory(hei=True, erasmus_code="D  BERLIN02")  # committed: the check is queued
    wait_for(lambda: hanging_eche_api.requests, message="the worker to start the check")
    assert status_of(tub.pk) == "pending"

    os.kill(worker.process.pid, signal.SIGKILL)  # no shutdown, no acknowledgement: acks_late keeps it
    worker.process.wait(timeout=10)
    hanging_eche_api.release()
    assert status_of(tub.pk) == "pending"

    time.sleep(2.5)  # past the visibility timeout
    worker.restart()  # a worker starting up restores what was delivered and never acknowledged
    wait_for(lambda: status_of(tub.pk) == "valid", timeout=30, message="the redelivered check")
    assert len(hanging_eche_api.requests) >= 2
    tub.refresh_from_db()
    assert tub.eche_matched_by == "erasmus_code" and tub.eche_requested_at is None
    assert b"partners.tasks.check_eche" in worker.log.read_bytes()


def test_redis_down_pages_render_saves_succeed_and_checks_complete_when_it_returns(
    request, private_redis, settings, monkeypatch, switch_broker, client, tmp_path, wait_for
):
    from .conftest import TUB

    # Broker and cache on a private Redis that this test may stop (never the machine's shared one).
    monkeypatch.setenv("CELERY_BROKER_URL", private_redis.url(0))
    switch_broker(private_redis.url(0))
    cache = {
        **settings.CACHES["default"],
        "BACKEND": "config.cache.ResilientRedisCache",
        "LOCATION": private_redis.url(1),
    }
    settings.CACHES = {"default": cache, "fragments": cache}  # the builder's rendered fragments too
    from tests.partners.eche_helpers import import_list, write_list

    import_list(
        write_list(
            tmp_path / "list.xlsx",
            [
                (
                    TUB["erasmusCode"],
                    TUB["pic"],
                    TUB["oid"],
                    TUB["legalName"],
                    "DE",
                    "01-01-2021",
                    "31-12-2099",
                )
            ],
        )
    )
    worker = request.getfixturevalue("celery_worker_process")

    owner = UserFactory(email="owner@example.org")
    proposal = ProposalFactory(owner=owner)
    reevaluate([proposal.pk])
    client.force_login(owner)
    builder = reverse("alliances:builder", kwargs={"pk": proposal.pk})
    assert client.get(builder).status_code == 200  # Redis up: the rendering is cached there

    private_redis.kill()
    assert not private_redis.running

    # The coordinator carries on: pages, fragments, the directory search, and saves.
    assert client.get(reverse("home")).status_code == 200
    assert client.get(builder).status_code == 200
    search = reverse("alliances:organisation_search", kwargs={"pk": proposal.pk})
    assert client.get(search, {"q": "Berlin"}, **HTMX).status_code == 200
    proposal.refresh_from_db()
    response = client.post(
        reverse("alliances:organisation_create", kwargs={"pk": proposal.pk}),
        {
            "org-legal_name": TUB["legalName"],
            "org-country": "DE",
            "org-city": "Berlin",
            "org-type": org_type("higher-education-institution").pk,
            "org-erasmus_code": TUB["erasmusCode"],
            "part-role": "full_partner",
            "version": proposal.version,
        },
        **HTMX,
    )
    assert response.status_code == 200, response.content.decode()[:2000]
    tub = Organisation.objects.get(erasmus_code=TUB["erasmusCode"])
    assert proposal.participations.filter(organisation=tub).exists()  # saved
    assert tub.eche_status == "pending" and tub.eche_requested_at is not None  # the check waits
    page = client.get(builder)
    assert page.status_code == 200 and TUB["legalName"] in page.content.decode()

    private_redis.start()  # back, on the same port, empty (no persistence)

    # What beat's sweep does every few minutes: queue again the checks asked for and never answered.
    def swept():
        return eche.pending_checks_sweep(older_than=datetime.timedelta(0)) or status_of(tub.pk) == "valid"

    wait_for(swept, timeout=30, interval=1, message="the broker to accept the swept check")
    wait_for(lambda: status_of(tub.pk) == "valid", timeout=60, message="the check after Redis returned")
    assert client.get(builder).status_code == 200
    assert worker.process.poll() is None  # the worker rode out the outage


def test_a_database_connection_killed_between_requests_is_replaced(gunicorn_server, client):
    import requests
    from django.db import connection

    owner = UserFactory(email="owner@example.org")
    client.force_login(owner)  # a session row in the database, as a sign-in through the form makes
    session = requests.Session()
    session.cookies.set("sessionid", client.cookies["sessionid"].value)
    assert "My proposals" in session.get(gunicorn_server.base + reverse("home")).text

    def backends() -> list[int]:
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pid FROM pg_stat_activity WHERE application_name = %s",
                [gunicorn_server.application_name],
            )
            return [row[0] for row in cursor.fetchall()]

    assert len(backends()) == 1  # gunicorn keeps its connection between requests (CONN_MAX_AGE)
    for _round in range(2):
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
                [gunicorn_server.application_name],
            )
        deadline = time.monotonic() + 5
        while backends() and time.monotonic() < deadline:
            time.sleep(0.05)
        assert backends() == []

        # The next request finds the connection dead (CONN_HEALTH_CHECKS), opens a new one and succeeds.
        home = session.get(gunicorn_server.base + reverse("home"))
        assert home.status_code == 200 and "My proposals" in home.text, (home.url, home.text[:3000])
        assert len(backends()) == 1

    # A save, too, after one more kill.
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = %s",
            [gunicorn_server.application_name],
        )
    new = gunicorn_server.base + reverse("alliances:proposal_create")
    page = session.get(new)
    assert page.status_code == 200
    from tests.factories import edition

    response = session.post(
        new,
        {
            "title": "After the outage",
            "acronym": "AFTER",
            "edition": edition().pk,
            "duration_months": "24",
            "aims": ["skills-relevance"],
            "csrfmiddlewaretoken": session.cookies["csrftoken"],
        },
        headers={"Referer": new},
    )
    assert response.status_code == 200, response.text[:500]
    from alliances.models import Proposal

    assert Proposal.objects.filter(owner=owner, acronym="AFTER").count() == 1
    assert b"Traceback" not in gunicorn_server.log.read_bytes()
