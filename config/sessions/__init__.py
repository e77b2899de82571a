"""Session engines (SESSION_ENGINE = "config.sessions.db" or "config.sessions.cached_db"): Django's, reading a
session row in plain SQL on PostgreSQL.

Every signed-in page reads its session (from the database, or from the cache and on a miss the database);
the ORM spent more time building that one-row query than the database took to answer it.
"""

from django.db import connections, router
from django.utils import timezone


class PlainSessionRead:
    def _get_session_from_db(self):
        connection = connections[router.db_for_read(self.model)]
        if connection.vendor != "postgresql":
            return super()._get_session_from_db()
        table = connection.ops.quote_name(self.model._meta.db_table)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT session_data, expire_date FROM {table} WHERE session_key = %s AND expire_date > %s",
                [self.session_key, timezone.now()],
            )
            row = cursor.fetchone()
        if row is None:
            self._session_key = None  # as Django's: an unknown or expired key is forgotten
            return None
        return self.model(session_key=self.session_key, session_data=row[0], expire_date=row[1])
