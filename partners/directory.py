"""The directory's change log: what the pages built from the directory are cached against.

Pages show things drawn from the whole directory (the builder's gap-filling suggestions), so their cache key
must change whenever an organisation, a country or an organisation type changes. Database triggers add a
row to `DirectoryChange` for every SQL statement that writes one of those tables (saves, bulk updates,
imports and the admin alike: no path can forget to), and the key is the log's (highest id, row count).

- Reading it costs one index look-up and a count over a short table, whatever the directory's size (it was
  a count over every organisation).
- It is exact under concurrency: the count only grows between compactions, so a change that commits late
  (after a later one) still changes the key. A highest timestamp or id alone would miss it.
- Writers never wait for each other: each statement adds its own row (no shared counter to lock).
- `changes_compact` (every few minutes, by beat) keeps the log short. It adds a row above every id handed
  out so far and deletes the rest, so no key after it can equal one from before it. It leaves a short log
  alone: each compaction changes the key, so every cached page is rendered again once.
"""

from django.db import connection, transaction
from django.db.models import Count, Max, Subquery, Value

from .models import DirectoryChange


def stamp() -> tuple[int, int | None]:
    """The directory's current key: (number of logged changes, highest change id)."""
    figures = DirectoryChange.objects.aggregate(n=Count("id"), latest=Max("id"))
    return figures["n"], figures["latest"]


def stamp_annotations() -> dict[str, Subquery]:
    """The key as two annotations (`directory_count`, `directory_version`), to read it with another query."""
    log = DirectoryChange.objects.order_by().annotate(group=Value(1)).values("group")
    return {
        "directory_count": Subquery(log.annotate(n=Count("id")).values("n")[:1]),
        "directory_version": Subquery(log.annotate(latest=Max("id")).values("latest")[:1]),
    }


def stamp_sql() -> str:
    """The key as plain SQL, one row of two columns (`n`, `m`), for queries written out by hand."""
    table = connection.ops.quote_name(DirectoryChange._meta.db_table)
    return f"SELECT COUNT(*) AS n, MAX(id) AS m FROM {table}"


COMPACT_ABOVE = 100  # rows: counting this many costs a few microseconds


def changes_compact(*, above: int | None = None) -> int:
    """Shorten the change log to one row when it holds more than `above` (COMPACT_ABOVE); rows deleted."""
    if DirectoryChange.objects.count() <= (COMPACT_ABOVE if above is None else above):
        return 0
    with transaction.atomic():
        newest = DirectoryChange.objects.create()
        deleted, _ = DirectoryChange.objects.filter(id__lt=newest.id).delete()
    return deleted
