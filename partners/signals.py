"""Wiring only: an HEI created, or its Erasmus code, PIC, OID, country or type changed → its ECHE check is
queued once the transaction commits.

`Organisation.save()` decides whether a check is due and records it in the same row (status `pending`,
`eche_requested_at`), so a check whose queueing fails (broker down) is not lost: the sweep re-queues it.
"""

from django.db.models.signals import post_save
from django.dispatch import Signal

from config.transactions import collect_on_commit

from .models import Organisation


def _queue_checks(organisation_ids: list[int]) -> None:
    from .eche.services import queue_checks

    queue_checks(organisation_ids)


def schedule_check(organisation_id: int) -> None:
    """Queue the organisation's ECHE check once the current transaction commits."""
    collect_on_commit(_queue_checks, [organisation_id])


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

# These organisations changed in a bulk write, which sends no `post_save`: their ECHE status in a re-check, or
# their name, identifiers or place in an ECHE list's import. Arguments: organisation_ids (a list of ids).
organisations_changed_in_bulk = Signal()

# Asked before ECHE checks: receivers answer the codes of countries whose HEIs need a charter although the
# country table says third-not-associated (eligibility: the countries an edition associates). No arguments.
charter_countries_requested = Signal()

# A change request was made or decided for these organisations: what shows them ("correction pending
# review", the outcome) must be rendered again. Arguments: organisation_ids (a list of ids).
change_requests_changed = Signal()
