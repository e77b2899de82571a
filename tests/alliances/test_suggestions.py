"""Gap suggestions offer only organisations the rules would count: the edition's programme statuses (with its
overrides), its excluded countries, territories counting as their Member State."""

import pytest

from alliances.models import ParticipationStatus, Role
from alliances.selectors import builder_participations, gap_suggestions
from eligibility.models import EditionCountryStatus
from eligibility.services import reevaluate
from partners.models import Country
from tests.factories import OrganisationFactory, ParticipationFactory, country, edition

pytestmark = pytest.mark.django_db

# Two German partners: the consortium covers one country and lacks labour market actors.
GERMAN_PAIR = [
    ("DE", "higher-education-institution", Role.APPLICANT),
    ("DE", "vet-provider", Role.FULL_PARTNER),
]


def suggested(proposal, criterion="labour-market-actors", mode="projected") -> set[str]:
    return {organisation.legal_name for organisation in suggestions_of(proposal, mode).get(criterion, [])}


def suggestions_of(proposal, mode="projected") -> dict[str, list]:
    """The suggestions the checklist of this mode shows, criterion by criterion, in their order."""
    proposal.refresh_from_db()
    return gap_suggestions(
        proposal=proposal,
        evaluation=getattr(proposal.eligibility_report, mode),
        participations=builder_participations(proposal=proposal),
    )


def enterprise(name, code):
    return OrganisationFactory(verified=True, legal_name=name, country=country(code))


def test_third_countries_and_excluded_countries_are_never_suggested(make_proposal):
    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))
    enterprise("Polish Co", "PL")
    enterprise("American Co", "US")
    enterprise("Minsk Tractor", "BY")
    enterprise("Moscow Steel", "RU")
    assert suggested(proposal) == {"Polish Co"}
    assert suggested(proposal, "countries") == {"Polish Co"}


@pytest.mark.parametrize(("year", "swiss_suggested"), [(2026, False), (2027, True)])
def test_a_country_the_edition_associates_is_suggested_under_that_edition_only(
    make_proposal, year, swiss_suggested
):
    # Switzerland is third-not-associated in the country table and associated from 2027.
    proposal = make_proposal(GERMAN_PAIR, edition=edition(year))
    enterprise("Swiss Co", "CH")
    assert ("Swiss Co" in suggested(proposal)) is swiss_suggested


def test_an_override_can_also_take_a_country_out(make_proposal):
    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))
    EditionCountryStatus.objects.create(
        edition=proposal.edition, country=country("PL"), programme_status="third_not_associated"
    )
    enterprise("Polish Co", "PL")
    enterprise("Czech Co", "CZ")
    assert suggested(proposal) == {"Czech Co"}


def test_a_territory_counts_as_its_member_state(make_proposal):
    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))
    # Whatever Greenland's own row says, it counts as Denmark...
    Country.objects.filter(code="GL").update(programme_status="third_not_associated", region=14)
    enterprise("Nuuk Fisheries", "GL")
    assert suggested(proposal) == {"Nuuk Fisheries"}
    # ...so an edition that takes Denmark out takes Greenland out with it.
    EditionCountryStatus.objects.create(
        edition=proposal.edition, country=country("DK"), programme_status="third_not_associated"
    )
    assert suggested(proposal) == set()


def test_a_territory_and_its_member_state_fill_one_country_gap(make_proposal):
    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))
    enterprise("Réunion Co", "RE")
    enterprise("French Co", "FR")
    enterprise("Polish Co", "PL")
    countries = suggested(proposal, "countries")
    assert "Polish Co" in countries and len(countries & {"Réunion Co", "French Co"}) == 1


@pytest.mark.parametrize("mode", ["projected", "confirmed"])
def test_an_invited_partner_covers_its_country_for_the_suggestions_in_either_mode(make_proposal, mode):
    """In confirmed mode the hint asks for what the projected consortium lacks, and to remind the invited:
    another organisation of the invited one's country would not fill the gap."""
    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))
    ParticipationFactory(
        proposal=proposal, organisation=enterprise("Invited Co", "PL"), status=ParticipationStatus.INVITED
    )
    reevaluate([proposal.pk])
    enterprise("Polish Co", "PL")
    assert "Polish Co" not in suggested(proposal, "countries", mode)


def test_only_records_worth_suggesting_are_suggested(make_proposal):
    """Verified records, and the ones the coordinator used or made before; never another account's."""
    from tests.factories import ProposalFactory

    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))
    OrganisationFactory(verified=True, legal_name="Verified Co", country=country("PL"))
    OrganisationFactory(
        legal_name="=HYPERLINK(1) Co", country=country("PL"), created_by=ProposalFactory().owner
    )
    used = OrganisationFactory(legal_name="Used Before Co", country=country("PL"))
    ParticipationFactory(proposal=ProposalFactory(owner=proposal.owner), organisation=used)
    OrganisationFactory(legal_name="Made Before Co", country=country("PL"), created_by=proposal.owner)
    reevaluate([proposal.pk])

    assert suggested(proposal) == {"Verified Co", "Used Before Co", "Made Before Co"}


def test_with_its_universities_invited_and_no_vet_provider_only_vet_providers_are_suggested(make_proposal):
    """Confirmed mode suggested more universities (its consortium's were only invited)."""
    from tests.factories import org_type

    proposal = make_proposal(
        [("DE", "higher-education-institution", Role.APPLICANT), ("FR", "enterprise", Role.FULL_PARTNER)],
        edition=edition(2026),
        status=ParticipationStatus.INVITED,
    )
    OrganisationFactory(
        verified=True,
        legal_name="Some University",
        type=org_type("higher-education-institution"),
        country=country("PL"),
        eche_status="valid",
    )
    OrganisationFactory(
        verified=True, legal_name="Some VET School", type=org_type("vet-provider"), country=country("PL")
    )
    reevaluate([proposal.pk])
    for mode in ("confirmed", "projected"):
        assert suggested(proposal, "hei-and-vet", mode) == {"Some VET School"}, mode


def test_those_that_fill_the_most_gaps_at_once_come_first_and_countries_one_each(make_proposal):
    """The suggestions were the first names in the alphabet: an enterprise from a country not covered, which
    fills three gaps at once, came after every "A…" that filled one."""
    from tests.factories import org_type

    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))  # one country, no labour market actor
    for index in range(6):
        OrganisationFactory(
            verified=True, legal_name=f"Aachen Institute {index}", country=country("DE"), type=org_type("ngo")
        )
    enterprise("Zywiec Polish Co", "PL")
    enterprise("Zoltan Polish Co", "PL")
    reevaluate([proposal.pk])

    suggestions = suggestions_of(proposal)

    names = [organisation.legal_name for organisation in suggestions["full-partners"]]
    assert names[:2] == ["Zoltan Polish Co", "Zywiec Polish Co"], names
    assert [o.legal_name for o in suggestions["countries"]] == ["Zoltan Polish Co"]  # one for Poland


def test_among_equals_the_coordinators_own_organisations_come_first(make_proposal):
    """On a consortium that lacks everything every verified HEI helps as much, and the suggestions were the
    first of the directory's thousands in the alphabet: the coordinator's past partners come first."""
    from tests.factories import ProposalFactory, org_type

    proposal = make_proposal(GERMAN_PAIR, edition=edition(2026))
    for name in ("Aarhus Co", "Aalto Co", "Abo Co"):
        enterprise(name, "PL")
    known = OrganisationFactory(legal_name="Zagreb Co", country=country("PL"), type=org_type("enterprise"))
    ParticipationFactory(proposal=ProposalFactory(owner=proposal.owner), organisation=known)
    reevaluate([proposal.pk])

    suggestions = suggestions_of(proposal)

    assert [o.legal_name for o in suggestions["labour-market-actors"]][:2] == ["Zagreb Co", "Aalto Co"]
    assert [o.legal_name for o in suggestions["countries"]] == ["Zagreb Co"]  # Poland's one


def test_lacking_both_an_hei_and_a_vet_provider_both_are_suggested_in_turn(make_proposal):
    """With thousands of charter holders in the directory, the five suggestions for the pair were the first
    five universities in the alphabet, and no VET provider: neither alone fixes it. Names are ordered as the
    directory lists them, a quotation mark aside."""
    from tests.factories import org_type

    proposal = make_proposal(
        [("DE", "enterprise", Role.APPLICANT), ("FR", "enterprise", Role.FULL_PARTNER)], edition=edition(2026)
    )
    hei, vet = org_type("higher-education-institution"), org_type("vet-provider")
    for name in ("Aalto University", '"Artifex" University', "Bologna University", "Cork University"):
        OrganisationFactory(
            verified=True, legal_name=name, type=hei, country=country("PL"), eche_status="valid"
        )
    for name in ("Zagreb VET School", "Zwolle VET School"):
        OrganisationFactory(verified=True, legal_name=name, type=vet, country=country("PL"))
    reevaluate([proposal.pk])

    names = [o.legal_name for o in suggestions_of(proposal)["hei-and-vet"]]

    assert names == [
        "Aalto University",
        "Zagreb VET School",
        '"Artifex" University',
        "Zwolle VET School",
        "Bologna University",
    ]
