"""Read a proposal from the database into the plain data the rules evaluate.

A fixed number of queries whatever the consortium's size or the number of proposals: the proposals, their
participations (with organisation, type, country and the Member State a territory counts as), and the
editions' excluded countries and programme-status overrides.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from alliances.models import Participation, Proposal

from . import rules
from .models import Edition, EditionCountryStatus


@dataclass(frozen=True)
class ProposalSnapshot:
    proposal_id: int
    edition: rules.EditionRules
    snapshot: rules.Snapshot


def edition_rules_many(editions: Iterable[Edition]) -> dict[int, rules.EditionRules]:
    """EditionRules by edition id, in two queries for any number of editions."""
    editions = {edition.pk: edition for edition in editions}
    excluded: dict[int, list[str]] = defaultdict(list)
    through = Edition.excluded_countries.through
    for edition_id, country_id in through.objects.filter(edition_id__in=editions).values_list(
        "edition_id", "country_id"
    ):
        excluded[edition_id].append(country_id)
    overrides: dict[int, dict[str, str]] = defaultdict(dict)
    for edition_id, country_id, status in EditionCountryStatus.objects.filter(edition_id__in=editions).values_list(
        "edition_id", "country_id", "programme_status"
    ):
        overrides[edition_id][country_id] = status
    return {
        pk: rules.EditionRules.from_mapping(
            edition.year,
            {
                "min_full_partners": edition.min_full_partners,
                "min_countries": edition.min_countries,
                "min_labour_market_actors": edition.min_labour_market_actors,
                "min_education_providers": edition.min_education_providers,
                "require_hei_and_vet": edition.require_hei_and_vet,
                "durations": edition.durations,
                "excluded_countries": excluded[pk],
                "allowed_regions": edition.allowed_regions,
                "programme_status_overrides": overrides[pk],
                "aims": edition.aims,
            },
        )
        for pk, edition in editions.items()
    }


def participant_from(participation: Participation) -> rules.Participant:
    organisation = participation.organisation
    country = organisation.country
    # An overseas country or territory, or an outermost region, counts as its Member State.
    effective = country.member_state or country
    kind = organisation.type
    return rules.Participant(
        name=organisation.legal_name,
        role=participation.role,
        status=participation.status,
        country=effective.code,
        programme_status=effective.programme_status,
        region=effective.region,
        higher_education=kind.higher_education,
        vet_provider=kind.vet_provider,
        labour_market_actor=kind.labour_market_actor,
        eligible_type=kind.eligible,
        type_name=kind.name,
        eche=organisation.eche_status,
    )


def build_many(proposal_ids: Iterable[int]) -> dict[int, ProposalSnapshot]:
    """Snapshots of the proposals that exist among `proposal_ids`, in four queries."""
    proposals = list(
        Proposal.objects.filter(pk__in=set(proposal_ids))
        .select_related("edition")
        .only("pk", "duration_months", "aims", "edition")
    )
    if not proposals:
        return {}
    editions = edition_rules_many({proposal.edition for proposal in proposals})
    participants: dict[int, list[rules.Participant]] = defaultdict(list)
    participations = (
        Participation.objects.filter(proposal_id__in=[proposal.pk for proposal in proposals])
        .select_related("organisation__type", "organisation__country__member_state")
        .only(
            "proposal_id",
            "role",
            "status",
            "organisation__legal_name",
            "organisation__eche_status",
            "organisation__type__name",
            "organisation__type__higher_education",
            "organisation__type__vet_provider",
            "organisation__type__labour_market_actor",
            "organisation__type__eligible",
            "organisation__country__programme_status",
            "organisation__country__region",
            "organisation__country__member_state__programme_status",
            "organisation__country__member_state__region",
        )
        .order_by("proposal_id", "created_at", "pk")
    )
    for participation in participations:
        participants[participation.proposal_id].append(participant_from(participation))
    return {
        proposal.pk: ProposalSnapshot(
            proposal_id=proposal.pk,
            edition=editions[proposal.edition_id],
            snapshot=rules.Snapshot(
                duration_months=proposal.duration_months,
                aims=tuple(proposal.aims or ()),
                participants=tuple(participants[proposal.pk]),
            ),
        )
        for proposal in proposals
    }


def build(proposal_id: int) -> ProposalSnapshot | None:
    return build_many([proposal_id]).get(proposal_id)
