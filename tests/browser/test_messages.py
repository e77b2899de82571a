"""In Chromium: messages are toasts that cover no form being filled in (issue 15). A confirmation is announced
politely and leaves by itself; an error is announced at once and stays until closed."""

import pytest
from playwright.sync_api import expect

from alliances.models import Role
from tests.browser.conftest import SCREENS, signed_in
from tests.factories import (
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    org_type,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proposal(db):
    proposal = ProposalFactory(owner=UserFactory())
    for code, slug in [("DE", "higher-education-institution"), ("FR", "vet-provider"), ("IT", "enterprise")]:
        organisation = OrganisationFactory(
            legal_name=f"Partner {code}", country=country(code), type=org_type(slug)
        )
        ParticipationFactory(proposal=proposal, organisation=organisation, role=Role.FULL_PARTNER)
    return proposal


def test_a_confirmation_leaves_by_itself_and_covers_no_form(live_server, page, proposal):
    page.set_default_timeout(10_000)
    page.clock.install()
    page.on("dialog", lambda dialog: dialog.accept())
    signed_in(page.context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.get_by_role("button", name="Change Partner DE").click()  # an inline form open at the top
    form = page.locator("#participants form").first
    expect(form).to_be_visible()

    page.get_by_role("button", name="Remove Partner IT").click()
    toast = page.locator("#messages .alert-success")
    expect(toast).to_contain_text("Removed from the consortium")
    box, form_box = toast.bounding_box(), page.locator("#participants").bounding_box()
    viewport = page.viewport_size
    assert box["y"] + box["height"] <= viewport["height"]  # in view, at the bottom of the screen
    assert box["y"] >= form_box["y"] + form_box["height"] or box["y"] > viewport["height"] / 2

    page.mouse.move(1, 1)  # not pointed at (it would stay)
    page.clock.run_for(9_000)  # every timer due meanwhile runs: htmx's settling, then the toast's own
    expect(toast).to_have_count(0)


def test_an_error_stays_until_closed(live_server, page, proposal):
    page.set_default_timeout(10_000)
    page.clock.install()
    coeditor = UserFactory()
    proposal.co_editors.add(coeditor)
    signed_in(page.context, live_server, coeditor)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    # A co-editor may not archive: post the archive form as a stale or crafted page would.
    page.evaluate(
        """(action) => {
          const form = document.createElement("form");
          form.method = "post"; form.action = action;
          form.appendChild(document.querySelector("input[name=csrfmiddlewaretoken]").cloneNode());
          document.body.appendChild(form); form.submit();
        }""",
        f"/proposals/{proposal.pk}/archive/",
    )
    error = page.locator("#messages [role=alert]")
    expect(error).to_contain_text("Only the proposal's owner can archive it")
    page.clock.run_for(60_000)
    expect(error).to_be_visible()
    error.get_by_role("button", name="Close").click()
    expect(error).to_have_count(0)


@pytest.mark.parametrize("debug", [False, True], ids=["production", "make-run"])
def test_a_change_refused_to_a_removed_co_editor_says_so(live_server, page, proposal, settings, debug):
    """The owner removes a co-editor whose builder tab is open: their next click changes nothing and says why
    (htmx swaps no 404: the click did nothing visible; in development django-htmx showed the 404 page)."""
    from alliances import coeditors

    settings.DEBUG = debug

    co_editor = UserFactory()
    proposal.co_editors.add(co_editor)
    signed_in(page.context, live_server, co_editor)
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    # A change that works first: its message replaces the box's content, never the box (which holds the
    # sentences of the failures; once replaced, a refusal after it said nothing).
    page.get_by_role("button", name="Remove Partner IT").click()
    expect(page.locator("#messages")).to_contain_text("Removed from the consortium")
    proposal.refresh_from_db()
    coeditors.coeditor_remove(
        proposal=proposal, user=co_editor, actor=proposal.owner, expected_version=proposal.version
    )

    page.get_by_role("button", name="Remove Partner DE").click()

    alert = page.locator("#messages [role=alert]")
    expect(alert).to_contain_text("Nothing was changed: this proposal or this record is no longer yours")
    expect(page.locator("#participants")).to_be_visible()  # the page stays the builder
    assert proposal.participations.filter(organisation__legal_name="Partner DE").exists()


def test_on_a_phone_a_confirmation_makes_way_at_a_tap_elsewhere_and_stays_while_read(
    live_server, browser, proposal
):
    """On a phone a message lies over the page (after a proposal is created, over the search box): a tap
    elsewhere sends a confirmation away at once; a tap on its own text, or a scroll, keeps it."""
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    page.on("dialog", lambda dialog: dialog.accept())
    signed_in(context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.get_by_role("button", name="Remove Partner IT").tap()
    toast = page.locator("#messages .alert-success")
    expect(toast).to_contain_text("Removed from the consortium")
    status = page.locator("[data-announces=messages][role=status]")  # said politely, once
    expect(status).to_contain_text("Removed from the consortium")

    toast.tap(position={"x": 10, "y": 10})  # its own text, being read
    page.mouse.wheel(0, 300)
    expect(toast).to_be_visible()
    page.get_by_role("heading", name="Add a participant").tap()  # elsewhere: the next step
    expect(toast).to_have_count(0)

    # Typing a new search is the next step too (the keyboard typed under the message over the results).
    page.get_by_role("button", name="Remove Partner FR").tap()
    expect(toast).to_contain_text("Removed from the consortium")
    page.locator("#search-q").focus()
    page.keyboard.type("pol")
    expect(toast).to_have_count(0)
    context.close()


def test_many_long_messages_keep_to_a_third_of_the_screen(live_server, browser, proposal):
    """Two curators' decisions with their notes covered half a tablet's screen, rows' buttons included."""
    from django.db import transaction

    from partners import curation
    from partners.models import ChangeRequestOrigin

    organisation = proposal.participations.first().organisation
    for field, new in (("city", "Potsdam"), ("website", "https://example.org/")):
        with transaction.atomic():
            request = curation.change_request_create(
                organisation=organisation,
                changes={field: {"old": getattr(organisation, field), "new": new}},
                origin=ChangeRequestOrigin.COORDINATOR,
                requested_by=proposal.owner,
            )
        curation.change_request_reject(change_request_id=request.pk, reviewer=None, note="Not so. " * 60)
    context = browser.new_context(**{**SCREENS["phone"], "viewport": {"width": 768, "height": 1024}})
    page = context.new_page()
    signed_in(context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    box = page.locator("#messages")
    expect(box.locator(".alert")).to_have_count(2)
    assert box.bounding_box()["height"] <= 1024 / 3 + 1
    assert box.evaluate("messages => messages.scrollHeight > messages.clientHeight")  # the rest scrolls
    context.close()
