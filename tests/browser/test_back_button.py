"""In Chromium: the Back button never shows an old consortium or an old verdict (issue 12).

Playwright starts Chromium with `--disable-back-forward-cache`; people's browsers keep the cache on, and it is
what showed the old consortium. These tests start Chromium without that switch, so Back may restore the page
from memory, and the product must still show the current state (no-store, and `pageshow` reloading a page
restored anyway).
"""

import pytest
from playwright.sync_api import expect

from alliances.models import Role
from partners.models import Organisation
from tests.browser.conftest import signed_in
from tests.conftest import CHROMIUM, CHROMIUM_ARGS
from tests.factories import (
    ELIGIBLE_CONSORTIUM,
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    org_type,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def eligible_proposal(db):
    """An eligible consortium, committed (so its report is evaluated), owned by a new coordinator."""
    proposal = ProposalFactory(owner=UserFactory())
    for index, (code, slug, role) in enumerate(ELIGIBLE_CONSORTIUM):
        organisation = OrganisationFactory(
            legal_name=f"Partner {index} {slug}", country=country(code), type=org_type(slug)
        )
        status = "valid" if slug == "higher-education-institution" else "not_required"
        Organisation.objects.filter(pk=organisation.pk).update(eche_status=status)
        ParticipationFactory(proposal=proposal, organisation=organisation, role=role, status="confirmed")
    return proposal


@pytest.fixture
def page(playwright):
    """A page in a Chromium whose back-forward cache is on, as in people's browsers."""
    browser = playwright.chromium.launch(
        executable_path=CHROMIUM,
        args=CHROMIUM_ARGS,
        headless=True,
        ignore_default_args=["--disable-back-forward-cache"],
    )
    context = browser.new_context()
    yield context.new_page()
    context.close()
    browser.close()


def test_back_after_removing_a_partner_shows_the_current_panel(live_server, page, eligible_proposal):
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    signed_in(page.context, live_server, eligible_proposal.owner)
    builder = f"{live_server.url}/proposals/{eligible_proposal.pk}/"
    page.goto(builder)
    panel = page.locator("#eligibility-panel")
    expect(panel.locator("[data-overall]")).to_have_attribute("data-overall", "eligible")
    lma = panel.locator("[data-criterion='labour-market-actors']")
    expect(lma).to_have_attribute("data-status", "pass")

    # Remove a labour market actor: the panel says the criterion fails now.
    removed = eligible_proposal.participations.get(organisation__type__slug="chamber", role=Role.FULL_PARTNER)
    name = removed.organisation.legal_name
    page.get_by_role("button", name=f"Remove {name}").click()
    expect(page.locator("#participants")).not_to_contain_text(name)
    expect(lma).to_have_attribute("data-status", "fail")

    # Follow a link, then press Back: the page is asked for again, not shown from the browser's cache.
    page.get_by_role("link", name="My proposals").first.click()
    expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
    page.go_back()
    expect(page).to_have_url(builder)
    expect(page.locator("#participants")).not_to_contain_text(name)
    expect(page.locator("#eligibility-panel [data-criterion='labour-market-actors']")).to_have_attribute(
        "data-status", "fail"
    )
    overall = page.locator("#eligibility-panel [data-overall]")
    expect(overall).to_have_attribute("data-overall", "not_eligible")


def test_a_page_restored_from_the_back_forward_cache_is_loaded_again(live_server, page):
    """A page the browser kept in memory anyway (here a public one, which is allowed in the cache) is
    reloaded when Back restores it, so what it shows is asked for again."""
    page.set_default_timeout(10_000)
    page.goto(f"{live_server.url}/accounts/signup/")
    page.evaluate("window.restoredFromMemory = true")
    page.goto(f"{live_server.url}/accounts/login/")
    page.go_back()
    page.wait_for_load_state("load")
    page.wait_for_function("() => window.restoredFromMemory === undefined")
    assert page.evaluate("performance.getEntriesByType('navigation')[0].type") == "reload"


def test_a_tab_shown_again_refreshes_its_panel(live_server, page, eligible_proposal):
    """A builder tab left open while a co-editor removes a partner shows the new verdict once looked at, over
    the participants as they are now (and can change them: its version follows)."""
    from alliances import services

    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, eligible_proposal.owner)
    page.goto(f"{live_server.url}/proposals/{eligible_proposal.pk}/")
    overall = page.locator("#eligibility-panel [data-overall]")
    expect(overall).to_have_attribute("data-overall", "eligible")

    # Headless Chromium shows every page at once: the tab is hidden and shown again the way a browser says so.
    page.evaluate(
        """() => {
            window.tabState = 'hidden';
            Object.defineProperty(
                document, 'visibilityState', {configurable: true, get: () => window.tabState}
            );
            document.dispatchEvent(new Event('visibilitychange'));
        }"""
    )
    removed = eligible_proposal.participations.get(organisation__type__slug="chamber", role=Role.FULL_PARTNER)
    eligible_proposal.refresh_from_db()
    services.participation_remove(
        participation=removed, actor=UserFactory(), expected_version=eligible_proposal.version
    )

    expect(overall).to_have_attribute("data-overall", "eligible")  # nothing asked while hidden
    page.evaluate(
        "() => { window.tabState = 'visible'; document.dispatchEvent(new Event('visibilitychange')); }"
    )
    expect(overall).to_have_attribute("data-overall", "not_eligible")
    expect(page.locator("#eligibility-panel [data-criterion='labour-market-actors']")).to_have_attribute(
        "data-status", "fail"
    )
    expect(page.locator(f"#participation-{removed.pk}")).to_have_count(0)
    eligible_proposal.refresh_from_db()
    expect(page.locator("#proposal-version")).to_have_value(str(eligible_proposal.version))


def test_the_keyboard_keeps_its_place_and_a_moved_verdict_is_said(live_server, page, eligible_proposal):
    """What htmx replaces takes the focus with it: the same mode's button, the same participant's Change
    button (or, once it is removed, the one now in its place) get it back; the new verdict is put in a live
    region."""
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, eligible_proposal.owner)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/proposals/{eligible_proposal.pk}/")

    page.locator("[data-mode-switch='confirmed']").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#eligibility-panel")).to_have_attribute("data-mode", "confirmed")
    expect(page.locator("[data-mode-switch='confirmed']")).to_be_focused()

    change = page.get_by_role("button", name="Change Partner 3", exact=False).first
    change.focus()
    page.keyboard.press("Enter")
    page.locator("tr.table-active button[type=submit]").click()
    expect(page.locator("tr.table-active")).to_have_count(0)
    expect(page.get_by_role("button", name="Change Partner 3", exact=False).first).to_be_focused()

    chamber = eligible_proposal.participations.get(organisation__type__slug="chamber")
    row = page.locator(f"#participation-{chamber.pk}")
    in_its_place = row.evaluate("(row) => (row.nextElementSibling || row.previousElementSibling).id")
    remove = page.get_by_role("button", name=f"Remove {chamber.organisation.legal_name}")
    remove.focus()
    page.keyboard.press("Enter")
    expect(row).to_have_count(0)
    # The participant now in its place: its Change button, in view.
    change_there = page.locator(f"#{in_its_place} button[hx-target='#{in_its_place}']")
    expect(change_there).to_be_focused()
    expect(change_there).to_be_in_viewport()
    expect(page.locator("#verdict-announcer")).to_contain_text("Not eligible")
