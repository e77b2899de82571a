"""Two people creating the same organisation at once make one record: the second is told it exists (it made
two, 3 of 3 runs of two threads). The interleaving is forced: A's creation holds its transaction open while
B's waits for it, then A commits."""

import threading
import time

import pytest
from django.db import connection, transaction

from partners.models import Organisation
from partners.services import SameNameExists, organisation_create
from tests.eligibility.test_serialised import WAIT, in_thread, waiting_for_a_lock
from tests.factories import country, org_type

pytestmark = pytest.mark.django_db(transaction=True)


def fields():
    return {
        "legal_name": "Odlewnia Race Sp. z o.o.",
        "country": country("PL"),
        "type": org_type("enterprise"),
    }


def test_the_second_of_two_simultaneous_creations_is_told_the_first_exists():
    if connection.vendor != "postgresql":
        pytest.fail("Concurrency tests need PostgreSQL: set DATABASE_URL (make test does).")
    a_created, release_a = threading.Event(), threading.Event()
    outcome = {}

    def create_a():
        with transaction.atomic():
            outcome["a"] = organisation_create(**fields())
            a_created.set()
            release_a.wait(WAIT)

    def create_b():
        try:
            outcome["b"] = organisation_create(**fields())
        except SameNameExists as exc:
            outcome["b"] = exc

    a = in_thread(create_a, "creation-a")
    assert a_created.wait(WAIT)
    b = in_thread(create_b, "creation-b")
    deadline = time.monotonic() + WAIT
    while not waiting_for_a_lock():  # B waits for A's lock rather than checking before A commits
        assert time.monotonic() < deadline, "B never waited for A"
        time.sleep(0.01)
    release_a.set()
    a.join(WAIT)
    b.join(WAIT)

    assert Organisation.objects.filter(legal_name="Odlewnia Race Sp. z o.o.").count() == 1
    assert isinstance(outcome["b"], SameNameExists) and outcome["b"].existing.pk == outcome["a"].pk
    # Confirmed as another organisation of the same name, it is made.
    assert organisation_create(same_name_confirmed=True, **fields()).pk != outcome["a"].pk
