"""A coordinator who has never seen the product signs up and builds an eligible consortium, in Chromium."""

import csv
import io
import re
from pathlib import Path

import pytest
from openpyxl import load_workbook
from playwright.sync_api import expect

from tests.browser.conftest import SCREENS

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

AIM = "Quality and relevance of skills, including new skills and tackling skills mismatches"


def search_and_add(page, query, name, role="full_partner"):
    page.fill("#search-q", query)
    button = page.get_by_role("button", name=f"Add… {name}")
    button.click()
    form = page.locator("#add-participant-form form")
    expect(form).to_be_visible()
    form.locator("select[name=role]").select_option(role)
    form.get_by_role("button", name="Add to the consortium").click()
    expect(page.locator("#participants")).to_contain_text(name)
    expect(page.locator("#add-participant-form")).to_be_empty()
    # ready for the next one: the search box has the focus, in view (on a phone too)
    expect(page.locator("#search-q")).to_be_focused()
    expect(page.locator("#search-q")).to_be_in_viewport()


def create_and_add(page, name, country, type_label, pic=""):
    page.get_by_role("button", name="Create a new organisation").click()
    form = page.locator("#add-participant-form form")
    expect(form).to_be_visible()
    form.get_by_label("Legal name").fill(name)
    form.locator("select[name='org-country']").select_option(country)
    form.locator("select[name='org-type']").select_option(label=type_label)
    if pic:
        form.get_by_label("PIC").fill(pic)
    form.get_by_role("button", name="Create and add").click()
    expect(page.locator("#participants")).to_contain_text(name)


@pytest.fixture(params=["desktop", "phone"])
def browser_context_args(browser_context_args, request):
    """The whole flow on a desktop, and on a phone with touch (issue 15)."""
    return browser_context_args | SCREENS.get(request.param, {})


def test_sign_up_build_an_eligible_consortium_and_export_it(
    live_server, page, directory, artifacts_dir, browser_context_args
):
    screen = browser_context_args.get("viewport", page.viewport_size)
    assert page.viewport_size == screen  # the phone's screen when asked for
    csp_errors = []

    def on_console(message):
        if "Content Security Policy" in message.text:
            csp_errors.append((page.url, message.text, message.location))

    page.on("console", on_console)
    page.on("dialog", lambda dialog: dialog.accept())
    page.set_default_timeout(10_000)

    # Sign up.
    page.goto(live_server.url + "/")
    expect(page).to_have_title(re.compile("Sign in"))
    page.get_by_role("link", name="Create an account").click()
    page.get_by_label("Email address").fill("nora@example.org")
    page.get_by_label("First name").fill("Nora")
    page.get_by_label("Last name").fill("Neu")
    page.locator("#id_password1").fill("erasmus-alliance-2027")
    page.locator("#id_password2").fill("erasmus-alliance-2027")
    page.screenshot(path=artifacts_dir / f"{page.viewport_size['width']}px-signup.png", full_page=True)
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
    page.screenshot(path=artifacts_dir / f"{page.viewport_size['width']}px-home-empty.png", full_page=True)
    if screen["width"] < 768:  # the navigation is a menu: Escape closes it and goes back to its button
        toggler = page.get_by_role("button", name="Toggle navigation")
        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"\bshow\b"))
        page.keyboard.press("Escape")
        expect(page.locator("#main-nav")).to_be_hidden()
        expect(toggler).to_be_focused()

    # Create a proposal.
    page.get_by_role("link", name="New proposal").click()
    page.get_by_label("Title").fill("Circular Manufacturing Skills Alliance")
    page.get_by_label("Acronym").fill("CIRCULAR")
    page.get_by_label("36 months").check()
    page.get_by_label(AIM).check()
    page.screenshot(path=artifacts_dir / f"{page.viewport_size['width']}px-proposal-new.png", full_page=True)
    page.get_by_role("button", name="Create proposal").click()
    expect(page.get_by_role("heading", name=re.compile("CIRCULAR"))).to_be_visible()
    panel = page.locator("#eligibility-panel")
    expect(panel.locator("[data-overall]")).to_have_attribute("data-overall", "not_eligible")

    # Eight partners: six from the directory, two created in place.
    search_and_add(page, "hamburg", "Universität Hamburg", role="applicant")
    # Leaving the search box for its results, with the keyboard, keeps them and the focus on them: the search
    # runs as one types, not again on leaving the box (it replaced the result one had tabbed to).
    searches = []
    page.on("request", lambda request: "/participants/search/" in request.url and searches.append(request))
    page.fill("#search-q", "Jean Moulin")
    result = page.get_by_role("button", name="Add… Lycée Professionnel Jean Moulin")
    expect(result).to_be_visible()
    sent = len(searches)
    page.locator("#search-q").press("Tab")
    result.focus()
    page.wait_for_timeout(500)
    expect(result).to_be_focused()
    assert len(searches) == sent
    # A filter chosen searches at once (and one chosen back shows the same results). On a phone the filters
    # are folded under the box, so that its results come right under it.
    if screen["width"] < 768:
        expect(page.locator("#search-country")).to_be_hidden()
        page.get_by_text("Filters: country, type, ECHE").first.tap()
    with page.expect_request(
        lambda request: "/participants/search/" in request.url and "country=FR" in request.url
    ):
        page.locator("#search-country").select_option("FR")
    expect(result).to_be_visible()
    with page.expect_request(lambda request: "/participants/search/" in request.url):
        page.locator("#search-country").select_option("")
    search_and_add(page, "Jean Moulin", "Lycée Professionnel Jean Moulin")
    search_and_add(page, "ITS Mecc", "Istituto Tecnico Superiore Meccatronico")
    search_and_add(page, "999900004", "Fábrica Verde S.L.")
    search_and_add(page, "nachhaltig", "Nachhaltig Lernen e.V.")
    search_and_add(page, "recherche", "Institut de Recherche Appliquée")
    create_and_add(
        page,
        "Wirtschaftskammer Kärnten",
        "AT",
        "Chamber of commerce, industry or labour, or chamber of skilled crafts",
        pic="999900077",
    )
    create_and_add(page, "Green Skills Network", "BE", "Non-governmental organisation")
    expect(page.locator("#participants tbody tr")).to_have_count(8)

    # Red: one labour market actor short; the panel says so, with a counter and a hint.
    criterion = panel.locator("[data-criterion='labour-market-actors']")
    expect(criterion).to_have_attribute("data-status", "fail")
    expect(criterion).to_contain_text("2 of 3 labour market actors")
    expect(criterion).to_contain_text("To fix:")
    expect(panel.locator("[data-criterion='full-partners']")).to_contain_text("8 of 8 full partners")
    expect(panel.locator("[data-overall]")).to_have_attribute("data-overall", "not_eligible")
    page.screenshot(path=artifacts_dir / f"{page.viewport_size['width']}px-builder-red.png", full_page=True)

    # A suggestion fixes it in one click: green.
    expect(criterion.locator(".suggestion")).to_contain_text(["Polmetal"])
    criterion.get_by_role("button", name="Add Polmetal Sp. z o.o. as a full partner").click()
    expect(page.locator("#participants")).to_contain_text("Polmetal Sp. z o.o.")
    expect(panel.locator("[data-overall]")).to_have_attribute("data-overall", "eligible")
    expect(panel.locator("[data-criterion='labour-market-actors']")).to_have_attribute("data-status", "pass")
    # The view stays on the criterion just fixed (on a phone it went 4,000 px up to the table).
    expect(panel.locator("[data-criterion='labour-market-actors']")).to_be_in_viewport()
    page.screenshot(path=artifacts_dir / f"{page.viewport_size['width']}px-builder-green.png", full_page=True)

    # Confirmed mode counts only confirmed participants: nobody has confirmed yet.
    panel.get_by_role("link", name="Confirmed").click()
    expect(page.locator("#eligibility-panel")).to_have_attribute("data-mode", "confirmed")
    expect(page.locator("#eligibility-panel [data-overall]")).to_have_attribute(
        "data-overall", "not_eligible"
    )
    # The address says the mode, so a reload keeps it; nothing of the page is kept in the browser's storage.
    expect(page).to_have_url(re.compile(r"/proposals/\d+/\?mode=confirmed$"))
    page.reload()
    expect(page.locator("#eligibility-panel")).to_have_attribute("data-mode", "confirmed")
    assert page.evaluate("Object.keys(window.localStorage).filter((key) => key.startsWith('htmx'))") == []
    page.locator("#eligibility-panel").get_by_role("link", name="Projected").click()
    expect(page.locator("#eligibility-panel")).to_have_attribute("data-mode", "projected")

    # Change a role in place, with the keyboard, then remove a participant (confirmation accepted).
    page.get_by_role("button", name="Change Green Skills Network").click()
    role = page.locator("#participants tr.table-active select[name=role]")
    expect(role).to_be_focused()
    role.select_option("associated_partner")
    page.locator("#participants tr.table-active").get_by_role("button", name="Save").press("Enter")
    expect(page.locator("#participants tr.table-active")).to_have_count(0)
    expect(page.locator("#participants")).to_contain_text("Associated partner")
    page.get_by_role("button", name="Remove Green Skills Network").click()
    expect(page.locator("#participants tbody tr")).to_have_count(8)
    # The keyboard and the view on the participant now in its place (a phone's went to the top of the table,
    # then 2,700 px down into the checklist).
    now_there = page.get_by_role("button", name="Change Polmetal Sp. z o.o.")
    expect(now_there).to_be_focused()
    expect(now_there).to_be_in_viewport()
    expect(page.locator("#messages")).to_contain_text("Removed from the consortium")
    expect(page.locator("#eligibility-panel [data-overall]")).to_have_attribute("data-overall", "eligible")

    # Exports, read back.
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export CSV").click()
    rows = list(csv.reader(io.StringIO(Path(download_info.value.path()).read_text(encoding="utf-8-sig"))))
    assert rows[0][:3] == ["Role", "Legal name", "Acronym"]
    assert len(rows) == 9 and rows[1][0] == "Applicant (coordinator)" and rows[1][1] == "Universität Hamburg"
    with page.expect_download() as download_info:
        page.get_by_role("link", name="Export Excel").click()
    sheet = load_workbook(io.BytesIO(Path(download_info.value.path()).read_bytes())).active
    names = [row[1] for row in sheet.iter_rows(min_row=2, values_only=True)]
    assert len(names) == 8 and "Polmetal Sp. z o.o." in names and "Wirtschaftskammer Kärnten" in names

    page.get_by_role("link", name="Printable summary").click()
    expect(page.get_by_role("heading", name=re.compile("CIRCULAR"))).to_be_visible()
    page.emulate_media(media="print")
    page.screenshot(path=artifacts_dir / f"{page.viewport_size['width']}px-summary-print.png", full_page=True)
    page.emulate_media(media="screen")

    page.goto(live_server.url + "/")
    expect(page.locator("table")).to_contain_text("CIRCULAR")
    expect(page.locator("table")).to_contain_text("Eligible")
    page.screenshot(path=artifacts_dir / f"{page.viewport_size['width']}px-home.png", full_page=True)
    assert not csp_errors, csp_errors
