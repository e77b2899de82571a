"""Prepared statements: prepared once per connection, then only executed; prepared again on a new one."""

import pytest
from django.db import connection, connections
from django.test.utils import CaptureQueriesContext

from config import prepared

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's"),
]

NAME = "alliance_builder_test_statement"
SQL = "SELECT %s + %s, %s::text"


def statement_exists() -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [NAME])
        return cursor.fetchone() is not None


def run(a=1, b=2, text="x"):
    return prepared.fetch(NAME, SQL, [a, b, text], types=["int", "int", "text"])


def test_prepared_once_then_only_executed():
    assert run() == [(3, "x")]
    assert statement_exists()
    with CaptureQueriesContext(connection) as queries:
        assert run(40, 2, "y") == [(42, "y")]
    assert [query["sql"] for query in queries] == [f"EXECUTE {NAME} (40, 2, 'y')"]


def test_parameters_are_parameters_never_sql():
    hostile = "'); DROP TABLE accounts_user; --"
    assert run(text=hostile) == [(3, hostile)]


@pytest.mark.django_db(transaction=True)  # a connection closed inside a test's transaction stays closed
def test_prepared_again_on_a_new_connection():
    run()
    connection.close()
    assert run(5, 5) == [(10, "x")]  # the new connection has no statements: prepared again
    assert statement_exists()


def test_a_forgotten_but_present_statement_is_not_prepared_twice():
    run()
    connections["default"].__dict__.pop("_prepared_statements")
    assert run(1, 1) == [(2, "x")]  # PREPARE again would fail: "prepared statement already exists"


def test_a_statement_the_connection_lost_is_prepared_again():
    run()
    with connection.cursor() as cursor:
        cursor.execute(f"DEALLOCATE {NAME}")
    connections["default"].__dict__.pop("_prepared_statements")
    assert run(2, 2) == [(4, "x")]
