"""In Chromium: the summary's live counter (issue 15): it counts as one types, stops at 2,000 characters, and
says how much to cut from a longer summary stored before the cap."""

import pytest
from playwright.sync_api import expect

from alliances.models import Proposal
from tests.browser.conftest import signed_in
from tests.factories import ProposalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_summary_counts_as_one_types_and_stops_at_its_limit(live_server, page):
    proposal = ProposalFactory(owner=UserFactory())
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/edit/")
    summary = page.locator("textarea[name='summary']")
    counter = page.locator("#id_summary-count")
    expect(counter).to_have_text("0 / 2,000")
    expect(counter).to_have_attribute("aria-live", "polite")
    summary.fill("Green skills for manufacturing")
    expect(counter).to_have_text("30 / 2,000")
    summary.fill("x" * 2500)  # the browser keeps what the form promises
    expect(counter).to_have_text("2,000 / 2,000")


def test_a_longer_summary_stored_before_the_cap_says_how_much_to_cut(live_server, page):
    proposal = ProposalFactory(owner=UserFactory())
    Proposal.objects.filter(pk=proposal.pk).update(summary="y" * 2100)
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/edit/")
    counter = page.locator("#id_summary-count")
    expect(counter).to_have_text("2,100 / 2,000 (100 too many)")
    expect(counter).to_have_class("form-text text-end text-danger")

    # Words of the page's language, from the page (base.html), not from the script
    page.evaluate("document.body.dataset.tooMany = '%(count)s de trop'")
    page.locator("#id_summary").press("End")
    page.locator("#id_summary").press("Backspace")
    expect(counter).to_have_text("2,099 / 2,000 (99 de trop)")
