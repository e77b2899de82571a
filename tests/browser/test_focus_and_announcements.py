"""In Chromium: where the keyboard is shows at 3:1 or more, enlarged text never widens a phone's page, a
builder search is announced by what it found rather than by its whole list, and on a phone a search's results
land above the on-screen keyboard (they were under it: 521 px down a 740 px screen in the builder)."""

import re

import pytest
from playwright.sync_api import expect

from alliances.models import Role
from tests.browser.conftest import SCREENS, signed_in
from tests.factories import ParticipationFactory, ProposalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PRIMARY = "rgb(11, 79, 156)"  # 8:1 against white


@pytest.fixture
def proposal(directory):
    proposal = ProposalFactory(owner=UserFactory())
    ParticipationFactory(proposal=proposal, organisation=directory["UHH"], role=Role.APPLICANT)
    return proposal


def focus_ring(page) -> dict:
    return page.evaluate(
        """() => {
          const style = getComputedStyle(document.activeElement);
          const width = parseFloat(style.outlineWidth);
          return {style: style.outlineStyle, width: width, color: style.outlineColor};
        }"""
    )


def test_the_focused_field_and_button_have_a_solid_ring(live_server, page, proposal):
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.locator("#search-q").focus()
    assert focus_ring(page) == {"style": "solid", "width": 3, "color": PRIMARY}

    page.fill("#search-q", "Polmetal")
    add = page.get_by_role("button", name="Add… Polmetal Sp. z o.o.")
    add.focus()
    page.keyboard.press("Shift+Tab")  # focus-visible comes from the keyboard
    page.keyboard.press("Tab")
    expect(add).to_be_focused()
    assert focus_ring(page) == {"style": "solid", "width": 3, "color": PRIMARY}

    # A link and the history's summary too (they had the browser's thin default ring).
    breadcrumb = page.get_by_role("navigation", name="Breadcrumb").get_by_role("link", name="My proposals")
    for target in (breadcrumb, page.locator("#audit-trail summary")):
        target.focus()
        page.keyboard.press("Shift+Tab")
        page.keyboard.press("Tab")
        expect(target).to_be_focused()
        assert focus_ring(page) == {"style": "solid", "width": 3, "color": PRIMARY}


@pytest.mark.parametrize("path", ["/accounts/login/", "builder"])
def test_text_at_twice_its_size_does_not_widen_a_phone_page(live_server, browser, proposal, path):
    context = browser.new_context(**SCREENS["phone"], bypass_csp=True)  # for the style tag
    page = context.new_page()
    page.set_default_timeout(10_000)
    if path == "builder":
        signed_in(context, live_server, proposal.owner)
        path = f"/proposals/{proposal.pk}/"
    page.goto(live_server.url + path)
    page.add_style_tag(content="html { font-size: 200% !important; }")
    # Against the screen's width: a phone widens its layout viewport (innerWidth) to a page wider than it.
    width = page.evaluate("document.documentElement.scrollWidth")
    screen = SCREENS["phone"]["viewport"]["width"]
    context.close()
    assert width <= screen, f"the page is {width} px wide on a {screen} px screen"


def test_a_builder_search_is_announced_by_what_it_found(live_server, page, proposal):
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    status = page.locator("[data-announces=search-results][role=status]")
    assert page.locator("#search-results").get_attribute("aria-live") is None  # not the whole list, each time

    page.fill("#search-q", "Polmetal")
    expect(status).to_have_text("1 match.")
    page.fill("#search-q", "Nowhere Institute")
    expect(status).to_have_text("No organisation matches “Nowhere Institute”.")


def test_the_whole_history_is_shown_on_request_with_the_focus_on_it(live_server, page, proposal):
    from invitations.models import EventKind, ParticipationEvent

    for index in range(51):
        ParticipationEvent.objects.create(
            proposal=proposal, kind=EventKind.OPENED, subject=f"Partner {index:02d}", actor_kind="invitation"
        )
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    history = page.locator("#audit-trail")
    history.locator("summary").click()
    expect(history.locator("li")).to_have_count(50)
    history.get_by_role("button", name="Show the whole history").click()

    expect(history.locator("li")).to_have_count(51)
    expect(history.locator("summary")).to_be_focused()
    expect(history).to_have_attribute("open", "")


# Chromium's phone emulation has no on-screen keyboard; a phone's covers about the lower half of its screen.
KEYBOARD_TOP = SCREENS["phone"]["viewport"]["height"] // 2


@pytest.mark.parametrize(
    "path, results",
    [("/proposals/{pk}/", "#search-results"), ("/organisations/", "#organisation-table")],
    ids=["builder", "directory"],
)
def test_on_a_phone_a_search_box_tapped_goes_to_the_top_with_its_results_above_the_keyboard(
    live_server, browser, proposal, path, results
):
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    signed_in(context, live_server, proposal.owner)
    page.goto(live_server.url + path.format(pk=proposal.pk))
    search = page.locator("form[role=search] input[type=search]")
    if "proposals" in path:  # the add section lies below every participant: the header leads to it
        page.get_by_role("link", name="Add a participant").tap()
        expect(search).to_be_in_viewport()
        expect(search).to_be_focused()  # ready to type: a second tap was needed
    search.tap()
    expect(search).to_be_focused()
    page.keyboard.type("polmetal")
    expect(page.locator(results)).to_contain_text("Polmetal Sp. z o.o.")
    label = page.locator("form[role=search] label").first.bounding_box()
    found = page.locator(results).bounding_box()
    assert 0 <= label["y"] <= 16  # the label too, below the top edge
    assert found["y"] <= KEYBOARD_TOP - 200  # the filters folded: right under the box (250 px with them)
    if "proposals" in path:  # the form to add it comes whole into view, its button above the verdict bar
        page.keyboard.press("Escape")
        page.get_by_role("button", name="Add… Polmetal Sp. z o.o.").tap()
        add = page.get_by_role("button", name="Add to the consortium")
        expect(add).to_be_in_viewport()
        bar = page.locator(".verdict-bar").bounding_box()
        button = add.bounding_box()
        assert button["y"] + button["height"] <= bar["y"]
    context.close()


def test_on_a_phone_a_new_organisation_sent_back_shows_why_in_view(live_server, browser, proposal):
    """The form came back with "Universität Hamburg is already in …" 800 px above the screen,
    which showed only the form's bottom and an unexplained "This is a different organisation" box."""
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    signed_in(context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.get_by_role("button", name="Create a new organisation").tap()
    form = page.locator("#add-participant-form form")
    form.get_by_label("Legal name").fill("Universitat Hamburg")
    form.locator("select[name='org-country']").select_option("DE")
    form.locator("select[name='org-type']").select_option(label="Higher education institution")
    form.get_by_role("button", name="Create and add").tap()
    notice = page.locator("#add-participant-form .alert")
    expect(notice).to_contain_text("Universität Hamburg (UHH) is already in this consortium")
    expect(notice).to_be_in_viewport()
    form = page.locator("#add-participant-form form")
    form.get_by_label("PIC").fill("12")  # not nine digits
    form.get_by_role("checkbox").check()
    form.get_by_role("button", name="Create and add").tap()
    pic = page.locator("#add-participant-form input[name='org-pic']")
    expect(pic).to_have_class(re.compile("is-invalid"))
    expect(pic).to_be_focused()
    expect(page.locator("#add-participant-form label[for='id_org-pic']")).to_be_in_viewport()
    context.close()


def a_labour_market_actor_short(live_server, browser, directory, screen):
    """A builder whose checklist suggests Polmetal for its labour market actors: the page, the criterion, and
    the suggestion's Add button."""
    proposal = ProposalFactory(owner=UserFactory())
    ParticipationFactory(proposal=proposal, organisation=directory["UHH"], role=Role.APPLICANT)
    for acronym in ("LPJM", "ITS Mecc", "FV", "NaLe", "IRA"):
        ParticipationFactory(proposal=proposal, organisation=directory[acronym], role=Role.FULL_PARTNER)
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.set_default_timeout(10_000)
    signed_in(context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    criterion = page.locator("#eligibility-panel [data-criterion='labour-market-actors']")
    return (
        context,
        page,
        criterion,
        criterion.get_by_role("button", name="Add Polmetal Sp. z o.o. as a full partner"),
    )


def test_on_a_phone_a_suggestion_added_leaves_the_view_on_its_criterion(live_server, browser, directory):
    """The page went 4,000 px up to the participants' heading: the checklist, and what just changed in it,
    out of sight."""
    context, page, criterion, add = a_labour_market_actor_short(live_server, browser, directory, "phone")
    add.scroll_into_view_if_needed()
    page.evaluate(
        "window.highest = window.scrollY;"
        "addEventListener('scroll', () => { window.highest = Math.min(window.highest, window.scrollY); })"
    )
    add.tap()
    expect(page.locator("#participants")).to_contain_text("Polmetal Sp. z o.o.")
    expect(criterion).to_contain_text("2 of 3 labour market actors")
    expect(criterion).to_be_in_viewport()
    expect(criterion).to_be_focused()  # it went to the participants' heading, 1,000 px away
    assert page.evaluate("window.highest") > 1000  # never up to the table, even for a moment
    context.close()


def test_with_the_keyboard_a_suggestion_added_leaves_the_focus_on_its_criterion_in_view(
    live_server, browser, directory
):
    """The focus went to the Projected button, scrolled out of sight in the panel."""
    context, page, criterion, add = a_labour_market_actor_short(live_server, browser, directory, "laptop")
    add.focus()
    page.keyboard.press("Enter")
    expect(page.locator("#participants")).to_contain_text("Polmetal Sp. z o.o.")
    expect(criterion).to_contain_text("2 of 3 labour market actors")
    expect(criterion).to_be_focused()
    expect(criterion).to_be_in_viewport()
    context.close()


def test_a_builder_left_open_after_its_session_ended_shows_no_sign_in_page_inside_it(
    live_server, page, proposal, settings
):
    """Its poll for changes followed the redirect to the sign-in page and took it for a change: the sign-in
    page, header and all, was swapped into the participants, the checklist and the search results."""
    from django.contrib.sessions.models import Session

    settings.BUILDER_POLL_SECONDS = 1
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    expect(page.locator("#participants")).to_contain_text("Universität Hamburg")
    Session.objects.all().delete()  # signed out elsewhere, or by a password change
    page.wait_for_timeout(3_500)  # a few turns of the poll
    expect(page.locator("input[name=password]")).to_have_count(0)
    expect(page.locator("#participants")).to_contain_text("Universität Hamburg")
    # A fragment asked for now (a tab shown again) leads to the sign-in page itself, with the way back.
    page.evaluate("document.dispatchEvent(new Event('visibilitychange'))")
    expect(page).to_have_url(re.compile(r"/accounts/login/\?next=/proposals/\d+/"))


def test_others_changes_show_while_a_charter_check_is_pending(live_server, page, directory, settings):
    """The pending university's badge asks every 5 s, and each of its requests counted as the user's
    activity: the page never asked for others' changes until the check was done (up to minutes)."""
    from alliances.services import proposal_touch
    from partners.models import Organisation

    settings.BUILDER_POLL_SECONDS = 6
    proposal = ProposalFactory(owner=UserFactory())
    ParticipationFactory(proposal=proposal, organisation=directory["UHH"], role=Role.APPLICANT)
    ParticipationFactory(proposal=proposal, organisation=directory["FV"], role=Role.FULL_PARTNER)
    Organisation.objects.filter(pk=directory["UHH"].pk).update(eche_status="pending")
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    expect(page.locator("#participants .eche-badge[hx-trigger^='every']")).to_have_count(1)

    Organisation.objects.filter(pk=directory["FV"].pk).update(legal_name="Fábrica Verde Renamed S.L.")
    proposal_touch(proposal_id=proposal.pk)  # as a partner's answer or a co-editor's save does

    renamed = "Fábrica Verde Renamed S.L."
    expect(page.locator("#participants")).to_contain_text(renamed, timeout=30_000)  # in 12-18 s


@pytest.mark.parametrize("screen", ["phone", "laptop"])
def test_a_long_name_keeps_the_header_within_the_screen(live_server, browser, screen):
    """A name of 150 letters (as many as an account may have) widened the page to 1,552 px and pushed
    "Sign out" off the screen."""
    user = UserFactory(first_name="Maximiliana" * 13, last_name="Wolfeschlegelsteinhausen")
    context = browser.new_context(**SCREENS[screen])
    page = context.new_page()
    page.set_default_timeout(10_000)
    signed_in(context, live_server, user)
    page.goto(f"{live_server.url}/")
    if screen == "phone":
        page.get_by_role("button", name="Toggle navigation").tap()
    sign_out = page.get_by_role("button", name="Sign out")
    expect(sign_out).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    box = sign_out.bounding_box()
    context.close()
    viewport = SCREENS[screen]["viewport"]["width"]
    assert width <= viewport, f"the page is {width} px wide on a {viewport} px screen"
    assert box["x"] + box["width"] <= viewport


@pytest.mark.parametrize("editing", [False, True], ids=["reading", "a-row-open"])
def test_a_co_editor_removed_meanwhile_no_longer_sees_the_consortium(
    live_server, page, directory, settings, editing
):
    """Their open builder kept showing every participant and contact, until a click said it was not theirs
    (with a row open for editing, until they saved)."""
    settings.BUILDER_POLL_SECONDS = 6
    proposal = ProposalFactory(owner=UserFactory())
    ParticipationFactory(
        proposal=proposal,
        organisation=directory["UHH"],
        role=Role.APPLICANT,
        contact_email="anna@uhh.example",
    )
    editor = UserFactory()
    proposal.co_editors.add(editor)
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, editor)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    expect(page.locator("#participants")).to_contain_text("anna@uhh.example")
    if editing:
        page.get_by_role("button", name="Change Universität Hamburg").click()
        expect(page.locator("#participants .participation-form")).to_be_visible()

    proposal.co_editors.remove(editor)

    expect(page.get_by_role("heading", name="Page not found")).to_be_visible(timeout=30_000)
    expect(page.locator("body")).not_to_contain_text("anna@uhh.example")
