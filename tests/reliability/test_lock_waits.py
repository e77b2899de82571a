"""A change that waits for a row another transaction holds (a long import, a session left open in psql) is
refused after the database's lock_timeout with a message, its transaction rolled back: it waited until
gunicorn ended the worker at 30 s, and the builder said "the server could not be reached"."""

import psycopg2
import pytest
from django.db import connection
from django.urls import reverse

from alliances.models import Participation
from tests.factories import ParticipationFactory, ProposalFactory

from .conftest import database_url

pytestmark = pytest.mark.django_db(transaction=True)


def test_every_connection_waits_for_a_lock_at_most_db_lock_timeout_ms(settings):
    if connection.vendor != "postgresql":
        pytest.fail("the lock test needs PostgreSQL (make test)")
    with connection.cursor() as cursor:
        cursor.execute("SELECT setting::int FROM pg_settings WHERE name = 'lock_timeout'")
        assert cursor.fetchone()[0] == settings.LOCK_TIMEOUT_MS > 0


def test_a_change_kept_waiting_by_another_transaction_is_refused_with_a_message(client):
    proposal = ProposalFactory()
    participation = ParticipationFactory(proposal=proposal)
    client.force_login(proposal.owner)
    holder = psycopg2.connect(database_url(connection.settings_dict))
    try:
        with holder.cursor() as cursor:  # a transaction left open, holding the proposal's row
            cursor.execute("SELECT id FROM alliances_proposal WHERE id = %s FOR UPDATE", [proposal.pk])
        with connection.cursor() as cursor:
            cursor.execute("SET lock_timeout = '300ms'")  # the test's wait, not twenty seconds
        url = reverse("alliances:participation_remove", args=[proposal.pk, participation.pk])
        response = client.post(url, {"version": proposal.version}, HTTP_HX_REQUEST="true")
    finally:
        holder.rollback()
        holder.close()
        with connection.cursor() as cursor:
            cursor.execute("RESET lock_timeout")

    assert response.status_code == 503
    assert "nothing was saved" in response.content.decode()
    assert Participation.objects.filter(pk=participation.pk).exists()
