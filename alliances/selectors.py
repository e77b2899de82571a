from django.db.models import Case, Count, Exists, F, OuterRef, Q, QuerySet, Value, When, Window
from django.db.models.functions import RowNumber
from django.http import Http404
from django.shortcuts import get_object_or_404

from eligibility import rules
from eligibility.rules import FULL_PARTNER_ROLES
from eligibility.snapshot import edition_rules_from, effective_country
from partners.models import ChangeRequestStatus, OrganisationChangeRequest

from .models import Participation, Proposal, ProposalActivity, Role


def _pending_corrections(organisation_ref: str) -> QuerySet[OrganisationChangeRequest]:
    return OrganisationChangeRequest.objects.filter(
        organisation_id=OuterRef(organisation_ref), status=ChangeRequestStatus.PENDING
    )


def correction_pending_in(proposal, organisation_ref="organisation_id") -> Exists:
    """For annotations: whether the organisation has a correction waiting for review that was asked through
    this proposal (other proposals with the record do not say so: anyone may ask)."""
    return Exists(_pending_corrections(organisation_ref).filter(requesting_proposals=proposal))


def corrections_pending_for(*, user, organisation) -> QuerySet[OrganisationChangeRequest]:
    """The organisation's corrections waiting for review that the user asked for, or that were asked through
    a proposal they edit (its partner's, through the invite link), oldest first."""
    asked = (
        Q(requested_by=user) | Q(requesting_proposals__owner=user) | Q(requesting_proposals__co_editors=user)
    )
    return (
        OrganisationChangeRequest.objects.filter(
            asked, organisation=organisation, status=ChangeRequestStatus.PENDING
        )
        .distinct()  # asked through several of the user's proposals: once
        .order_by("created_at", "pk")
    )


def undisclosed_outcomes(*, user) -> QuerySet[OrganisationChangeRequest]:
    """The user's corrections that a curator decided and the user was not told of yet."""
    return OrganisationChangeRequest.objects.filter(
        Q(requested_by=user) & ~Q(status=ChangeRequestStatus.PENDING), outcome_notified_at__isnull=True
    )


def proposals_for_user(*, user, include_archived: bool = False) -> QuerySet[Proposal]:
    """Proposals the user owns or co-edits: the only ones they may ever see."""
    queryset = Proposal.objects.filter(Q(owner=user) | Q(co_editors=user)).distinct()
    if not include_archived:
        queryset = queryset.filter(archived_at__isnull=True)
    return (
        queryset.select_related("edition", "owner", "eligibility_report")
        .annotate(participant_count=Count("participations", distinct=True))
        .order_by("-updated_at")
    )


PROPOSAL_RELATED = ("edition", "owner", "eligibility_report")


def can_edit(*, user, proposal: Proposal) -> bool:
    """Whether the user owns or co-edits the proposal."""
    return proposal.owner_id == user.pk or proposal.co_editors.filter(pk=user.pk).exists()


def proposal_get_for_user(*, user, pk, related: tuple[str, ...] = PROPOSAL_RELATED) -> Proposal:
    """The proposal if the user owns or co-edits it (archived ones included), else 404: never a hint that it
    exists. With it, the `related` records pages show (a fragment that needs only the proposal's id and
    state asks for none: the eligibility report alone is a few kilobytes of JSON)."""
    # select_related() with no field would follow every foreign key.
    queryset = Proposal.objects.select_related(*related) if related else Proposal.objects.all()
    proposal = get_object_or_404(queryset, pk=pk)
    if not can_edit(user=user, proposal=proposal):
        raise Http404
    return proposal


def in_consortium(*, proposal, organisation) -> bool:
    return Participation.objects.filter(proposal=proposal, organisation=organisation).exists()


def mark_charter_required(*, proposal, participations) -> None:
    """Set `charter_required` on each participation: whether its organisation needs a valid ECHE under the
    proposal's edition (a higher education institution from a Member State or a country the edition
    associates), as the ECHE criterion decides it. The organisation's own status is edition-blind: a
    university in a country only a later edition associates is checked, yet needs no charter here."""
    any_hei = any(p.organisation.type.higher_education for p in participations)
    charter_countries = (
        _country_codes(edition=proposal.edition, where=rules.charter_required) if any_hei else ()
    )
    for participation in participations:
        organisation = participation.organisation
        participation.charter_required = (
            organisation.type.higher_education and organisation.country_id in charter_countries
        )


def in_role_order(participations) -> list[Participation]:
    """Applicant first, then full partners, affiliated entities, associated partners; each role's in the
    order given (a stable sort)."""
    order = {role: index for index, role in enumerate(Role.values)}
    return sorted(participations, key=lambda participation: order.get(participation.role, len(order)))


def builder_participations(*, proposal) -> list[Participation]:
    """The consortium in one query (and the edition's country rules when it has a university): applicant
    first, then full partners, affiliated, associated; each with `charter_required`."""
    participations = in_role_order(
        Participation.objects.filter(proposal=proposal)
        .select_related("organisation__country", "organisation__type")
        .annotate(correction_pending=correction_pending_in(proposal))
        .order_by("created_at", "id")
    )
    # An affiliated entity's partner is in the same proposal (a database constraint): link it from the list
    # rather than joining its organisation a second time.
    by_id = {p.pk: p for p in participations}
    partners_with_affiliates = {p.affiliated_to_id for p in participations if p.affiliated_to_id}
    for participation in participations:
        if participation.affiliated_to_id:
            participation.affiliated_to = by_id[participation.affiliated_to_id]
        participation.has_affiliates = participation.pk in partners_with_affiliates
    mark_charter_required(proposal=proposal, participations=participations)
    return participations


def proposal_activities(*, proposal, limit: int = 20) -> list[ProposalActivity]:
    return list(
        ProposalActivity.objects.filter(proposal=proposal)
        .select_related("actor", "proposal")
        .order_by("-version", "-id")[:limit]
    )


def eligibility_history(*, proposal, mode: str | None = None, limit: int = 30):
    """The newest changes first; those of one evaluation in the checklist's order (the verdict, then each
    criterion, as they were stored)."""
    from eligibility.models import EligibilityChange

    queryset = EligibilityChange.objects.filter(proposal=proposal)
    if mode:
        queryset = queryset.filter(mode=mode)
    return list(queryset[:limit])


def organisation_participations_for_user(*, organisation, user) -> list[Participation]:
    """The participations of an organisation in the proposals this user may see."""
    visible = Proposal.objects.filter(Q(owner=user) | Q(co_editors=user)).values("pk")
    return list(
        Participation.objects.filter(organisation=organisation, proposal__in=visible)
        .select_related("proposal", "proposal__eligibility_report")
        .order_by("-proposal__updated_at")
    )


# --- Gap-filling suggestions ----------------------------------------------------------------------------

SUGGESTING_CRITERIA = (
    "full-partners",
    "countries",
    "labour-market-actors",
    "education-providers",
    "hei-and-vet",
)
SUGGESTIONS_PER_CRITERION = 5


def _country_codes(*, edition, where) -> set[str]:
    """Codes of the countries whose organisations `where(effective country, edition rules)` holds for under
    this edition, as the rules decide it (territories count as their Member State; the edition's overrides
    and exclusions apply): the rules' own functions applied to the whole country table (about 250 rows)."""
    from partners.models import Country

    edition_rules = edition_rules_from(edition)
    rows = Country.objects.values_list(
        "code",
        "programme_status",
        "region",
        "member_state__code",
        "member_state__programme_status",
        "member_state__region",
    )
    return {
        code
        for code, status, region, *member_state in rows
        if where(
            rules.effective_country(
                rules.Country(code, status, region),
                rules.Country(*member_state) if member_state[0] else None,
            ),
            edition_rules,
        )
    }


def gap_suggestions(*, proposal, evaluation: dict | None, participations) -> dict[str, list]:
    """Up to five directory organisations per failing counting criterion that would help fix it.

    What they fill is what the consortium lacks even if every invited or proposed partner confirms, as the
    criterion's hint asks for it in either mode ("Add 1 VET provider. Remind TU Berlin (DE) to confirm."):
    not a second university, nor a country an invited partner covers.

    One query per failing criterion plus three for the edition's country rules, whatever the consortium's
    size.
    """
    from partners.models import EcheStatus, Organisation

    failing = [
        criterion["code"]
        for criterion in (evaluation or {}).get("criteria", [])
        if criterion.get("status") == "fail" and criterion.get("code") in SUGGESTING_CRITERIA
    ]
    if not failing:
        return {}

    considered = rules.CONSIDERED_STATUSES["projected"]
    full_partners = [p for p in participations if p.status in considered and p.role in FULL_PARTNER_ROLES]
    in_consortium = [p.organisation_id for p in participations]
    # Worth suggesting: verified records, and the ones the proposal's owner has used or made before (anything
    # a new account types in would otherwise be offered to every coordinator).
    used_before = Participation.objects.filter(
        organisation=OuterRef("pk"), proposal__owner_id=proposal.owner_id
    )
    known = Q(created_by_id=proposal.owner_id) | Exists(used_before)
    base = (
        Organisation.objects.filter(Q(verified=True) | known, type__eligible=True)
        .filter(country_id__in=_country_codes(edition=proposal.edition, where=rules.eligible_country))
        .exclude(pk__in=in_consortium)
        # An HEI without a valid charter would break the ECHE criterion: never suggest one.
        .exclude(type__higher_education=True, eche_status__in=[EcheStatus.EXPIRED, EcheStatus.NOT_FOUND])
        .select_related("country", "type")
    )
    covered = {p.organisation.country.effective_code for p in full_partners}
    # The side (or sides) of the HEI and VET pair the consortium lacks; none when only confirmations do.
    pair = Q(pk__in=[])
    if not any(p.organisation.type.higher_education for p in full_partners):
        pair |= Q(type__higher_education=True)
    if not any(p.organisation.type.vet_provider for p in full_partners):
        pair |= Q(type__vet_provider=True)
    # Whom each gap takes (any eligible organisation counts as a full partner: Q(), which filters nothing).
    fills = {
        "full-partners": Q(),
        "countries": ~Q(effective_country__in=covered),
        "labour-market-actors": Q(type__labour_market_actor=True),
        "education-providers": Q(type__higher_education=True) | Q(type__vet_provider=True),
        "hei-and-vet": pair,
    }
    # How many of the failing criteria an organisation would help at once (a VET provider from a country not
    # covered yet, when both are missing): those that help the most come first. Every one helps the first.
    # Among equals, the coordinator's own (used or made before) come before the rest of the directory, then
    # by name as the directory lists it (`"Artifex" University` among the A's, not before them).
    helps = sum((Case(When(fills[code], then=1), default=0) for code in failing if fills[code]), Value(0))
    order = [F("gaps").desc(), F("known").desc(), "legal_name_key", "pk"]
    ranked = (
        base.alias(effective_country=effective_country(), known=Case(When(known, then=1), default=0))
        .annotate(gaps=helps)
        .order_by(*order)
    )
    suggestions: dict[str, list] = {}
    for code in failing:
        candidates = ranked.filter(fills[code])
        if code == "countries":  # one per country (a territory counts as its Member State): each fills a gap
            candidates = candidates.alias(
                in_its_country=Window(
                    RowNumber(),
                    partition_by=[F("effective_country")],
                    order_by=order,
                )
            ).filter(in_its_country=1)
        if code == "hei-and-vet":  # when both sides are lacking, one of each in turn (not five universities)
            candidates = candidates.alias(
                in_its_side=Window(RowNumber(), partition_by=[F("type__higher_education")], order_by=order)
            ).order_by("in_its_side", *order)
        suggestions[code] = list(candidates[:SUGGESTIONS_PER_CRITERION])
    return suggestions
