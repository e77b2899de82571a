"""Wiring only: find which proposals a save or delete affects, and re-evaluate them once, after commit.

However many saves a transaction makes, it registers one on-commit callback, which evaluates each affected
proposal once. A change that affects more than `INLINE_LIMIT` proposals (an admin editing an organisation
type, say) goes to a Celery task in chunks instead of the request.
"""

import logging

from django.db.models import Q
from django.db.models.signals import m2m_changed, post_delete, post_save

from alliances.models import Participation, Proposal
from config.transactions import collect_on_commit
from partners.models import Country, Organisation, OrganisationType
from partners.signals import organisations_changed_in_bulk, schedule_checks_in_countries

from .models import Edition, EditionCountryStatus

logger = logging.getLogger(__name__)

INLINE_LIMIT = 50


def dispatch(proposal_ids: list[int]) -> None:
    """Evaluate the proposals now, or in a Celery task (in chunks) when there are more than INLINE_LIMIT."""
    from . import services, tasks

    if len(proposal_ids) <= INLINE_LIMIT:
        services.reevaluate(proposal_ids)
        return
    for chunk in services.chunked(proposal_ids):
        try:
            tasks.reevaluate_proposals.delay(chunk)
        except Exception:  # the broker is down: better a slow request than a stale report
            logger.exception("Could not queue re-evaluation; evaluating %d proposals inline", len(chunk))
            services.reevaluate(chunk)


def schedule(proposal_ids) -> None:
    """Re-evaluate these proposals when the current transaction commits (at once outside a transaction)."""
    collect_on_commit(dispatch, proposal_ids)


# --- Which proposals a change affects --------------------------------------------------------------------

# Fields the rules read (names and attnames). A save limited by `update_fields` to other fields (a contact's
# email, a version bump) cannot change eligibility, so it evaluates nothing.
RELEVANT_FIELDS = {
    Participation: {"role", "status", "organisation", "organisation_id", "proposal", "proposal_id"},
    Proposal: {"edition", "edition_id", "duration_months", "aims"},
    Organisation: {"legal_name", "country", "country_id", "type", "type_id", "eche_status"},
    OrganisationType: {"name", "higher_education", "vet_provider", "labour_market_actor", "eligible"},
    Country: {"programme_status", "region", "member_state", "member_state_id"},
}


def relevant(sender, update_fields) -> bool:
    if update_fields is None or sender not in RELEVANT_FIELDS:
        return True
    return not RELEVANT_FIELDS[sender].isdisjoint(update_fields)


def proposals_of_organisations(organisation_filter: Q):
    return Participation.objects.filter(organisation_filter).values_list("proposal_id", flat=True).distinct()


def on_participation_changed(sender, instance, update_fields=None, **kwargs):
    if not relevant(sender, update_fields):
        return
    schedule([instance.proposal_id])


def on_proposal_saved(sender, instance, update_fields=None, **kwargs):
    if not relevant(sender, update_fields):
        return
    schedule([instance.pk])


def on_organisation_changed(sender, instance, update_fields=None, **kwargs):
    if not relevant(sender, update_fields):
        return
    schedule(proposals_of_organisations(Q(organisation_id=instance.pk)))


def on_organisation_type_changed(sender, instance, update_fields=None, **kwargs):
    if not relevant(sender, update_fields):
        return
    schedule(proposals_of_organisations(Q(organisation__type_id=instance.pk)))


def on_country_changed(sender, instance, update_fields=None, **kwargs):
    if not relevant(sender, update_fields):
        return
    # Territories count as their Member State, so a Member State's change reaches their partners too.
    schedule(
        proposals_of_organisations(
            Q(organisation__country_id=instance.pk) | Q(organisation__country__member_state_id=instance.pk)
        )
    )


def on_edition_changed(sender, instance, **kwargs):
    schedule(Proposal.objects.filter(edition_id=instance.pk).values_list("pk", flat=True))


def on_edition_country_status_changed(sender, instance, **kwargs):
    schedule(Proposal.objects.filter(edition_id=instance.edition_id).values_list("pk", flat=True))
    # Whether the country's HEIs need a charter may have changed with it (partners asks eligibility).
    schedule_checks_in_countries([instance.country_id])


def on_excluded_countries_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    # Reverse (country.<accessor>.add(edition)): pk_set holds edition ids.
    editions = (pk_set or []) if reverse else [instance.pk]
    schedule(Proposal.objects.filter(edition_id__in=editions).values_list("pk", flat=True))


def on_organisations_changed_in_bulk(sender, organisation_ids, **kwargs):
    """A bulk write (a re-check, an import) changed these organisations; no `post_save` was sent."""
    schedule(proposals_of_organisations(Q(organisation_id__in=organisation_ids)))


RECEIVERS = [
    (post_save, Participation, on_participation_changed),
    (post_delete, Participation, on_participation_changed),
    (post_save, Proposal, on_proposal_saved),
    (post_save, Organisation, on_organisation_changed),
    (post_delete, Organisation, on_organisation_changed),
    (post_save, OrganisationType, on_organisation_type_changed),
    (post_delete, OrganisationType, on_organisation_type_changed),
    (post_save, Country, on_country_changed),
    (post_delete, Country, on_country_changed),
    (post_save, Edition, on_edition_changed),
    (post_delete, Edition, on_edition_changed),
    (post_save, EditionCountryStatus, on_edition_country_status_changed),
    (post_delete, EditionCountryStatus, on_edition_country_status_changed),
    (m2m_changed, Edition.excluded_countries.through, on_excluded_countries_changed),
    (organisations_changed_in_bulk, Organisation, on_organisations_changed_in_bulk),
]


def _uid(signal, sender, receiver) -> str:
    return f"eligibility:{receiver.__name__}:{sender._meta.label}:{id(signal)}"


def connect() -> None:
    for signal, sender, receiver in RECEIVERS:
        signal.connect(receiver, sender=sender, dispatch_uid=_uid(signal, sender, receiver))


def disconnect() -> None:
    """For benchmarks and tests that measure a save without eligibility's work."""
    for signal, sender, receiver in RECEIVERS:
        signal.disconnect(receiver, sender=sender, dispatch_uid=_uid(signal, sender, receiver))
