"""Wiring only: an HEI created, or its Erasmus code, PIC, OID, country or type changed → its ECHE check is
queued once the transaction commits; a country changed → the checks of its HEIs (whether they need a charter
follows its programme status); an organisation type made (or unmade) higher education → the checks of its
organisations whose status says otherwise (the service `organisations_request_check` marks and queues them).

`Organisation.save()` decides whether a check is due and records it in the same row (status `pending`,
`eche_requested_at`), so a check whose queueing fails (broker down) is not lost: the sweep re-queues it.
"""

from django.db.models import Q
from django.db.models.signals import post_save
from django.dispatch import Signal

from config.transactions import collect_on_commit

from .models import Country, EcheStatus, Organisation, OrganisationType


def _queue_checks(organisation_ids: list[int]) -> None:
    from .eche.services import queue_checks

    queue_checks(organisation_ids)


def schedule_check(organisation_id: int) -> None:
    """Queue the organisation's ECHE check once the current transaction commits."""
    schedule_checks([organisation_id])


def schedule_checks(organisation_ids) -> None:
    """Queue these organisations' checks once the current transaction commits (one batch per transaction)."""
    collect_on_commit(_queue_checks, organisation_ids)


def schedule_checks_in_countries(country_codes) -> None:
    """Have the ECHE of every HEI of these countries (their territories' too) checked again: whether they
    need a charter may have changed (a country's programme status, an edition's override, which eligibility
    reports). Marked as asked for in this transaction, so a check the broker could not take is queued again
    by the sweep (it was lost, and the HEI stayed `not_required` until the nightly re-check)."""
    from .eche.services import organisations_request_check

    heis = Organisation.objects.filter(type__higher_education=True).filter(
        Q(country_id__in=country_codes) | Q(country__member_state_id__in=country_codes)
    )
    organisations_request_check(organisation_ids=heis.values_list("pk", flat=True))


def on_country_saved(sender, instance, raw=False, **kwargs):
    """Only when its programme status or the Member State it counts as changed (a save of its name or notes
    checks nothing: with the HTTP source, each check is a network call)."""
    if raw or instance.saved_charter_fields == instance.charter_fields():
        return
    instance.saved_charter_fields = instance.charter_fields()
    schedule_checks_in_countries([instance.code])


def on_type_saved(sender, instance, raw=False, **kwargs):
    """Only when "higher education" changed (a save of its name or another flag checks nothing)."""
    if raw or instance.saved_higher_education == instance.higher_education:
        return
    instance.saved_higher_education = instance.higher_education
    from .eche.services import organisations_request_check

    organisations = Organisation.objects.filter(type=instance)
    not_required = Q(eche_status=EcheStatus.NOT_REQUIRED)
    disagreeing = organisations.filter(not_required if instance.higher_education else ~not_required)
    organisations_request_check(organisation_ids=disagreeing.values_list("pk", flat=True))


def on_organisation_saved(sender, instance, raw=False, **kwargs):
    if raw or not getattr(instance, "_eche_check_requested", False):
        return
    instance._eche_check_requested = False
    schedule_check(instance.pk)


def connect() -> None:
    post_save.connect(on_organisation_saved, sender=Organisation, dispatch_uid="partners:eche_check_on_save")
    post_save.connect(on_country_saved, sender=Country, dispatch_uid="partners:eche_checks_on_country")
    post_save.connect(on_type_saved, sender=OrganisationType, dispatch_uid="partners:eche_checks_on_type")


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

# A curator approved or rejected a change request, in the transaction that decides it: whoever asked through
# a proposal is told there (invitations writes it in the invitation's audit trail). Arguments:
# change_request.
change_request_decided = Signal()
