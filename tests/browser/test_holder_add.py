"""In Chromium, after the April 2026 list is imported as `make run` does: a coordinator finds a charter holder
however they type its name, and adds it in two clicks, every identifier filled and its charter valid."""

import pytest
from playwright.sync_api import expect

from partners.eche.list_reader import read_holder_list
from partners.eche.list_storage import eche_list_store
from partners.models import Organisation
from tests.browser.conftest import signed_in
from tests.factories import ProposalFactory, UserFactory
from tests.partners.eche_helpers import APRIL_2026

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def holders(transactional_db):
    # Committed, so the re-check after the import runs (in-process tasks) and gives each charter its status.
    eche_list_store(parsed=read_holder_list(APRIL_2026, filename=APRIL_2026.name))
    return Organisation.objects.get(erasmus_code="PL LODZ02")


@pytest.mark.parametrize(
    "typed", ["politechnika lodzka", "Politechnika Łódzka", "politechnka lodzka", "PL LODZ02"]
)
def test_a_holder_is_found_and_added_in_two_clicks(live_server, page, holders, typed):
    assert holders.eche_status == "valid" and holders.verified
    proposal = ProposalFactory(owner=UserFactory())
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")

    page.fill("#search-q", typed)
    result = page.locator(".search-results li", has_text="POLITECHNIKA LODZKA").first
    expect(result).to_contain_text("ECHE valid")
    expect(result).not_to_contain_text("Unverified")
    result.get_by_role("button", name="Add… POLITECHNIKA LODZKA").click()  # one
    page.locator("#add-participant-form").get_by_role("button", name="Add to the consortium").click()  # two

    row = page.locator("#participants tbody tr", has_text="POLITECHNIKA LODZKA")
    expect(row).to_contain_text("ECHE valid")
    participation = proposal.participations.select_related("organisation").get()
    assert participation.role == "applicant"  # the first one added: what the empty builder asks for
    organisation = participation.organisation
    assert organisation.pk == holders.pk
    assert (organisation.pic, organisation.oid, organisation.erasmus_code) == (
        "999886671",
        "E10209033",
        "PL LODZ02",
    )
