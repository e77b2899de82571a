"""Emails that must not be lost when the broker is down: queued for the worker, or else sent by a thread of
this process, so the answer does not wait for the mail server. (Queueing itself happens in the request: with
the broker stalled it costs up to about two seconds, only when there is an email to send.) A publish that
timed out after the broker took it may also run here: that email goes twice."""

import logging
import threading

from django.db import connections, transaction

logger = logging.getLogger(__name__)

# The threads started here, alive or just ended: tests wait for them.
threads: list[threading.Thread] = []


def delay_or_thread(task, *args) -> None:
    """`task.delay(*args)`; when the broker cannot take it (logged), the task runs in a thread of this
    process (Celery's `apply`: its retries, if it has any, follow at once, without their countdown)."""
    try:
        task.delay(*args)
    except Exception:
        logger.warning("Could not queue %s; running it in this process", task.name, exc_info=True)
        thread = threading.Thread(target=_run, args=(task, args), daemon=True)
        threads[:] = [*(t for t in threads if t.is_alive()), thread]
        thread.start()


def delay_after_commit(task, *args) -> None:
    """`delay_or_thread(task, *args)` once the current transaction commits (at once outside one)."""
    transaction.on_commit(lambda: delay_or_thread(task, *args), robust=True)


def _run(task, args) -> None:
    try:
        if task.apply(args=args).failed():
            logger.error("%s failed in this process too", task.name)
    finally:
        connections.close_all()
