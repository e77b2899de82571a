import functools

from django.db.models import Count, Q, QuerySet

from config import prepared

from .models import FULL_PARTNER_ROLES, Participation, Proposal, ProposalActivity, Role


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


def proposal_get_for_user(*, user, pk, with_directory_stamp: bool = False) -> Proposal:
    """The proposal if the user may see it (archived ones included), else 404: never a hint that it exists.

    `with_directory_stamp` also reads, in the same query, the directory's key (partners.directory: the
    builder's rendering cache depends on it, as the suggestions come from the directory) as
    `directory_count` and `directory_version`.
    """
    from django.shortcuts import get_object_or_404

    from partners import directory

    coedited = Proposal.co_editors.through.objects.filter(user_id=user.pk).values("proposal_id")
    # A subquery, not a join: no DISTINCT over the report's JSON, one row, one index look-up.
    queryset = Proposal.objects.filter(Q(owner_id=user.pk) | Q(pk__in=coedited)).select_related(
        "edition", "owner", "eligibility_report"
    )
    if with_directory_stamp:
        queryset = queryset.annotate(**directory.stamp_annotations())
    return get_object_or_404(queryset, pk=pk)


def builder_page_stamp(*, user, pk) -> tuple | None:
    """What the builder page shows changes with, read in one query; None if the user may not see it.

    The proposal's version and last save, its owner's name, its report's evaluation time (not the report's
    JSON), the directory's key (partners.directory), and the latest event of its invitations' audit trail:
    the inputs of the builder's rendering-cache key (see alliances.views), without loading the proposal.
    A proposal without a report yet has None as its evaluation time (the fourth item).

    Plain SQL, as the ORM would spend several times the query's own time building it on every page view; on
    PostgreSQL a prepared statement (once per connection), as planning it would cost more than running it.
    """
    from django.db import connection

    rows = prepared.fetch(
        STAMP_STATEMENT,
        _builder_stamp_sql(connection.vendor),
        [pk, user.pk, user.pk],
        types=["bigint", "bigint", "bigint"],
    )
    return rows[0] if rows else None


STAMP_STATEMENT = "alliance_builder_page_stamp_v3"  # a new name whenever the SQL changes


@functools.cache
def _builder_stamp_sql(vendor: str) -> str:
    """The stamp's SQL for the default database (of this vendor), built once per process."""
    from django.db import connection

    from eligibility.models import EligibilityReport
    from invitations.models import ParticipationEvent
    from partners import directory

    tables = {
        "proposal": Proposal._meta.db_table,
        "user": Proposal._meta.get_field("owner").related_model._meta.db_table,
        "report": EligibilityReport._meta.db_table,
        "event": ParticipationEvent._meta.db_table,
        "coeditor": Proposal.co_editors.through._meta.db_table,
    }
    t = {name: connection.ops.quote_name(table) for name, table in tables.items()}
    return (
        "SELECT p.id, p.version, p.updated_at, r.evaluated_at, u.first_name, u.last_name, u.email, d.n, d.m, "
        f"(SELECT MAX(e.id) FROM {t['event']} e WHERE e.proposal_id = p.id) "
        f"FROM {t['proposal']} p "
        f"INNER JOIN {t['user']} u ON u.id = p.owner_id "
        f"LEFT JOIN {t['report']} r ON r.proposal_id = p.id "
        f"CROSS JOIN ({directory.stamp_sql()}) d "
        "WHERE p.id = %s AND (p.owner_id = %s OR EXISTS "
        f"(SELECT 1 FROM {t['coeditor']} c WHERE c.proposal_id = p.id AND c.user_id = %s))"
    )


def builder_participations(*, proposal) -> list[Participation]:
    """The consortium in one query: applicant first, then full partners, affiliated, associated."""
    order = {role: index for index, role in enumerate(Role.values)}
    participations = list(
        Participation.objects.filter(proposal=proposal)
        .select_related("organisation__country", "organisation__type", "affiliated_to__organisation")
        .order_by("created_at", "id")
    )
    participations.sort(key=lambda p: order.get(p.role, 99))
    partners_with_affiliates = {p.affiliated_to_id for p in participations if p.affiliated_to_id}
    for participation in participations:
        participation.has_affiliates = participation.pk in partners_with_affiliates
    return participations


def proposal_activities(*, proposal, limit: int = 20) -> list[ProposalActivity]:
    return list(
        ProposalActivity.objects.filter(proposal=proposal)
        .select_related("actor")
        .order_by("-version", "-id")[:limit]
    )


def eligibility_history(*, proposal, mode: str | None = None, limit: int = 30):
    from eligibility.models import EligibilityChange

    queryset = EligibilityChange.objects.filter(proposal=proposal)
    if mode:
        queryset = queryset.filter(mode=mode)
    return list(queryset.order_by("-changed_at", "-id")[:limit])


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


def _eligible_country_codes(*, edition) -> list[str]:
    """Codes of the countries whose organisations may take any role under this edition, as the rules decide
    it (territories count as their Member State; the edition's overrides and exclusions apply): the rules'
    own functions applied to the whole country table (about 250 rows)."""
    from eligibility import rules
    from eligibility.snapshot import edition_rules_from
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
    return [
        code
        for code, status, region, *member_state in rows
        if rules.eligible_country(
            rules.effective_country(
                rules.Country(code, status, region),
                rules.Country(*member_state) if member_state[0] else None,
            ),
            edition_rules,
        )
    ]


def gap_suggestions(*, proposal, evaluation: dict | None, participations, mode: str) -> dict[str, list]:
    """Up to five directory organisations per failing counting criterion that would help fix it.

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
    from eligibility import rules

    considered = rules.CONSIDERED_STATUSES.get(mode, rules.CONSIDERED_STATUSES["projected"])
    full_partners = [p for p in participations if p.status in considered and p.role in FULL_PARTNER_ROLES]
    in_consortium = [p.organisation_id for p in participations]
    base = (
        Organisation.objects.filter(type__eligible=True)
        .filter(country_id__in=_eligible_country_codes(edition=proposal.edition))
        .exclude(pk__in=in_consortium)
        # An HEI without a valid charter would break the ECHE criterion: never suggest one.
        .exclude(type__higher_education=True, eche_status__in=[EcheStatus.EXPIRED, EcheStatus.NOT_FOUND])
        .select_related("country", "type")
    )
    suggestions: dict[str, list] = {}
    for code in failing:
        queryset = base
        if code == "countries":
            covered = {p.organisation.country.effective_code for p in full_partners}
            queryset = queryset.exclude(country_id__in=covered).exclude(country__member_state_id__in=covered)
            # One per country first: each suggestion then fixes a different gap.
            picked, seen = [], set()
            for organisation in queryset.order_by("country__name", "legal_name")[:60]:
                # A territory and its Member State are one country to the rules: one gap.
                if organisation.country.effective_code not in seen:
                    seen.add(organisation.country.effective_code)
                    picked.append(organisation)
            suggestions[code] = picked[:SUGGESTIONS_PER_CRITERION]
            continue
        if code == "labour-market-actors":
            queryset = queryset.filter(type__labour_market_actor=True)
        elif code == "education-providers":
            queryset = queryset.filter(Q(type__higher_education=True) | Q(type__vet_provider=True))
        elif code == "hei-and-vet":
            has_hei = any(p.organisation.type.higher_education for p in full_partners)
            has_vet = any(p.organisation.type.vet_provider for p in full_partners)
            if has_hei and not has_vet:
                queryset = queryset.filter(type__vet_provider=True)
            elif has_vet and not has_hei:
                queryset = queryset.filter(type__higher_education=True)
            else:
                queryset = queryset.filter(Q(type__higher_education=True) | Q(type__vet_provider=True))
        suggestions[code] = list(queryset.order_by("legal_name")[:SUGGESTIONS_PER_CRITERION])
    return suggestions
