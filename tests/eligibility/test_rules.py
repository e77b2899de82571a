"""The twelve eligibility criteria, checked one by one at their boundaries (ELIGIBILITY.md is the contract).

Pure unit tests: plain data in, results out, no database. Most tests start from `eligible_consortium()`, a
consortium that sits exactly on every minimum (8 full partners, 4 countries, 3 labour market actors,
3 education providers), then change one thing and look at the criterion it should move.
"""

from __future__ import annotations

import dataclasses

import pytest

from eligibility import rules
from eligibility.rules import EDITION_DEFAULTS, EditionRules, Participant, Snapshot

YEARS = tuple(range(2022, 2028))
YEARS_WITHOUT_REGION_LIMIT = (2022, 2023, 2024)
YEARS_WITH_REGION_LIMIT = (2025, 2026, 2027)
COUNTING = ("full-partners", "countries", "labour-market-actors", "education-providers")

# Effective country -> (base programme status, region), as the country table would give them.
COUNTRIES = {
    "DE": ("eu_member", None),
    "FR": ("eu_member", None),
    "IT": ("eu_member", None),
    "ES": ("eu_member", None),
    "PL": ("eu_member", None),
    "DK": ("eu_member", None),
    "NO": ("associated", None),
    "TR": ("associated", None),
    "CH": ("third_not_associated", 14),
    "GB": ("third_not_associated", 14),
    "BY": ("third_not_associated", 2),
    "UA": ("third_not_associated", 2),
    "LY": ("third_not_associated", 3),
    "RU": ("third_not_associated", 4),
    "CN": ("third_not_associated", 5),
}

# Organisation type -> its flags, as the organisation-types table would give them.
TYPES = {
    "hei": {"higher_education": True, "type_name": "Higher education institution"},
    "vet": {"vet_provider": True, "type_name": "VET provider"},
    "enterprise": {"labour_market_actor": True, "type_name": "Enterprise"},
    "chamber": {"labour_market_actor": True, "type_name": "Chamber"},
    "ngo": {"type_name": "Non-governmental organisation"},
    "ineligible": {"eligible_type": False, "type_name": "Private individual"},
}


def participant(
    name: str,
    type_: str = "ngo",
    country: str = "DE",
    *,
    role: str = "full_partner",
    status: str = "confirmed",
    eche: str | None = None,
) -> Participant:
    base_status, region = COUNTRIES[country]
    flags = {
        "higher_education": False,
        "vet_provider": False,
        "labour_market_actor": False,
        "eligible_type": True,
        **TYPES[type_],
    }
    if eche is None:
        # What the ECHE check would have found, so that the default consortium is eligible.
        needs_charter = flags["higher_education"] and base_status != "third_not_associated"
        eche = "valid" if needs_charter else "not_required"
    return Participant(
        name=name,
        role=role,
        status=status,
        country=country,
        programme_status=base_status,
        region=region,
        eche=eche,
        **flags,
    )


def eligible_consortium() -> list[Participant]:
    """Exactly at every minimum: 8 full partners, 4 countries, 3 labour market actors, 3 HEI/VET."""
    return [
        participant("Uni Berlin", "hei", "DE", role="applicant"),
        participant("VET Lyon", "vet", "FR"),
        participant("Uni Bologna", "hei", "IT"),
        participant("Acme Madrid", "enterprise", "ES"),
        participant("Chamber Berlin", "chamber", "DE"),
        participant("Acme Paris", "enterprise", "FR"),
        participant("NGO Rome", "ngo", "IT"),
        participant("NGO Seville", "ngo", "ES"),
    ]


def snapshot(
    participants: list[Participant],
    *,
    duration: int | None = 24,
    aims: tuple[str, ...] = ("entrepreneurship",),
) -> Snapshot:
    return Snapshot(duration_months=duration, aims=aims, participants=tuple(participants))


def edition(year: int = 2025, **changes) -> EditionRules:
    return dataclasses.replace(EditionRules.from_mapping(year, EDITION_DEFAULTS[year]), **changes)


def evaluate(
    participants: list[Participant], year: int = 2025, mode: str = "confirmed", **snapshot_fields
) -> rules.Evaluation:
    return rules.evaluate(snapshot(participants, **snapshot_fields), edition(year), mode)


def criterion(
    code: str, participants: list[Participant], year: int = 2025, mode: str = "confirmed", **snapshot_fields
) -> rules.CriterionResult:
    results = {
        result.code: result for result in evaluate(participants, year, mode, **snapshot_fields).criteria
    }
    return results[code]


def replace(participants: list[Participant], name: str, **changes) -> list[Participant]:
    return [dataclasses.replace(p, **changes) if p.name == name else p for p in participants]


def without(participants: list[Participant], name: str) -> list[Participant]:
    return [p for p in participants if p.name != name]


both_modes = pytest.mark.parametrize("mode", rules.MODES)
every_year = pytest.mark.parametrize("year", YEARS)


# --- Editions ------------------------------------------------------------------------------------------


def test_edition_defaults_are_the_contract_table():
    all_aims = [
        "connected-systems",
        "deep-tech",
        "entrepreneurship",
        "incubators",
        "knowledge-flow",
        "skills-relevance",
        "social-responsibility",
        "teaching-learning",
    ]
    common = {
        "min_full_partners": 8,
        "min_countries": 4,
        "min_labour_market_actors": 3,
        "min_education_providers": 3,
        "require_hei_and_vet": True,
        "durations": [24, 36],
    }
    y2022 = {
        **common,
        "excluded_countries": ["BY"],
        "allowed_regions": None,
        "programme_status_overrides": {},
        "aims": [aim for aim in all_aims if aim not in ("deep-tech", "incubators")],
    }
    y2023 = {**y2022, "excluded_countries": ["BY", "RU"], "aims": all_aims}
    y2025 = {**y2023, "allowed_regions": [1, 2, 3]}
    y2027 = {**y2025, "programme_status_overrides": {"CH": "associated", "GB": "associated"}}

    expected = {2022: y2022, 2023: y2023, 2024: y2023, 2025: y2025, 2026: y2025, 2027: y2027}

    assert expected == EDITION_DEFAULTS


def test_aims_are_the_eight_codes_of_the_contract_in_its_order_with_labels():
    assert list(rules.AIMS) == [
        "teaching-learning",
        "deep-tech",
        "incubators",
        "social-responsibility",
        "entrepreneurship",
        "skills-relevance",
        "knowledge-flow",
        "connected-systems",
    ]
    assert all(len(str(label)) > 20 for label in rules.AIMS.values())


def test_edition_rules_from_mapping_freezes_the_plain_data():
    # Given the plain 2027 parameters (lists and a dict), plus a key the rules do not use
    mapping = {**EDITION_DEFAULTS[2027], "max_grant_24_months": 1_000_000}

    # When they become edition rules
    rules_2027 = EditionRules.from_mapping(2027, mapping)

    # Then the collections are sets and the overrides a read-only mapping
    assert rules_2027.year == 2027
    assert rules_2027.durations == frozenset({24, 36})
    assert rules_2027.excluded_countries == frozenset({"BY", "RU"})
    assert rules_2027.allowed_regions == frozenset({1, 2, 3})
    assert rules_2027.aims == frozenset(rules.AIMS)
    assert dict(rules_2027.programme_status_overrides) == {"CH": "associated", "GB": "associated"}
    with pytest.raises(TypeError):
        rules_2027.programme_status_overrides["FR"] = "associated"  # type: ignore[index]
    assert EditionRules.from_mapping(2022, EDITION_DEFAULTS[2022]).allowed_regions is None


def test_an_empty_list_of_regions_restricts_nothing_as_the_edition_admin_says():
    # Given an edition whose curator typed an empty list of regions ("empty means every region")
    unrestricted = EditionRules.from_mapping(2025, {**EDITION_DEFAULTS[2025], "allowed_regions": []})

    # Then every region is allowed and the edition has no `third-country-roles` criterion
    assert unrestricted.allowed_regions is None
    consortium = rules.Snapshot(duration_months=24, aims=("entrepreneurship",), participants=())
    codes = [result.code for result in rules.evaluate(consortium, unrestricted, "confirmed").criteria]
    assert "third-country-roles" not in codes
    assert len(codes) == 11


def test_programme_status_applies_the_edition_override():
    swiss = participant("ETH", "hei", "CH")
    assert rules.programme_status(swiss, edition(2026)) == "third_not_associated"
    assert rules.programme_status(swiss, edition(2027)) == "associated"
    assert rules.programme_status(participant("NGO Oslo", "ngo", "NO"), edition(2027)) == "associated"


# --- Shape of an evaluation ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS_WITHOUT_REGION_LIMIT)
def test_editions_without_region_limit_return_eleven_criteria_in_contract_order(year):
    codes = [result.code for result in evaluate(eligible_consortium(), year).criteria]
    assert codes == [code for code in rules.CRITERIA if code != "third-country-roles"]
    assert len(codes) == 11


@pytest.mark.parametrize("year", YEARS_WITH_REGION_LIMIT)
def test_editions_with_region_limit_return_all_twelve_criteria_in_contract_order(year):
    codes = [result.code for result in evaluate(eligible_consortium(), year).criteria]
    assert codes == list(rules.CRITERIA)
    assert len(codes) == 12


@every_year
@both_modes
def test_a_consortium_on_every_minimum_is_eligible(year, mode):
    evaluation = evaluate(eligible_consortium(), year, mode)

    assert evaluation.status == "eligible", [r.as_dict() for r in evaluation.criteria if r.status != "pass"]
    assert (evaluation.edition, evaluation.mode) == (year, mode)


@both_modes
def test_every_criterion_has_a_sentence_and_a_hint_exactly_when_it_does_not_pass(mode):
    # Given a consortium that fails or is pending on every criterion
    participants = [
        participant("Uni Minsk", "hei", "BY", role="full_partner", eche="pending"),
        participant("Lonely Uni", "hei", "DE", role="associated_partner", eche="pending"),
        participant("Person", "ineligible", "CN"),
    ]

    # When evaluated
    evaluation = evaluate(participants, 2025, mode, duration=None, aims=())

    # Then nothing passes, and every criterion explains itself and says what to do
    assert {r.status for r in evaluation.criteria} == {"fail", "pending"}
    for result in evaluation.criteria:
        assert result.message.strip() and result.message.endswith("."), result
        assert result.hint and result.hint.strip(), result
    for result in evaluate(eligible_consortium(), 2025, mode).criteria:
        assert result.message.strip() and result.hint is None, result


def test_as_dict_leaves_out_keys_that_do_not_apply():
    # Given an evaluation where full partners pass and labour market actors fail
    evaluation = evaluate(replace(eligible_consortium(), "Acme Paris", labour_market_actor=False))
    by_code = {entry["code"]: entry for entry in evaluation.as_dict()["criteria"]}

    assert list(evaluation.as_dict()) == ["edition", "mode", "status", "criteria"]
    assert evaluation.as_dict()["status"] == "not_eligible"
    # A passing counting criterion: counts and what they include, no hint; confirmed mode adds `pending`
    assert set(by_code["full-partners"]) == {
        "code",
        "status",
        "observed",
        "required",
        "message",
        "pending",
        "counted",
    }
    assert (by_code["full-partners"]["observed"], by_code["full-partners"]["required"]) == (8, 8)
    # A failing counting criterion: counts and a hint
    assert set(by_code["labour-market-actors"]) == {
        "code",
        "status",
        "observed",
        "required",
        "message",
        "hint",
        "pending",
        "counted",
    }
    assert set(by_code["countries"]) == {
        "code",
        "status",
        "observed",
        "required",
        "message",
        "pending",
        "counted",
        "not_counted",
    }
    assert set(by_code["hei-and-vet"]) == {"code", "status", "message", "counted"}
    # Criteria that do not count carry neither observed nor required
    assert set(by_code["applicant"]) == {"code", "status", "message"}
    assert set(by_code["duration"]) == {"code", "status", "message"}


@both_modes
def test_only_the_counting_criteria_carry_integer_counts(mode):
    for result in evaluate(eligible_consortium(), 2025, mode).criteria:
        if result.code in COUNTING:
            assert type(result.observed) is int and type(result.required) is int
        else:
            assert result.observed is None and result.required is None


def test_an_unknown_mode_is_a_programming_error():
    with pytest.raises(ValueError, match="mode"):
        evaluate(eligible_consortium(), mode="optimistic")


def test_considered_participants_per_mode():
    # Given one participant in each status
    everyone = [participant(status, status=status) for status in rules.STATUSES]
    proposal = snapshot(everyone)

    # Then confirmed mode sees only the confirmed one, projected mode everyone who has not said no
    assert [p.name for p in rules.considered(proposal, "confirmed")] == ["confirmed"]
    assert [p.name for p in rules.considered(proposal, "projected")] == ["proposed", "invited", "confirmed"]


# --- Overall status ------------------------------------------------------------------------------------


def test_overall_pending_when_nothing_fails_but_an_eche_is_not_checked_yet():
    evaluation = evaluate(replace(eligible_consortium(), "Uni Bologna", eche="pending"))

    assert evaluation.status == "pending"
    assert [r.code for r in evaluation.criteria if r.status != "pass"] == ["eche"]


def test_overall_not_eligible_when_one_criterion_fails_even_if_another_is_pending():
    participants = replace(eligible_consortium(), "Uni Bologna", eche="pending")

    evaluation = evaluate(participants, duration=30)

    assert evaluation.status == "not_eligible"


# --- 1. applicant --------------------------------------------------------------------------------------


@both_modes
def test_applicant_fails_without_an_applicant(mode):
    participants = replace(eligible_consortium(), "Uni Berlin", role="full_partner")

    result = criterion("applicant", participants, mode=mode)

    assert result.status == "fail"
    assert "No participant" in result.message
    assert "applicant role" in result.hint


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
@both_modes
def test_an_applicant_that_declined_or_withdrew_is_named_with_the_way_to_replace_it(status, mode):
    """It keeps the role until changed (one applicant per proposal): "No participant has the applicant role"
    and "Give the applicant role to one full partner" sent coordinators into a refusal."""
    participants = replace(eligible_consortium(), "Uni Berlin", status=status)

    result = criterion("applicant", participants, mode=mode)

    assert result.status == "fail"
    assert result.message == f"The applicant Uni Berlin (DE) has {status}."
    assert result.hint.startswith("Make Uni Berlin a full partner or remove it, then give the applicant role")


@pytest.mark.parametrize("country", ["DE", "UA"])
@pytest.mark.parametrize("status", ["proposed", "invited"])
def test_an_applicant_not_confirmed_yet_is_named_in_confirmed_mode(status, country):
    """Confirmed mode said "No participant has the applicant role" of an applicant from Ukraine that had not
    confirmed, and asked to give the role to someone: refused, since one has it. It names the one that has
    it, and what fixes it: confirming (from Germany), or another applicant (from Ukraine)."""
    applicant = participant("Uni Berlin", "hei", country, role="applicant", status=status)
    participants = [applicant, *without(eligible_consortium(), "Uni Berlin")]

    result = criterion("applicant", participants, mode="confirmed")

    assert result.status == "fail"
    if country == "DE":
        assert result.message == "The applicant has not confirmed yet: Uni Berlin (DE)."
        assert result.hint == f"{'Invite' if status == 'proposed' else 'Remind'} Uni Berlin (DE) to confirm."
    else:
        assert result.message == (
            "The applicant Uni Berlin (UA) has not confirmed yet, and is not established in an EU Member "
            "State or a third country associated to the Programme."
        )
        assert result.hint == (
            "Give the applicant role to a full partner from an EU Member State or associated country, and "
            "make Uni Berlin a full partner."
        )


@both_modes
def test_applicant_fails_with_two_applicants_and_says_how_many(mode):
    participants = replace(eligible_consortium(), "VET Lyon", role="applicant")

    result = criterion("applicant", participants, mode=mode)

    assert result.status == "fail"
    assert "2 participants" in result.message
    assert "Uni Berlin" in result.hint and "VET Lyon" in result.hint


def test_applicant_fails_with_three_applicants_and_says_how_many():
    participants = replace(
        replace(eligible_consortium(), "VET Lyon", role="applicant"), "NGO Rome", role="applicant"
    )

    assert "3 participants" in criterion("applicant", participants).message


@every_year
def test_applicant_from_a_non_associated_third_country_fails(year):
    participants = [*eligible_consortium(), participant("Uni Kyiv", "hei", "UA", role="applicant")]
    participants = replace(participants, "Uni Berlin", role="full_partner")

    result = criterion("applicant", participants, year)

    assert result.status == "fail"
    assert "Uni Kyiv (UA)" in result.message
    assert "EU Member State or associated country" in result.hint


def test_applicant_from_an_associated_country_passes():
    participants = [
        *replace(eligible_consortium(), "Uni Berlin", role="full_partner"),
        participant("Uni Oslo", "hei", "NO", role="applicant"),
    ]

    result = criterion("applicant", participants)

    assert result.status == "pass"
    assert "Uni Oslo" in result.message


@pytest.mark.parametrize(("year", "expected"), [(2026, "fail"), (2027, "pass")])
def test_a_swiss_applicant_is_fine_from_2027_when_switzerland_is_associated(year, expected):
    participants = [
        *replace(eligible_consortium(), "Uni Berlin", role="full_partner"),
        participant("Swiss Chamber", "chamber", "CH", role="applicant"),
    ]

    assert criterion("applicant", participants, year).status == expected


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
@both_modes
def test_applicant_ignores_a_second_applicant_who_declined_or_withdrew(status, mode):
    participants = [
        *eligible_consortium(),
        participant("Uni Paris", "hei", "FR", role="applicant", status=status),
    ]

    assert criterion("applicant", participants, mode=mode).status == "pass"


@pytest.mark.parametrize("status", ["proposed", "invited"])
def test_applicant_counts_a_second_invited_applicant_only_in_projected_mode(status):
    participants = [
        *eligible_consortium(),
        participant("Uni Paris", "hei", "FR", role="applicant", status=status),
    ]

    assert criterion("applicant", participants, mode="confirmed").status == "pass"
    assert criterion("applicant", participants, mode="projected").status == "fail"


def test_an_applicant_still_invited_is_missing_in_confirmed_mode_only():
    participants = replace(eligible_consortium(), "Uni Berlin", status="invited")

    assert criterion("applicant", participants, mode="confirmed").status == "fail"
    assert criterion("applicant", participants, mode="projected").status == "pass"


# --- 2. organisation-types -----------------------------------------------------------------------------


@pytest.mark.parametrize("role", rules.ROLES[1:])
def test_organisation_types_fails_for_an_ineligible_type_in_any_role_and_names_it(role):
    participants = [*eligible_consortium(), participant("Jane Doe", "ineligible", "DE", role=role)]

    result = criterion("organisation-types", participants)

    assert result.status == "fail"
    assert "Jane Doe (Private individual)" in result.message
    assert "Jane Doe" in result.hint


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
def test_organisation_types_ignores_participants_who_said_no(status):
    participants = [*eligible_consortium(), participant("Jane Doe", "ineligible", status=status)]

    for mode in rules.MODES:
        assert criterion("organisation-types", participants, mode=mode).status == "pass"


def test_organisation_types_looks_at_an_invited_participant_only_in_projected_mode():
    participants = [*eligible_consortium(), participant("Jane Doe", "ineligible", status="invited")]

    assert criterion("organisation-types", participants, mode="confirmed").status == "pass"
    assert criterion("organisation-types", participants, mode="projected").status == "fail"


# --- 3. excluded-countries -----------------------------------------------------------------------------


@every_year
@pytest.mark.parametrize("role", rules.ROLES[1:])
def test_belarus_is_excluded_in_every_edition_and_every_role(year, role):
    participants = [*eligible_consortium(), participant("Minsk Tech", "enterprise", "BY", role=role)]

    result = criterion("excluded-countries", participants, year)

    assert result.status == "fail"
    assert "Minsk Tech (BY)" in result.message
    assert "Minsk Tech" in result.hint


@pytest.mark.parametrize(("year", "expected"), [(2022, "pass"), *((year, "fail") for year in YEARS[1:])])
def test_russia_is_excluded_from_2023_on(year, expected):
    participants = [
        *eligible_consortium(),
        participant("Moscow Ltd", "enterprise", "RU", role="associated_partner"),
    ]

    assert criterion("excluded-countries", participants, year).status == expected


@both_modes
def test_excluded_countries_ignores_a_withdrawn_participant(mode):
    participants = [*eligible_consortium(), participant("Minsk Tech", "enterprise", "BY", status="withdrawn")]

    assert criterion("excluded-countries", participants, mode=mode).status == "pass"


def test_excluded_countries_looks_at_an_invited_participant_only_in_projected_mode():
    participants = [*eligible_consortium(), participant("Minsk Tech", "enterprise", "BY", status="invited")]

    assert criterion("excluded-countries", participants, mode="confirmed").status == "pass"
    assert criterion("excluded-countries", participants, mode="projected").status == "fail"


# --- 4. third-country-roles ----------------------------------------------------------------------------


@pytest.mark.parametrize("year", YEARS_WITHOUT_REGION_LIMIT)
def test_before_2025_any_region_may_send_full_partners_and_the_criterion_is_absent(year):
    participants = [*eligible_consortium(), participant("Beijing Co", "enterprise", "CN")]

    evaluation = evaluate(participants, year)

    assert "third-country-roles" not in [r.code for r in evaluation.criteria]
    assert evaluation.status == "eligible"


@pytest.mark.parametrize("year", YEARS_WITH_REGION_LIMIT)
@pytest.mark.parametrize(
    ("role", "expected"),
    [("full_partner", "fail"), ("affiliated_entity", "fail"), ("associated_partner", "pass")],
)
def test_from_2025_region_5_may_only_send_associated_partners(year, role, expected):
    participants = [*eligible_consortium(), participant("Beijing Co", "enterprise", "CN", role=role)]

    result = criterion("third-country-roles", participants, year)

    assert result.status == expected
    if expected == "fail":
        assert "Beijing Co (CN)" in result.message
        assert "Change the role of Beijing Co (CN) to associated partner" in result.hint


@pytest.mark.parametrize("country", ["UA", "LY"])
def test_regions_2_and_3_may_send_full_partners_from_2025(country):
    participants = [*eligible_consortium(), participant("Neighbour Co", "enterprise", country)]

    assert criterion("third-country-roles", participants, 2025).status == "pass"


@pytest.mark.parametrize(("year", "expected"), [(2026, "fail"), (2027, "pass")])
def test_a_swiss_full_partner_needs_switzerland_associated(year, expected):
    participants = [*eligible_consortium(), participant("Zurich AG", "enterprise", "CH")]

    assert criterion("third-country-roles", participants, year).status == expected


def test_third_country_roles_ignores_a_declined_participant_and_sees_an_invited_one_when_projected():
    declined = [*eligible_consortium(), participant("Beijing Co", "enterprise", "CN", status="declined")]
    invited = [*eligible_consortium(), participant("Beijing Co", "enterprise", "CN", status="invited")]

    assert criterion("third-country-roles", declined, mode="projected").status == "pass"
    assert criterion("third-country-roles", invited, mode="confirmed").status == "pass"
    assert criterion("third-country-roles", invited, mode="projected").status == "fail"


def test_a_non_associated_country_without_a_region_is_treated_as_outside_the_allowed_regions():
    # Decision: a region missing from the country table cannot prove the organisation may be a full partner.
    participants = [
        *eligible_consortium(),
        dataclasses.replace(participant("Nowhere Co", "ngo", "CN"), region=None),
    ]

    assert criterion("third-country-roles", participants).status == "fail"


# --- 5. eche -------------------------------------------------------------------------------------------


@both_modes
@pytest.mark.parametrize(
    ("eche", "expected"),
    [
        ("valid", "pass"),
        ("expired", "fail"),
        ("not_found", "fail"),
        ("pending", "pending"),
        ("error", "pending"),
        # The charter check said "not required", but the HEI's country needs one under this edition.
        ("not_required", "pending"),
    ],
)
def test_eche_of_an_hei_from_a_member_state(mode, eche, expected):
    participants = replace(eligible_consortium(), "Uni Bologna", eche=eche)

    result = criterion("eche", participants, mode=mode)

    assert result.status == expected
    if expected != "pass":
        assert "Uni Bologna" in result.message and "Uni Bologna" in result.hint


def test_an_hei_without_identifiers_is_asked_for_one_not_waited_for():
    """No Erasmus code, PIC or OID: no check will ever come, so the hint asks for one first."""
    participants = replace(
        replace(eligible_consortium(), "Uni Bologna", eche="pending", identified=False),
        "Uni Berlin",
        eche="pending",
    )

    hint = criterion("eche", participants).hint

    assert hint == (
        "Add the Erasmus code, PIC or OID of Uni Bologna: without one its ECHE cannot be checked; "
        "wait for the ECHE check of Uni Berlin, or make sure its Erasmus code, PIC or OID is right."
    )
    only_unidentified = replace(eligible_consortium(), "Uni Bologna", eche="pending", identified=False)
    assert criterion("eche", only_unidentified).hint.startswith("Add the Erasmus code, PIC or OID of Uni")
    assert "wait" not in criterion("eche", only_unidentified).hint.lower()


def test_eche_fail_outweighs_pending():
    participants = replace(
        replace(eligible_consortium(), "Uni Bologna", eche="pending"), "Uni Berlin", eche="expired"
    )

    result = criterion("eche", participants)

    assert result.status == "fail"
    assert "Uni Berlin" in result.message and "Uni Bologna" not in result.message


@pytest.mark.parametrize("role", ["affiliated_entity", "associated_partner"])
def test_eche_is_needed_by_an_hei_in_any_role(role):
    participants = [*eligible_consortium(), participant("Uni Graz", "hei", "DE", role=role, eche="not_found")]

    assert criterion("eche", participants).status == "fail"


def test_eche_is_needed_in_an_associated_country():
    participants = [*eligible_consortium(), participant("Uni Oslo", "hei", "NO", eche="expired")]

    assert criterion("eche", participants).status == "fail"


@pytest.mark.parametrize("eche", ["not_required", "pending", "not_found", "error"])
def test_eche_is_not_needed_in_a_non_associated_third_country(eche):
    participants = [
        *eligible_consortium(),
        participant("Uni Beijing", "hei", "CN", role="associated_partner", eche=eche),
    ]

    assert criterion("eche", participants).status == "pass"


@pytest.mark.parametrize(("year", "expected"), [(2026, "pass"), (2027, "pending")])
def test_a_swiss_hei_needs_an_eche_once_switzerland_is_associated(year, expected):
    # The check ran while Switzerland was not associated, so it recorded "not required".
    participants = [*eligible_consortium(), participant("ETH Zurich", "hei", "CH", eche="not_required")]

    assert criterion("eche", participants, year).status == expected


def test_a_swiss_hei_with_an_expired_eche_fails_in_2027():
    participants = [*eligible_consortium(), participant("ETH Zurich", "hei", "CH", eche="expired")]

    assert criterion("eche", participants, 2026).status == "pass"
    assert criterion("eche", participants, 2027).status == "fail"


def test_eche_ignores_organisations_that_are_not_heis():
    participants = replace(eligible_consortium(), "VET Lyon", eche="not_found")

    assert criterion("eche", participants).status == "pass"


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
@both_modes
def test_eche_ignores_an_hei_that_said_no(status, mode):
    participants = [
        *eligible_consortium(),
        participant("Uni Paris", "hei", "FR", status=status, eche="expired"),
    ]

    assert criterion("eche", participants, mode=mode).status == "pass"


def test_eche_sees_an_invited_hei_only_in_projected_mode():
    participants = [
        *eligible_consortium(),
        participant("Uni Paris", "hei", "FR", status="invited", eche="expired"),
    ]

    assert criterion("eche", participants, mode="confirmed").status == "pass"
    assert criterion("eche", participants, mode="projected").status == "fail"


# --- 6. full-partners ----------------------------------------------------------------------------------


@every_year
@both_modes
@pytest.mark.parametrize(
    ("change", "observed", "expected"),
    [
        (lambda ps: without(ps, "NGO Seville"), 7, "fail"),
        (lambda ps: ps, 8, "pass"),
        (lambda ps: [*ps, participant("NGO Warsaw", "ngo", "PL")], 9, "pass"),
    ],
    ids=["7", "8", "9"],
)
def test_full_partners_boundary(year, mode, change, observed, expected):
    result = criterion("full-partners", change(eligible_consortium()), year, mode)

    assert (result.status, result.observed, result.required) == (expected, observed, 8)
    assert f"{observed} full partners" in result.message


def test_full_partners_hint_says_how_many_are_missing():
    assert criterion("full-partners", eligible_consortium()[:7]).hint == "Add 1 more full partner."
    assert criterion("full-partners", eligible_consortium()[:5]).hint == "Add 3 more full partners."


@both_modes
def test_associated_partners_and_affiliated_entities_never_count_as_full_partners(mode):
    participants = [
        *replace(eligible_consortium(), "NGO Seville", role="affiliated_entity"),
        *(participant(f"Friend {i}", "ngo", "PL", role="associated_partner") for i in range(5)),
        *(participant(f"Branch {i}", "ngo", "NO", role="affiliated_entity") for i in range(5)),
    ]

    result = criterion("full-partners", participants, mode=mode)

    assert (result.status, result.observed) == ("fail", 7)


@pytest.mark.parametrize("status", ["proposed", "invited"])
def test_an_invited_full_partner_counts_only_in_projected_mode(status):
    participants = replace(eligible_consortium(), "NGO Seville", status=status)

    assert criterion("full-partners", participants, mode="confirmed").observed == 7
    assert criterion("full-partners", participants, mode="projected").observed == 8


@pytest.mark.parametrize("status", ["declined", "withdrawn"])
@both_modes
def test_a_full_partner_who_said_no_never_counts(status, mode):
    participants = replace(eligible_consortium(), "NGO Seville", status=status)

    assert criterion("full-partners", participants, mode=mode).observed == 7


def test_full_partners_failing_other_criteria_still_count():
    participants = [
        *without(without(eligible_consortium(), "NGO Seville"), "NGO Rome"),
        participant("Minsk Tech", "enterprise", "BY"),
        participant("Jane Doe", "ineligible", "ES"),
    ]

    evaluation = evaluate(participants)
    results = {r.code: r for r in evaluation.criteria}

    assert results["excluded-countries"].status == "fail"
    assert results["organisation-types"].status == "fail"
    assert (results["full-partners"].status, results["full-partners"].observed) == ("pass", 8)
    assert results["labour-market-actors"].observed == 4


# --- 7. countries --------------------------------------------------------------------------------------


@every_year
@both_modes
@pytest.mark.parametrize(
    ("change", "observed", "expected"),
    [
        (
            lambda ps: replace(replace(ps, "Acme Madrid", country="FR"), "NGO Seville", country="FR"),
            3,
            "fail",
        ),
        (lambda ps: ps, 4, "pass"),
        (lambda ps: replace(ps, "NGO Seville", country="PL"), 5, "pass"),
    ],
    ids=["3", "4", "5"],
)
def test_countries_boundary(year, mode, change, observed, expected):
    result = criterion("countries", change(eligible_consortium()), year, mode)

    assert (result.status, result.observed, result.required) == (expected, observed, 4)


def test_countries_hint_names_the_missing_number():
    participants = replace(
        replace(eligible_consortium(), "Acme Madrid", country="FR"), "NGO Seville", country="FR"
    )

    assert criterion("countries", participants).hint == (
        "Add full partners from 1 more EU Member State or associated country."
    )


def test_an_outermost_region_counts_as_its_member_state():
    # Given the caller mapped Réunion to France and Greenland to Denmark (effective countries)
    participants = [
        *without(without(eligible_consortium(), "Acme Madrid"), "NGO Seville"),
        participant("Université de La Réunion", "hei", "FR"),
        participant("Nuuk Fisheries", "enterprise", "DK"),
        participant("Copenhagen NGO", "ngo", "DK"),
    ]

    result = criterion("countries", participants)

    # Then FR and DK count once each: DE, FR, IT, DK
    assert (result.status, result.observed) == ("pass", 4)


def test_associated_countries_count_and_non_associated_third_countries_do_not():
    participants = replace(
        replace(eligible_consortium(), "Acme Madrid", country="NO", programme_status="associated"),
        "NGO Seville",
        country="UA",
        programme_status="third_not_associated",
        region=2,
    )

    result = criterion("countries", participants)

    assert (result.status, result.observed) == ("pass", 4)  # DE, FR, IT, NO


@pytest.mark.parametrize(("year", "observed"), [(2026, 3), (2027, 5)])
def test_switzerland_and_the_united_kingdom_count_as_countries_from_2027(year, observed):
    participants = [
        *without(without(eligible_consortium(), "Acme Madrid"), "NGO Seville"),
        participant("Zurich AG", "enterprise", "CH"),
        participant("London NGO", "ngo", "GB"),
    ]

    assert criterion("countries", participants, year).observed == observed


def test_countries_of_associated_partners_and_affiliated_entities_do_not_count():
    participants = [
        *eligible_consortium(),
        participant("Warsaw Friend", "ngo", "PL", role="associated_partner"),
        participant("Oslo Branch", "ngo", "NO", role="affiliated_entity"),
    ]

    assert criterion("countries", participants).observed == 4


def test_countries_of_invited_full_partners_count_only_in_projected_mode():
    participants = [*eligible_consortium(), participant("Warsaw NGO", "ngo", "PL", status="invited")]

    assert criterion("countries", participants, mode="confirmed").observed == 4
    assert criterion("countries", participants, mode="projected").observed == 5


# --- 8. labour-market-actors ---------------------------------------------------------------------------


@every_year
@both_modes
@pytest.mark.parametrize(
    ("change", "observed", "expected"),
    [
        (lambda ps: replace(ps, "Acme Paris", labour_market_actor=False), 2, "fail"),
        (lambda ps: ps, 3, "pass"),
        (lambda ps: replace(ps, "NGO Rome", labour_market_actor=True), 4, "pass"),
    ],
    ids=["2", "3", "4"],
)
def test_labour_market_actors_boundary(year, mode, change, observed, expected):
    result = criterion("labour-market-actors", change(eligible_consortium()), year, mode)

    assert (result.status, result.observed, result.required) == (expected, observed, 3)


def test_labour_market_actors_hint_says_what_to_add():
    participants = replace(eligible_consortium(), "Acme Paris", labour_market_actor=False)

    assert criterion("labour-market-actors", participants).hint == (
        "Add 1 more labour market actor as a full partner: "
        "an enterprise, chamber, trade union or trade association."
    )


def test_labour_market_actors_that_are_not_full_partners_do_not_count():
    participants = [
        *replace(eligible_consortium(), "Acme Paris", role="associated_partner"),
        participant("Acme Oslo", "enterprise", "NO", role="affiliated_entity"),
        participant("Acme Warsaw", "enterprise", "PL", status="declined"),
    ]

    for mode in rules.MODES:
        assert criterion("labour-market-actors", participants, mode=mode).observed == 2


def test_an_invited_labour_market_actor_counts_only_in_projected_mode():
    participants = replace(eligible_consortium(), "Acme Paris", status="invited")

    assert criterion("labour-market-actors", participants, mode="confirmed").status == "fail"
    assert criterion("labour-market-actors", participants, mode="projected").status == "pass"


# --- 9. education-providers ----------------------------------------------------------------------------


@every_year
@both_modes
@pytest.mark.parametrize(
    ("change", "observed", "expected"),
    [
        (lambda ps: replace(ps, "Uni Bologna", higher_education=False), 2, "fail"),
        (lambda ps: ps, 3, "pass"),
        (lambda ps: replace(ps, "NGO Rome", vet_provider=True), 4, "pass"),
    ],
    ids=["2", "3", "4"],
)
def test_education_providers_boundary(year, mode, change, observed, expected):
    result = criterion("education-providers", change(eligible_consortium()), year, mode)

    assert (result.status, result.observed, result.required) == (expected, observed, 3)


def test_an_organisation_that_is_both_hei_and_vet_provider_counts_once():
    participants = replace(eligible_consortium(), "Uni Bologna", vet_provider=True)

    assert criterion("education-providers", participants).observed == 3


def test_education_providers_that_are_not_full_partners_do_not_count():
    participants = [
        *replace(eligible_consortium(), "Uni Bologna", role="affiliated_entity"),
        participant("VET Oslo", "vet", "NO", role="associated_partner"),
        participant("VET Warsaw", "vet", "PL", status="withdrawn"),
    ]

    result = criterion("education-providers", participants, mode="projected")

    assert (result.status, result.observed) == ("fail", 2)
    assert "Add 1 more education and training provider" in result.hint


# --- 10. hei-and-vet -----------------------------------------------------------------------------------


def test_hei_and_vet_fails_without_a_vet_provider_and_says_so():
    participants = replace(eligible_consortium(), "VET Lyon", vet_provider=False, higher_education=True)

    result = criterion("hei-and-vet", participants)

    assert result.status == "fail"
    assert result.hint == "Add 1 VET provider as a full partner."


def test_hei_and_vet_fails_without_an_hei_and_says_so():
    participants = [
        dataclasses.replace(p, higher_education=False, vet_provider=True) if p.higher_education else p
        for p in eligible_consortium()
    ]

    result = criterion("hei-and-vet", participants)

    assert result.status == "fail"
    assert result.hint == "Add 1 higher education institution as a full partner."


def test_hei_and_vet_fails_with_neither():
    participants = [
        dataclasses.replace(p, higher_education=False, vet_provider=False) for p in eligible_consortium()
    ]

    result = criterion("hei-and-vet", participants)

    assert result.status == "fail"
    assert "higher education institution" in result.hint and "VET provider" in result.hint


@pytest.mark.parametrize("role", ["affiliated_entity", "associated_partner"])
def test_hei_and_vet_needs_the_vet_provider_as_a_full_partner(role):
    participants = replace(eligible_consortium(), "VET Lyon", role=role)

    assert criterion("hei-and-vet", participants).status == "fail"


def test_hei_and_vet_counts_an_invited_vet_provider_only_in_projected_mode():
    participants = replace(eligible_consortium(), "VET Lyon", status="invited")

    assert criterion("hei-and-vet", participants, mode="confirmed").status == "fail"
    assert criterion("hei-and-vet", participants, mode="projected").status == "pass"


def test_hei_and_vet_in_confirmed_mode_asks_only_for_what_the_projected_pair_lacks_and_for_confirmations():
    """With its HEIs invited and no VET provider at all, confirmed mode asked for "1 higher education
    institution and 1 VET provider": an HEI the consortium has, unconfirmed."""
    participants = [
        dataclasses.replace(p, status="invited") if p.higher_education else p
        for p in replace(eligible_consortium(), "VET Lyon", vet_provider=False)
    ]

    confirmed = criterion("hei-and-vet", participants, mode="confirmed")

    assert confirmed.status == "fail"
    assert confirmed.message == "No full partner is a higher education institution or a VET provider."
    add = "Add 1 VET provider as a full partner."
    assert confirmed.hint == f"{add} Remind Uni Berlin (DE) and Uni Bologna (IT) to confirm."
    assert criterion("hei-and-vet", participants, mode="projected").hint == add


def test_an_edition_without_the_requirement_still_lists_the_criterion_as_passed():
    participants = replace(eligible_consortium(), "VET Lyon", vet_provider=False)
    relaxed = edition(2025, require_hei_and_vet=False)

    evaluation = rules.evaluate(snapshot(participants), relaxed, "confirmed")
    result = next(r for r in evaluation.criteria if r.code == "hei-and-vet")

    assert result.status == "pass"
    assert result.hint is None


# --- 11. duration --------------------------------------------------------------------------------------


@every_year
@pytest.mark.parametrize(
    ("months", "expected"),
    [
        (None, "fail"),
        (0, "fail"),
        (12, "fail"),
        (23, "fail"),
        (24, "pass"),
        (30, "fail"),
        (36, "pass"),
        (48, "fail"),
    ],
)
def test_duration_must_be_one_the_edition_allows(year, months, expected):
    result = criterion("duration", eligible_consortium(), year, duration=months)

    assert result.status == expected
    if expected == "fail":
        assert result.hint == "Choose a duration of 24 or 36 months."


# --- 12. aims ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("aim", ["deep-tech", "incubators"])
@pytest.mark.parametrize(("year", "expected"), [(2022, "fail"), *((year, "pass") for year in YEARS[1:])])
def test_deep_tech_and_incubators_are_aims_from_2023_on(aim, year, expected):
    result = criterion("aims", eligible_consortium(), year, aims=(aim,))

    assert result.status == expected


@every_year
def test_aims_fail_when_none_is_chosen(year):
    result = criterion("aims", eligible_consortium(), year, aims=())

    assert result.status == "fail"
    assert str(year) in result.hint


def test_all_eight_aims_pass_from_2023():
    assert criterion("aims", eligible_consortium(), 2023, aims=tuple(rules.AIMS)).status == "pass"


def test_an_aim_outside_the_edition_spoils_the_others():
    result = criterion("aims", eligible_consortium(), 2022, aims=("entrepreneurship", "deep-tech"))

    assert result.status == "fail"
    assert "Skills development in deep tech" in result.message


def test_removing_the_only_aims_outside_the_edition_is_asked_with_choosing_one_of_it():
    """ "Remove “deep tech” from the proposal's aims" of its only aim led to a proposal with no aim, which its
    form refuses: the hint asks for an aim of the edition as well, only then."""
    alone = criterion("aims", eligible_consortium(), 2022, aims=("deep-tech",))
    beside = criterion("aims", eligible_consortium(), 2022, aims=("entrepreneurship", "deep-tech"))

    assert alone.hint == (
        "Remove “Skills development in deep tech” from the proposal's aims. Choose at least one aim of the "
        "2022 edition."
    )
    assert beside.hint == "Remove “Skills development in deep tech” from the proposal's aims."


def test_an_unknown_aim_code_just_fails_the_criterion():
    evaluation = evaluate(eligible_consortium(), aims=("entrepreneurship", "world-peace"))

    result = next(r for r in evaluation.criteria if r.code == "aims")
    assert result.status == "fail"
    assert "world-peace" in result.message
    assert evaluation.status == "not_eligible"


# --- Which countries count (what the builder's suggestions apply to the country table) ----------------


@pytest.mark.parametrize(
    ("own", "member_state", "year", "counts"),
    [
        (rules.Country("PL", "eu_member"), None, 2026, True),
        (rules.Country("US", "third_not_associated", 12), None, 2026, False),
        (rules.Country("CH", "third_not_associated", 14), None, 2026, False),
        (rules.Country("CH", "third_not_associated", 14), None, 2027, True),  # associated by the edition
        (rules.Country("BY", "third_not_associated", 2), None, 2026, False),
        (rules.Country("RU", "third_not_associated", 2), None, 2022, False),  # not excluded yet, still third
        (rules.Country("RU", "associated"), None, 2023, False),  # excluded from 2023, whatever its status
        # A territory counts as its Member State, whatever its own row says.
        (rules.Country("RE", "third_not_associated", 14), rules.Country("FR", "eu_member"), 2026, True),
        (rules.Country("GL", "eu_member"), rules.Country("DK", "third_not_associated", 14), 2026, False),
    ],
)
def test_eligible_country(own, member_state, year, counts):
    assert rules.eligible_country(rules.effective_country(own, member_state), edition(year)) is counts


@pytest.mark.parametrize(
    "country, year, becomes",
    [
        ("UA", 2026, "make Uni Berlin a full partner."),  # region 2: allowed
        ("GB", 2024, "make Uni Berlin a full partner."),  # every region allowed then
        (
            "GB",
            2026,
            "make Uni Berlin an associated partner.",
        ),  # region 14: criterion 4 refuses a full partner
        ("BY", 2026, "remove Uni Berlin: organisations from BY cannot take part in any role."),
    ],
)
@both_modes
def test_an_applicant_from_elsewhere_is_told_what_it_may_become(country, year, becomes, mode):
    """A UK applicant on the 2026 call was told to become a full partner, which the third-country criterion
    of the same checklist refuses."""
    participants = replace(
        eligible_consortium(),
        "Uni Berlin",
        country=country,
        programme_status=(COUNTRIES[country][0]),
        region=COUNTRIES[country][1],
    )

    hint = criterion("applicant", participants, year=year, mode=mode).hint

    assert hint == (
        "Give the applicant role to a full partner from an EU Member State or associated country, and "
        + becomes
    )
