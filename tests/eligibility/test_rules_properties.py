"""Property tests of the eligibility rules.

1. Random consortia and random editions: `rules.evaluate` agrees, criterion by criterion, with a second,
   deliberately naive implementation of ELIGIBILITY.md written below (loops and ifs, sharing nothing with
   the rules module but its dataclasses and constants).
2. Adding a confirmed full partner never turns a passing counting criterion into a failing one.
"""

from __future__ import annotations

import dataclasses

from hypothesis import given, settings
from hypothesis import strategies as st

from eligibility import rules
from eligibility.rules import EDITION_DEFAULTS, EditionRules, Participant, Snapshot

# A small pool of effective countries covering every programme status; CH and GB change status by override.
COUNTRY_POOL = [
    ("DE", "eu_member", None),
    ("FR", "eu_member", None),
    ("IT", "eu_member", None),
    ("PL", "eu_member", None),
    ("NO", "associated", None),
    ("TR", "associated", None),
    ("CH", "third_not_associated", 14),
    ("GB", "third_not_associated", 14),
    ("BY", "third_not_associated", 2),
    ("UA", "third_not_associated", 2),
    ("LY", "third_not_associated", 3),
    ("RU", "third_not_associated", 4),
    ("CN", "third_not_associated", 5),
]
COUNTRY_CODES = [code for code, _status, _region in COUNTRY_POOL]
AIM_CODES = [*rules.AIMS, "world-peace", ""]
COUNTING = ("full-partners", "countries", "labour-market-actors", "education-providers", "hei-and-vet")
PROPERTY_SETTINGS = settings(max_examples=200, deadline=None)


@st.composite
def participants(draw, *, role=None, status=None) -> Participant:
    country, base_status, region = draw(st.sampled_from(COUNTRY_POOL))
    return Participant(
        name=draw(st.sampled_from(["Alpha", "Beta", "Gamma", "Delta", "Epsilon"])),
        role=role or draw(st.sampled_from(rules.ROLES)),
        status=status or draw(st.sampled_from(rules.STATUSES)),
        country=country,
        programme_status=base_status,
        region=region,
        higher_education=draw(st.booleans()),
        vet_provider=draw(st.booleans()),
        labour_market_actor=draw(st.booleans()),
        eligible_type=draw(st.booleans()),
        type_name=draw(st.sampled_from(["", "Some type"])),
        eche=draw(st.sampled_from(rules.ECHE_STATUSES)),
    )


snapshots = st.builds(
    Snapshot,
    duration_months=st.none() | st.sampled_from([0, 12, 24, 30, 36, 48]),
    aims=st.lists(st.sampled_from(AIM_CODES), max_size=4).map(tuple),
    participants=st.lists(participants(), max_size=14).map(tuple),
)

default_editions = st.sampled_from(sorted(EDITION_DEFAULTS)).map(
    lambda year: EditionRules.from_mapping(year, EDITION_DEFAULTS[year])
)
random_editions = st.builds(
    EditionRules,
    year=st.integers(2022, 2030),
    min_full_partners=st.integers(0, 6),
    min_countries=st.integers(0, 4),
    min_labour_market_actors=st.integers(0, 4),
    min_education_providers=st.integers(0, 4),
    require_hei_and_vet=st.booleans(),
    durations=st.frozensets(st.sampled_from([12, 24, 30, 36])),
    excluded_countries=st.frozensets(st.sampled_from(COUNTRY_CODES), max_size=3),
    allowed_regions=st.none() | st.frozensets(st.integers(1, 14)),
    programme_status_overrides=st.dictionaries(
        st.sampled_from(COUNTRY_CODES), st.sampled_from(rules.PROGRAMME_STATUSES), max_size=3
    ),
    aims=st.frozensets(st.sampled_from(list(rules.AIMS))),
)
editions = default_editions | random_editions
modes = st.sampled_from(rules.MODES)


# --- The naive second implementation -------------------------------------------------------------------


def naive_evaluate(snapshot: Snapshot, edition: EditionRules, mode: str) -> tuple[str, list[tuple]]:
    """ELIGIBILITY.md read literally. Returns the overall status and (code, status, observed, required)."""
    wanted_statuses = ["confirmed"] if mode == "confirmed" else ["proposed", "invited", "confirmed"]
    people = []
    for p in snapshot.participants:
        if p.status in wanted_statuses:
            people.append(p)

    def country_status(p):
        if p.country in edition.programme_status_overrides:
            return edition.programme_status_overrides[p.country]
        return p.programme_status

    def eu_or_associated(p):
        return country_status(p) == "eu_member" or country_status(p) == "associated"

    full_partners = []
    for p in people:
        if p.role == "applicant" or p.role == "full_partner":
            full_partners.append(p)

    results = []

    # 1. applicant
    applicants = []
    for p in people:
        if p.role == "applicant":
            applicants.append(p)
    if len(applicants) == 1 and eu_or_associated(applicants[0]):
        results.append(("applicant", "pass", None, None))
    else:
        results.append(("applicant", "fail", None, None))

    # 2. organisation-types
    status = "pass"
    for p in people:
        if not p.eligible_type:
            status = "fail"
    results.append(("organisation-types", status, None, None))

    # 3. excluded-countries
    status = "pass"
    for p in people:
        if p.country in edition.excluded_countries:
            status = "fail"
    results.append(("excluded-countries", status, None, None))

    # 4. third-country-roles
    if edition.allowed_regions is not None:
        status = "pass"
        for p in people:
            outside = country_status(p) == "third_not_associated" and p.region not in edition.allowed_regions
            if outside and p.role != "associated_partner":
                status = "fail"
        results.append(("third-country-roles", status, None, None))

    # 5. eche
    any_bad = False
    any_unknown = False
    for p in people:
        if p.higher_education and eu_or_associated(p):
            if p.eche == "expired" or p.eche == "not_found":
                any_bad = True
            elif p.eche != "valid":
                any_unknown = True
    if any_bad:
        results.append(("eche", "fail", None, None))
    elif any_unknown:
        results.append(("eche", "pending", None, None))
    else:
        results.append(("eche", "pass", None, None))

    # 6.-9. the counts
    def count_result(code, observed, required):
        return (code, "pass" if observed >= required else "fail", observed, required)

    results.append(count_result("full-partners", len(full_partners), edition.min_full_partners))

    countries = []
    for p in full_partners:
        if eu_or_associated(p) and p.country not in countries:
            countries.append(p.country)
    results.append(count_result("countries", len(countries), edition.min_countries))

    actors = 0
    for p in full_partners:
        if p.labour_market_actor:
            actors += 1
    results.append(count_result("labour-market-actors", actors, edition.min_labour_market_actors))

    providers = 0
    for p in full_partners:
        if p.higher_education or p.vet_provider:
            providers += 1
    results.append(count_result("education-providers", providers, edition.min_education_providers))

    # 10. hei-and-vet
    heis = 0
    vets = 0
    for p in full_partners:
        if p.higher_education:
            heis += 1
        if p.vet_provider:
            vets += 1
    if not edition.require_hei_and_vet or (heis > 0 and vets > 0):
        results.append(("hei-and-vet", "pass", None, None))
    else:
        results.append(("hei-and-vet", "fail", None, None))

    # 11. duration
    if snapshot.duration_months is not None and snapshot.duration_months in edition.durations:
        results.append(("duration", "pass", None, None))
    else:
        results.append(("duration", "fail", None, None))

    # 12. aims
    status = "pass"
    if len(snapshot.aims) == 0:
        status = "fail"
    for aim in snapshot.aims:
        if aim not in edition.aims:
            status = "fail"
    results.append(("aims", status, None, None))

    statuses = [result[1] for result in results]
    if "fail" in statuses:
        overall = "not_eligible"
    elif "pending" in statuses:
        overall = "pending"
    else:
        overall = "eligible"
    return overall, results


# --- Properties ----------------------------------------------------------------------------------------


@PROPERTY_SETTINGS
@given(snapshot=snapshots, edition=editions, mode=modes)
def test_evaluate_agrees_with_a_naive_reading_of_the_contract(snapshot, edition, mode):
    # Given a random consortium under a random edition
    expected_overall, expected_results = naive_evaluate(snapshot, edition, mode)

    # When the rules evaluate it
    evaluation = rules.evaluate(snapshot, edition, mode)

    # Then every criterion, and the verdict, match the naive reading
    actual = [(r.code, r.status, r.observed, r.required) for r in evaluation.criteria]
    assert actual == expected_results
    assert evaluation.status == expected_overall
    assert (evaluation.edition, evaluation.mode) == (edition.year, mode)
    for result in evaluation.criteria:
        assert result.message
        assert (result.hint is None) == (result.status == "pass")


@PROPERTY_SETTINGS
@given(
    snapshot=snapshots,
    edition=editions,
    mode=modes,
    newcomer=participants(role="full_partner", status="confirmed"),
)
def test_a_new_confirmed_full_partner_never_breaks_a_passing_count(snapshot, edition, mode, newcomer):
    # Given the counting criteria that pass now
    before = {r.code: r.status for r in rules.evaluate(snapshot, edition, mode).criteria}

    # When a confirmed full partner joins
    bigger = dataclasses.replace(snapshot, participants=(*snapshot.participants, newcomer))
    after = {r.code: r.status for r in rules.evaluate(bigger, edition, mode).criteria}

    # Then none of them fails
    for code in COUNTING:
        if before[code] == "pass":
            assert after[code] == "pass", code
