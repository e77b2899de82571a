"""Read proposals from the database into the plain data the rules evaluate.

One query whatever the consortium's size or the number of proposals: the proposals with their edition (its
excluded countries and programme-status overrides aggregated), current report, and participants (one JSON
array per participant: organisation, type, country, and the Member State a territory counts as).

The SQL is written out rather than built by the ORM: this runs after every save, and compiling the ORM
queries costs more than running them.
"""

import json
from collections.abc import Iterable
from dataclasses import dataclass

from django.db import connection

from alliances.models import Participation, Proposal
from config import prepared
from partners.models import Country, Organisation, OrganisationType

from . import rules
from .models import Edition, EditionCountryStatus, EligibilityReport


@dataclass(frozen=True)
class ProposalSnapshot:
    proposal_id: int
    edition: rules.EditionRules
    snapshot: rules.Snapshot
    # The stored report's evaluations before this snapshot ({} when there is none yet), by mode.
    previous: dict


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _json(value):
    """JSON columns arrive parsed from PostgreSQL and as text from SQLite."""
    return json.loads(value) if isinstance(value, str) else value


def _fetch(name: str, sql: str, ids: list[int]) -> list[tuple]:
    """Run `sql`, whose `{ids}` stands for the condition on the proposal ids, and return its rows.

    The one-proposal form (the one every save runs) is a prepared statement on PostgreSQL: planning these
    joins costs more than running them.
    """
    if len(ids) == 1:
        return prepared.fetch(name, sql.format(ids="= %s"), ids, types=["bigint"])
    with connection.cursor() as cursor:
        cursor.execute(sql.format(ids="IN (" + ", ".join(["%s"] * len(ids)) + ")"), ids)
        return cursor.fetchall()


# Aggregation has different names in each database. SQLite (3.40) has no ORDER BY inside an aggregate: it
# aggregates in the order of the subquery it reads.
STRING_AGG = {"postgresql": "STRING_AGG({}, ',')", "sqlite": "GROUP_CONCAT({}, ',')"}
PARTICIPANTS_AGG = {
    "postgresql": "SELECT JSON_AGG(JSON_BUILD_ARRAY({columns}) ORDER BY {order}) {source}",
    "sqlite": (
        "SELECT JSON_GROUP_ARRAY(JSON(item)) "
        "FROM (SELECT JSON_ARRAY({columns}) AS item {source} ORDER BY {order})"
    ),
}
PARTICIPANT_COLUMNS = """
    pa.role, pa.status, o.legal_name, o.eche_status,
    t.name, t.higher_education, t.vet_provider, t.labour_market_actor, t.eligible,
    c.code, c.programme_status, c.region, ms.code, ms.programme_status, ms.region
"""


def _participants_sql() -> str:
    """A proposal's participants (the proposal is `p`), in the consortium's order, as one JSON array."""
    source = f"""
        FROM {_table(Participation)} pa
        JOIN {_table(Organisation)} o ON o.id = pa.organisation_id
        JOIN {_table(OrganisationType)} t ON t.id = o.type_id
        JOIN {_table(Country)} c ON c.code = o.country_id
        LEFT JOIN {_table(Country)} ms ON ms.code = c.member_state_id
        WHERE pa.proposal_id = p.id
    """
    return PARTICIPANTS_AGG[connection.vendor].format(
        columns=PARTICIPANT_COLUMNS, source=source, order="pa.created_at, pa.id"
    )


def _proposal_rows(proposal_ids: list[int], *, lock: bool):
    """Proposals with their edition (excluded countries and overrides aggregated), current report and
    participants."""
    aggregate = STRING_AGG[connection.vendor]
    through = Edition.excluded_countries.through
    sql = f"""
        SELECT p.id, p.duration_months, p.aims, e.id, e.year, e.min_full_partners, e.min_countries,
               e.min_labour_market_actors, e.min_education_providers, e.require_hei_and_vet, e.durations,
               e.allowed_regions, e.aims, r.confirmed, r.projected,
               (SELECT {aggregate.format("x.country_id")} FROM {_table(through)} x WHERE x.edition_id = e.id),
               (SELECT {aggregate.format("o.country_id || ':' || o.programme_status")}
                FROM {_table(EditionCountryStatus)} o WHERE o.edition_id = e.id),
               ({_participants_sql()})
        FROM {_table(Proposal)} p
        JOIN {_table(Edition)} e ON e.id = p.edition_id
        LEFT JOIN {_table(EligibilityReport)} r ON r.proposal_id = p.id
        WHERE p.id {{ids}}
        ORDER BY p.id
    """
    if lock and connection.features.has_select_for_update_of:
        # Concurrent evaluations of one proposal run one after the other; the later one reads all
        # that was committed before it.
        sql += " FOR UPDATE OF p"
    name = "eligibility_snapshot_locked_v2" if lock else "eligibility_snapshot_v2"
    return _fetch(name, sql, proposal_ids)


def _split(text: str | None) -> list[str]:
    return text.split(",") if text else []


def participant_from_row(row) -> rules.Participant:
    (
        role,
        status,
        name,
        eche,
        type_name,
        hei,
        vet,
        lma,
        eligible,
        country,
        programme_status,
        region,
        member_state,
        member_state_status,
        member_state_region,
    ) = row
    if member_state:  # an overseas country or territory, or an outermost region, counts as its Member State
        country, programme_status, region = member_state, member_state_status, member_state_region
    return rules.Participant(
        name=name,
        role=role,
        status=status,
        country=country,
        programme_status=programme_status,
        region=region,
        higher_education=bool(hei),
        vet_provider=bool(vet),
        labour_market_actor=bool(lma),
        eligible_type=bool(eligible),
        type_name=type_name,
        eche=eche,
    )


def edition_rules_from(edition: Edition) -> rules.EditionRules:
    """EditionRules of one Edition instance (for the command line and the admin)."""
    overrides = dict(edition.country_statuses.values_list("country_id", "programme_status"))
    return _edition_rules(
        edition.year,
        (
            edition.min_full_partners, edition.min_countries, edition.min_labour_market_actors,
            edition.min_education_providers, edition.require_hei_and_vet, edition.durations,
            edition.allowed_regions, edition.aims,
        ),
        list(edition.excluded_countries.values_list("code", flat=True)),
        overrides,
    )


def _edition_rules(year, values, excluded, overrides) -> rules.EditionRules:
    min_full, min_countries, min_lma, min_education, hei_and_vet, durations, regions, aims = values
    return rules.EditionRules.from_mapping(
        year,
        {
            "min_full_partners": min_full,
            "min_countries": min_countries,
            "min_labour_market_actors": min_lma,
            "min_education_providers": min_education,
            "require_hei_and_vet": bool(hei_and_vet),
            "durations": _json(durations),
            "excluded_countries": excluded,
            "allowed_regions": _json(regions),
            "programme_status_overrides": overrides,
            "aims": _json(aims),
        },
    )


def build_many(proposal_ids: Iterable[int], *, lock: bool = False) -> dict[int, ProposalSnapshot]:
    """Snapshots of the proposals that exist among `proposal_ids`.

    `lock` locks the proposals until the transaction ends.
    """
    ids = sorted({int(pk) for pk in proposal_ids})
    if not ids:
        return {}
    proposals = _proposal_rows(ids, lock=lock)
    editions: dict[int, rules.EditionRules] = {}
    snapshots = {}
    for row in proposals:
        proposal_id, duration, aims, edition_id, year = row[:5]
        if edition_id not in editions:
            overrides = dict(item.split(":", 1) for item in _split(row[16]))
            editions[edition_id] = _edition_rules(year, row[5:13], _split(row[15]), overrides)
        confirmed, projected = _json(row[13]), _json(row[14])
        snapshots[proposal_id] = ProposalSnapshot(
            proposal_id=proposal_id,
            edition=editions[edition_id],
            snapshot=rules.Snapshot(
                duration_months=duration,
                aims=tuple(_json(aims) or ()),
                participants=tuple(participant_from_row(item) for item in _json(row[17]) or ()),
            ),
            previous={"confirmed": confirmed or {}, "projected": projected or {}},
        )
    return snapshots


def build(proposal_id: int) -> ProposalSnapshot | None:
    return build_many([proposal_id]).get(proposal_id)
