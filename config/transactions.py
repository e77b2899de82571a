"""Work collected during a transaction and done once, after it commits.

However many saves a transaction makes, each action (re-evaluate these proposals, queue these ECHE checks)
gets one on-commit callback carrying every id collected for it. Outside a transaction it runs at once.
"""

from collections.abc import Callable, Iterable

from django.db import transaction


class AfterCommit:
    """The on-commit callback of one transaction for one action, with the ids collected for it (in order)."""

    def __init__(self, action: Callable[[list], object]):
        self.action = action
        self.ids: dict = {}
        self.done = False
        # Django names a failed on-commit callback by its __qualname__ in the log line.
        self.__qualname__ = f"{action.__module__}.{action.__qualname__}"

    def __call__(self):
        self.done = True
        self.action(list(self.ids))


def _open_batch(connection, action) -> AfterCommit | None:
    """This transaction's callback for `action`, if one is registered and still to run.

    Read from Django's own list, so a callback discarded with a rolled-back savepoint is never reused."""
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, AfterCommit) and callback.action is action and not callback.done:
            return callback
    return None


def collect_on_commit(action: Callable[[list], object], ids: Iterable, *, using=None) -> None:
    """Call `action(ids)` once when the current transaction commits, with these ids and any added later."""
    ids = [pk for pk in ids if pk is not None]
    if not ids:
        return
    connection = transaction.get_connection(using)
    batch = _open_batch(connection, action) if connection.in_atomic_block else None
    if batch is None:
        batch = AfterCommit(action)
        batch.ids.update(dict.fromkeys(ids))  # before on_commit(): outside a transaction it runs at once
        # robust: a failure here is logged and must not turn the user's successful save into an error.
        transaction.on_commit(batch, using=using, robust=True)
        return
    batch.ids.update(dict.fromkeys(ids))
