"""Queries that run on every page view or every save, prepared once per PostgreSQL connection.

For the look-ups the busiest paths make (the signed-in user, the builder page's stamp, the one-proposal
eligibility snapshot), PostgreSQL spends longer parsing and planning the statement than running it. A
prepared statement is parsed and planned once per connection and then only executed. Other databases run
the SQL as it is.

Prepared statements live in the database session: they need a connection of their own (session-level
pooling), never PgBouncer in transaction mode.
"""

from collections.abc import Sequence

from django.db import connections


def fetch(name: str, sql: str, params: Sequence, *, types: Sequence[str], using="default") -> list[tuple]:
    """The rows of `sql` (with `%s` placeholders, one per parameter, of the given PostgreSQL `types`).

    `name` identifies the statement in the database session: one name per SQL text.
    """
    connection = connections[using]
    with connection.cursor() as cursor:
        if connection.vendor != "postgresql":
            cursor.execute(sql, params)
            return cursor.fetchall()
        prepared = connection.__dict__.setdefault("_prepared_statements", {})
        if prepared.get(name) is not connection.connection:  # a new connection has none of them
            cursor.execute("SELECT 1 FROM pg_prepared_statements WHERE name = %s", [name])
            if cursor.fetchone() is None:
                numbered = iter(f"${number}" for number in range(1, len(types) + 1))
                statement = "".join(part + next(numbered, "") for part in sql.split("%s"))
                cursor.execute(f"PREPARE {name} ({', '.join(types)}) AS {statement}")
            prepared[name] = connection.connection
        cursor.execute(f"EXECUTE {name} ({', '.join(['%s'] * len(params))})", params)
        return cursor.fetchall()
