"""Wiring only: an HEI created, or its Erasmus code, PIC, OID, country or type changed → its ECHE check is
queued once the transaction commits.

`Organisation.save()` decides whether a check is due and records it in the same row (status `pending`,
`eche_requested_at`), so a check whose queueing fails (broker down) is not lost: the sweep re-queues it.
"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import Signal

from .models import Organisation


class PendingChecks:
    """The on-commit callback of one transaction, carrying the organisations it will queue."""

    def __init__(self):
        self.organisation_ids: list[int] = []
        self.done = False

    def __call__(self):
        from .eche.services import queue_checks

        self.done = True
        queue_checks(dict.fromkeys(self.organisation_ids))


def _pending_for_this_transaction(connection) -> PendingChecks | None:
    for _savepoints, callback, _robust in connection.run_on_commit:
        if isinstance(callback, PendingChecks) and not callback.done:
            return callback
    return None


def schedule_check(organisation_id: int) -> None:
    connection = transaction.get_connection()
    pending = _pending_for_this_transaction(connection) if connection.in_atomic_block else None
    if pending is not None:
        pending.organisation_ids.append(organisation_id)
        return
    pending = PendingChecks()
    pending.organisation_ids.append(
        organisation_id
    )  # before on_commit: outside a transaction it runs at once
    # robust: a failure to queue must not turn the user's successful save into an error.
    transaction.on_commit(pending, robust=True)


def on_organisation_saved(sender, instance, raw=False, **kwargs):
    if raw or not getattr(instance, "_eche_check_requested", False):
        return
    instance._eche_check_requested = False
    schedule_check(instance.pk)


def connect() -> None:
    post_save.connect(on_organisation_saved, sender=Organisation, dispatch_uid="partners:eche_check_on_save")


def disconnect() -> None:
    post_save.disconnect(sender=Organisation, dispatch_uid="partners:eche_check_on_save")


# Sent by partners for the apps above it, which connect their receivers in `AppConfig.ready()`: the directory
# knows nothing of proposals or rules.

# The ECHE status of these organisations changed in a bulk write (a re-check), which sends no `post_save`.
# Arguments: organisation_ids (a list of ids).
organisations_eche_changed = Signal()

# Asked before ECHE checks: receivers answer the codes of countries whose HEIs need a charter although the
# country table says third-not-associated (eligibility: the countries an edition associates). No arguments.
charter_countries_requested = Signal()
