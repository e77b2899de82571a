"""Signing in and out is Django's; only the look-up of the signed-in user on every request is made cheaper."""

import functools

from django.contrib.auth import backends, get_user_model
from django.db import connections, router

from config import prepared


class ModelBackend(backends.ModelBackend):
    """Django's ModelBackend, reading the signed-in user of each request with a prepared statement.

    Every signed-in page loads its user by primary key; the ORM took about twice as long to build that one-row
    query as the database took to answer it. The row becomes a User exactly as the ORM would make it
    (`Model.from_db`). Databases other than PostgreSQL take Django's own path.
    """

    def get_user(self, user_id):
        model = get_user_model()
        alias = router.db_for_read(model)
        if connections[alias].vendor != "postgresql":
            return super().get_user(user_id)
        columns, sql = _user_query(model, alias)
        rows = prepared.fetch("alliance_builder_user_v1", sql, [user_id], types=["bigint"], using=alias)
        if not rows:
            return None
        user = model.from_db(alias, columns, rows[0])
        return user if self.user_can_authenticate(user) else None


@functools.cache
def _user_query(model, alias: str) -> tuple[list[str], str]:
    """The user model's attribute names and the SQL that reads one user by primary key (once per process)."""
    quote = connections[alias].ops.quote_name
    fields = model._meta.concrete_fields
    selected = ", ".join(quote(field.column) for field in fields)
    sql = f"SELECT {selected} FROM {quote(model._meta.db_table)} WHERE {quote(model._meta.pk.column)} = %s"
    return [field.attname for field in fields], sql
