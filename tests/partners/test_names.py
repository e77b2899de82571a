"""Names refused for invisible characters; names that look like formulas or markup shown as plain text."""

import pytest
from django.urls import reverse

from alliances.forms import ParticipationAddForm, ProposalForm
from alliances.models import Role
from invitations.forms import DeclineForm, PartnerContactForm
from partners.forms import OrganisationForm
from partners.models import Organisation
from tests.factories import (
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    edition,
    org_type,
)

pytestmark = pytest.mark.django_db

REFUSED = {
    "right-to-left override": "\u202e",
    "left-to-right embedding": "\u202a",
    "pop directional formatting": "\u202c",
    "first strong isolate": "\u2068",
    "pop directional isolate": "\u2069",
    "left-to-right mark": "\u200e",
    "right-to-left mark": "\u200f",
    "arabic letter mark": "\u061c",
    "zero-width space": "\u200b",
    "zero-width non-joiner": "\u200c",
    "zero-width joiner": "\u200d",
    "word joiner": "\u2060",
    "byte order mark": "\ufeff",
    "bell": "\x07",
    "escape": "\x1b",
    "delete": "\x7f",
    "C1 control": "\x9b",
    "soft hyphen": "\u00ad",
    "mongolian vowel separator": "\u180e",
    "invisible times": "\u2062",
    "tag letter A": "\U000e0041",
    "line separator": "\u2028",
    "paragraph separator": "\u2029",
    "hangul filler": "\u3164",
    "halfwidth hangul filler": "\uffa0",
    # Not controls or format characters, yet they show as nothing (a probe made TU Berlin's twin with them).
    "combining grapheme joiner": "\u034f",
    "variation selector 1": "\ufe00",
    "emoji variation selector after a letter": "\ufe0f",
    "variation selector 17": "\U000e0100",
    "braille blank": "\u2800",
    "khmer inherent vowel": "\u17b4",
    "mongolian free variation selector": "\u180b",
}


def organisation_form(**overrides):
    data = {
        "legal_name": "Fabrica Nueva",
        "acronym": "FN",
        "country": "ES",
        "city": "Sevilla",
        "type": org_type("enterprise").pk,
        **overrides,
    }
    return OrganisationForm(data)


@pytest.mark.parametrize("field", ["legal_name", "acronym", "city"])
@pytest.mark.parametrize("char", REFUSED.values(), ids=REFUSED.keys())
def test_invisible_and_control_characters_are_refused_with_a_clear_message(field, char):
    form = organisation_form(**{field: f"Fabrica{char}Nueva"})

    assert not form.is_valid()
    message = " ".join(form.errors[field])
    assert "invisible or control character" in message
    assert f"U+{ord(char):04X}" in message


@pytest.mark.parametrize(
    "name",
    [
        "Politechnika Łódzka",
        "Københavns Universitet",
        "جامعة",
        "Ω-Tech & Co.",
        "서울대학교",
        "Fabrica\u00a0Nueva",  # a no-break space is a space
        "Ελληνικό Ανοικτό Πανεπιστήμιο",
        "Ha\u0300 No\u0302\u0323i Tech",  # Vietnamese typed with combining marks (NFD): two on one letter
        "Studio \u2764\ufe0f",  # an emoji with its presentation selector
        "Team 1\ufe0f\u20e3",  # a keycap
        "\u303d\ufe0f Studio",  # another symbol with both forms
    ],
)
def test_ordinary_names_in_any_script_are_accepted(name):
    form = organisation_form(legal_name=name)
    assert form.is_valid(), form.errors


@pytest.mark.parametrize("name", ["😀😀😀", "!!!", "★", "- . -"])
def test_a_name_without_a_letter_or_digit_is_refused(name):
    """It had an empty key: found by no search, and every other such name in the country was refused as
    its duplicate ("😀😀😀 (SI) is already in the directory" for "!!!")."""
    form = organisation_form(legal_name=name)

    assert not form.is_valid()
    assert form.errors["legal_name"] == ["Enter the name in letters or digits."]


def test_a_selector_after_a_digit_is_refused_unless_it_makes_a_keycap():
    """ "TU Berlin 2\ufe0f025" looks like "TU Berlin 2025" and folded to "tu berlin 2 025": a twin of any name
    with a number."""
    form = organisation_form(legal_name="TU Berlin 2\ufe0f025")
    assert not form.is_valid()
    assert "U+FE0F" in " ".join(form.errors["legal_name"])


def test_marks_stacked_on_one_letter_are_refused_with_a_clear_message():
    """Over 200 accents on one letter ("Zalgo" text) spill over the lines around the name."""
    assert organisation_form(legal_name="Fabrica Nue\u0301\u0302\u0303\u0304va").is_valid()
    form = organisation_form(legal_name="Fabrica Nue" + "\u0301" * 200 + "va")
    assert not form.is_valid()
    assert "marks stacked on one letter (U+0301)" in " ".join(form.errors["legal_name"])


def test_the_admin_refuses_them_and_saves_nothing(admin_client):
    response = admin_client.post(
        reverse("admin:partners_organisation_add"),
        {
            "legal_name": "Evil\u202eCorp",
            "country": "ES",
            "type": org_type("enterprise").pk,
            "eche_status": "pending",
        },
    )
    assert response.status_code == 200
    assert "invisible or control character" in response.content.decode()
    assert not Organisation.objects.filter(legal_name__startswith="Evil").exists()


HOSTILE = [
    '=HYPERLINK("http://evil.example","Click")',
    "+SUM(1,2) Tech",
    "-2+3 Labs",
    "@cmd Institute",
    "<script>alert(1)</script> Akademie",
    "Stored\u202eBad\u200bName\x07",  # written before the validator existed, or past it
]


@pytest.fixture
def hostile_proposal(django_capture_on_commit_callbacks):
    owner = UserFactory()
    with django_capture_on_commit_callbacks(execute=True):
        proposal = ProposalFactory(owner=owner)
        for name in HOSTILE:
            # Straight into the table, as an old row would be: no validator on this path.
            organisation = Organisation.objects.create(
                legal_name=name,
                acronym=name[:50],
                city=name[:120],
                country=country("DE"),
                type=org_type("ngo"),
            )
            ParticipationFactory(proposal=proposal, organisation=organisation, role=Role.ASSOCIATED_PARTNER)
    return proposal


def test_names_are_shown_as_text_and_a_stored_bad_name_breaks_no_page(client, admin_client, hostile_proposal):
    client.force_login(hostile_proposal.owner)
    organisations = list(Organisation.objects.filter(legal_name__in=HOSTILE))
    pages = [
        reverse("alliances:builder", args=[hostile_proposal.pk]),
        reverse("alliances:participants", args=[hostile_proposal.pk]),
        reverse("alliances:summary", args=[hostile_proposal.pk]),
        reverse("alliances:export_csv", args=[hostile_proposal.pk]),
        reverse("alliances:export_xlsx", args=[hostile_proposal.pk]),
        reverse("alliances:organisation_search", args=[hostile_proposal.pk]) + "?q=a",
        reverse("partners:organisation_list"),
        *(reverse("organisation_detail", args=[organisation.pk]) for organisation in organisations),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        if response["Content-Type"].startswith("text/html"):
            assert "<script>alert(1)</script>" not in response.content.decode(), url
    csv = client.get(pages[3]).content.decode()
    assert "'=HYPERLINK" in csv and "'+SUM(1,2) Tech" in csv  # never a formula in a spreadsheet
    builder = client.get(pages[0]).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt; Akademie" in builder
    assert "+SUM(1,2) Tech" in builder
    for organisation in organisations:
        assert (
            admin_client.get(
                reverse("admin:partners_organisation_change", args=[organisation.pk])
            ).status_code
            == 200
        )


def valid_proposal_data(**changes) -> dict:
    return {
        "title": "Green Skills",
        "acronym": "GREEN",
        "edition": edition(2026).pk,
        "duration_months": 24,
        "aims": ["skills-relevance"],
        **changes,
    }


@pytest.mark.parametrize("char", ["\u202e", "\u200b", "\x07", "\u00ad"], ids=["RLO", "ZWSP", "bell", "SHY"])
def test_other_texts_shown_to_others_refuse_them_too(char):
    """A proposal's title and acronym (in partners' emails and curators' requests), a contact's name."""
    proposal_data = valid_proposal_data()
    assert ProposalForm(proposal_data).is_valid(), ProposalForm(proposal_data).errors
    for field in ("title", "acronym", "economic_sectors", "summary"):
        form = ProposalForm({**proposal_data, field: f"EVIL{char}TXT"})
        assert not form.is_valid()
        assert f"U+{ord(char):04X}" in " ".join(form.errors[field]), field

    partner = PartnerContactForm({"contact_name": f"Pablo{char}", "contact_email": "p@example.org"})
    assert not partner.is_valid()
    assert "invisible or control character" in " ".join(partner.errors["contact_name"])

    # A partner's reason for declining reaches the coordinator's email and the history.
    decline = DeclineForm({"reason": f"No capacity{char} this year."})
    assert not decline.is_valid()
    assert "invisible or control character" in " ".join(decline.errors["reason"])


def test_texts_of_several_lines_keep_their_line_breaks_and_tabs():
    proposal_data = valid_proposal_data(summary="First paragraph.\r\n\r\nSecond,\tindented.\nThird.")
    assert ProposalForm(proposal_data).is_valid(), ProposalForm(proposal_data).errors
    assert DeclineForm({"reason": "No capacity.\r\nMaybe next year."}).is_valid()


def test_a_coordinator_cannot_give_a_contact_such_a_name():
    proposal = ProposalFactory(owner=UserFactory())
    organisation = ParticipationFactory(proposal=proposal, role=Role.FULL_PARTNER).organisation
    form = ParticipationAddForm(
        {
            "organisation": organisation.pk,
            "role": Role.ASSOCIATED_PARTNER,
            "contact_name": "Ana\u202eBel",
            "version": proposal.version,
        },
        proposal=proposal,
    )
    assert not form.is_valid()
    assert "invisible or control character" in " ".join(form.errors["contact_name"])


def test_the_country_and_type_lists_read_as_people_read_them():
    """They began with "---------", and Côte d'Ivoire came after Czechia (the database orders by code
    point)."""
    form = organisation_form()
    countries = [label for _value, label in form.fields["country"].choices]
    assert countries[0] == "Choose a country"
    assert countries.index("Costa Rica") < countries.index("Côte d'Ivoire") < countries.index("Croatia")
    assert next(label for _value, label in form.fields["type"].choices) == "Choose a type"
    assert 'inputmode="numeric"' in str(form["pic"])  # nine digits: a phone's number pad
