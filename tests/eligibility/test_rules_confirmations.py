"""ELIGIBILITY.md, Criteria: `pending`, `counted` and `not_counted`, and confirmed-mode failures that only
confirmations would fix."""

import dataclasses

import pytest

from eligibility import rules
from tests.eligibility.test_rules import criterion, eligible_consortium, evaluate, participant, replace

COUNTING = ("full-partners", "countries", "labour-market-actors", "education-providers")


def invited(participants, *names):
    for name in names:
        participants = replace(participants, name, status="invited")
    return participants


def test_counted_lists_what_each_count_includes_in_input_order():
    consortium = eligible_consortium()
    by_code = {result.code: result for result in evaluate(consortium, mode="projected").criteria}
    full_partners = tuple(p.name for p in consortium)
    assert by_code["full-partners"].counted == full_partners
    assert by_code["countries"].counted == ("DE", "FR", "IT", "ES")
    assert by_code["labour-market-actors"].counted == ("Acme Madrid", "Chamber Berlin", "Acme Paris")
    assert by_code["education-providers"].counted == ("Uni Berlin", "VET Lyon", "Uni Bologna")
    assert by_code["hei-and-vet"].counted == ("Uni Berlin", "VET Lyon", "Uni Bologna")
    for code in ("full-partners", "labour-market-actors", "education-providers"):
        assert len(by_code[code].counted) == by_code[code].observed
    assert by_code["countries"].not_counted == ()


def test_affiliated_and_associated_participants_are_never_counted():
    consortium = [
        *eligible_consortium(),
        participant("Acme Oslo", "enterprise", "NO", role="associated_partner"),
        participant("Affiliate Rome", "vet", "IT", role="affiliated_entity"),
    ]
    for result in evaluate(consortium).criteria:
        for entry in result.counted or ():
            assert entry not in {"Acme Oslo", "Affiliate Rome", "NO"}


@pytest.mark.parametrize(
    ("year", "reason"),
    [(2026, "third_not_associated"), (2027, None)],
)
def test_switzerland_is_left_out_of_the_countries_under_2026_and_counted_under_2027(year, reason):
    consortium = [*eligible_consortium(), participant("ETH-like Zurich", "hei", "CH", eche="valid")]
    result = criterion("countries", consortium, year=year)
    if reason:
        assert "CH" not in result.counted
        assert result.not_counted == ({"country": "CH", "reason": reason},)
    else:
        assert result.counted[-1] == "CH"
        assert result.not_counted == ()


def test_an_excluded_country_is_left_out_as_excluded_each_country_once():
    consortium = [
        *eligible_consortium(),
        participant("Minsk Tech", "enterprise", "BY"),
        participant("Minsk VET", "vet", "BY"),
        participant("Kyiv Lab", "ngo", "UA"),
    ]
    result = criterion("countries", consortium, year=2025)
    assert result.as_dict()["not_counted"] == [
        {"country": "BY", "reason": "excluded"},
        {"country": "UA", "reason": "third_not_associated"},
    ]


def test_pending_is_only_in_confirmed_mode_and_counts_what_confirmations_would_add():
    consortium = invited(eligible_consortium(), "Acme Paris", "VET Lyon")
    confirmed = {r.code: r for r in evaluate(consortium, mode="confirmed").criteria}
    projected = {r.code: r for r in evaluate(consortium, mode="projected").criteria}
    for code in COUNTING:
        assert confirmed[code].pending == projected[code].observed - confirmed[code].observed
        assert projected[code].pending is None
        assert "pending" not in projected[code].as_dict()
    assert confirmed["full-partners"].pending == 2
    assert confirmed["countries"].pending == 1  # both French full partners are only invited
    assert all(r.pending is None for r in confirmed.values() if r.code not in COUNTING)


def test_a_count_that_confirmations_would_fill_says_so_and_names_whom_to_remind():
    # Nine proposed or invited, one confirmed: what is missing is confirmations, not organisations.
    consortium = [
        dataclasses.replace(p, status="confirmed" if p.role == "applicant" else "invited")
        for p in eligible_consortium()
    ]
    result = criterion("full-partners", consortium, mode="confirmed")
    assert result.status == "fail"
    assert result.message == "1 of 8 full partners confirmed; 7 more are invited or proposed."
    assert result.hint.startswith("Remind VET Lyon (FR), Uni Bologna (IT)")
    assert result.hint.endswith("to confirm.")
    assert "Add" not in result.hint


def test_the_applicant_that_has_not_confirmed_yet_is_named():
    consortium = invited(eligible_consortium(), "Uni Berlin")
    result = criterion("applicant", consortium, mode="confirmed")
    assert result.status == "fail"
    assert result.message == "The applicant has not confirmed yet: Uni Berlin (DE)."
    assert result.hint == "Remind Uni Berlin (DE) to confirm."
    assert criterion("applicant", consortium, mode="projected").status == "pass"


def test_a_failure_that_confirmations_would_not_fix_asks_for_organisations_and_confirmations():
    consortium = invited(eligible_consortium()[:6], "Acme Paris")  # 6 full partners even if all confirm
    result = criterion("full-partners", consortium, mode="confirmed")
    assert result.status == "fail" and result.pending == 1
    # What the projected consortium lacks, and the confirmation; "Add 3 more" left Acme Paris uncounted.
    assert result.hint == "Add 2 more full partners. Remind Acme Paris (FR) to confirm."
    nothing_pending = criterion("full-partners", eligible_consortium()[:6], mode="confirmed")
    assert nothing_pending.pending == 0 and nothing_pending.hint == "Add 2 more full partners."


def test_a_missing_vet_provider_that_is_only_invited_is_named():
    consortium = invited(eligible_consortium(), "VET Lyon")
    result = criterion("hei-and-vet", consortium, mode="confirmed")
    assert result.status == "fail"
    assert "VET Lyon (FR)" in result.message
    assert result.hint == "Remind VET Lyon (FR) to confirm."


def test_whom_to_ask_says_invite_for_the_proposed_and_remind_for_the_invited():
    consortium = replace(invited(eligible_consortium(), "VET Lyon"), "Uni Bologna", status="proposed")
    result = criterion("full-partners", consortium, mode="confirmed")
    assert result.hint == "Invite Uni Bologna (IT); remind VET Lyon (FR) to confirm."
    only_proposed = replace(eligible_consortium(), "VET Lyon", status="proposed")
    hint = criterion("hei-and-vet", only_proposed, mode="confirmed").hint
    assert hint == "Invite VET Lyon (FR) to confirm."


def test_whom_to_ask_says_which_of_them_another_criterion_refuses_whatever_they_answer():
    """A college from Belarus (excluded) and a UK full partner on the 2026 call were asked to confirm, as if
    that would do."""
    consortium = [
        *invited(eligible_consortium(), "NGO Rome"),
        participant("College Minsk", "vet", "BY", status="proposed"),
        participant("Skills UK", "ngo", "GB", status="invited"),
    ]
    hint = criterion("full-partners", consortium[1:], mode="confirmed").hint
    assert hint == (
        "Invite College Minsk (BY); remind NGO Rome (IT) and Skills UK (GB) to confirm. "
        "College Minsk (BY) and Skills UK (GB) also fail another criterion, which their confirmation does "
        "not fix."
    )
    alone = criterion(
        "hei-and-vet", replace(consortium, "VET Lyon", role="associated_partner"), mode="confirmed"
    )
    assert alone.hint.endswith(
        "Invite College Minsk (BY) to confirm. College Minsk (BY) also fails another criterion, which its "
        "confirmation does not fix."
    )


def test_every_contract_field_reaches_the_stored_document():
    document = rules.evaluate(
        rules.Snapshot(24, ("entrepreneurship",), tuple(invited(eligible_consortium(), "Acme Paris"))),
        rules.EditionRules.from_mapping(2025, rules.EDITION_DEFAULTS[2025]),
        "confirmed",
    ).as_dict()
    countries = next(c for c in document["criteria"] if c["code"] == "countries")
    assert countries["counted"] == ["DE", "FR", "IT", "ES"]
    assert countries["pending"] == 0
    assert countries["not_counted"] == []
