"""The directory page with the keyboard: leaving the search box for the results keeps them and the focus on
them (the box's `change`, sent on leaving it, searched again and replaced the result one had tabbed to); the
filters still search as they are chosen."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import signed_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tabbing_from_the_search_to_a_result_keeps_the_focus_there(live_server, page, directory):
    signed_in(page.context, live_server, UserFactory())
    page.set_default_timeout(10_000)
    searches = []
    page.on("request", lambda request: "/organisations/?" in request.url and searches.append(request.url))
    page.goto(live_server.url + "/organisations/")
    history = page.evaluate("history.length")

    page.get_by_label("Search").fill("hamburg")
    result = page.get_by_role("link", name="Universität Hamburg")
    expect(result).to_be_visible()
    # What it found is said through a live region that stays (the swapped table was one, replaced each time).
    expect(page.locator("#search-outcome-status[role=status]")).to_have_text("1 organisation")
    expect(page.get_by_role("link", name="Polmetal Sp. z o.o.")).to_have_count(0)
    sent = len(searches)
    page.get_by_label("Search").press("Tab")
    result.focus()
    page.wait_for_timeout(500)
    expect(result).to_be_focused()
    assert len(searches) == sent

    with page.expect_request(lambda request: "country=FR" in request.url):
        page.get_by_label("Country").select_option("FR")
    expect(page.locator("#organisation-table")).not_to_contain_text("Universität Hamburg")

    # Arrowing through the countries searches once, for the one stopped at, and the Back button is not
    # filled with a page per search (each arrow pushed one).
    sent = len(searches)
    with page.expect_request(lambda request: "/organisations/?" in request.url):
        for _ in range(5):
            page.get_by_label("Country").press("ArrowDown")
    page.wait_for_timeout(600)
    assert len(searches) - sent < 5  # not one per arrow (keys come faster than the 400 ms the search waits)
    assert page.evaluate("history.length") == history
    expect(page).to_have_url(re.compile(r"/organisations/\?.*country=[A-Z]{2}"))
