"""axe-core on every main page (no serious or critical violation); screenshots on a laptop and a phone."""

import pytest
from playwright.sync_api import expect

from alliances import services
from alliances.models import Role
from tests.factories import PASSWORD, UserFactory, edition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(directory):
    user = UserFactory(email="ada@example.org", first_name="Ada", last_name="Axe")
    proposal = services.proposal_create(
        owner=user,
        title="Accessible Skills Alliance",
        acronym="ACCESS",
        edition=edition(),
        duration_months=24,
        aims=["skills-relevance"],
        economic_sectors="Manufacturing",
        summary="A <b>test</b> summary.",
    )
    roles = [Role.APPLICANT] + [Role.FULL_PARTNER] * 5
    for organisation, role in zip(list(directory.values())[:6], roles, strict=True):
        proposal.refresh_from_db()
        services.participation_add(
            proposal=proposal,
            organisation=organisation,
            role=role,
            actor=user,
            expected_version=proposal.version,
            contact_name="Contact Person",
            contact_email="contact@example.org",
        )
    proposal.refresh_from_db()
    return user, proposal, directory


@pytest.fixture
def axe_page(browser, live_server):
    # axe is injected as a script tag: the test context alone lets it past the Content Security Policy.
    context = browser.new_context(bypass_csp=True, viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)
    yield page
    context.close()


def test_every_main_page_passes_axe(axe_page, live_server, demo, axe_check, artifacts_dir):
    user, proposal, directory = demo
    page = axe_page
    base = live_server.url

    for path, name in (
        ("/accounts/login/", "sign-in"),
        ("/accounts/signup/", "sign-up"),
        ("/accounts/password-reset/", "password-reset"),
    ):
        response = page.goto(base + path)
        assert response.ok, (path, response.status)
        axe_check(page, name)

    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(user.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My proposals")).to_be_visible()
    axe_check(page, "home")

    builder = f"{base}/proposals/{proposal.pk}/"
    pages = [
        ("/proposals/new/", "proposal-new"),
        (f"/proposals/{proposal.pk}/edit/", "proposal-edit"),
        (f"/proposals/{proposal.pk}/summary/", "summary"),
        ("/proposals/archived/", "archived"),
        ("/organisations/", "directory"),
        (f"/organisations/{directory['UHH'].pk}/", "organisation"),
    ]
    for path, name in pages:
        page.goto(base + path)
        axe_check(page, name)
        page.screenshot(path=artifacts_dir / f"{name}.png", full_page=True)

    page.goto(builder)
    expect(page.locator("#eligibility-panel [data-overall]")).to_be_visible()
    axe_check(page, "builder")
    page.screenshot(path=artifacts_dir / "builder.png", full_page=True)

    # The builder with its in-place parts open: search results, the add form, the create form, an edit row.
    page.fill("#search-q", "Polmetal")
    expect(page.locator("#search-results")).to_contain_text("Polmetal")
    page.get_by_role("button", name="Add… Polmetal Sp. z o.o.").click()
    expect(page.locator("#add-participant-form form")).to_be_visible()
    page.locator("#add-participant-form select[name=role]").select_option("affiliated_entity")
    expect(page.locator("#add-participant-form [data-affiliated-field]")).to_be_visible()
    axe_check(page, "builder-add-form")
    page.get_by_role("button", name="Create a new organisation").click()
    expect(page.locator("#add-participant-form select[name='org-country']")).to_be_visible()
    page.locator("#add-participant-form").get_by_role("button", name="Create and add").click()
    expect(page.locator("#add-participant-form .invalid-feedback").first).to_be_visible()
    axe_check(page, "builder-create-form-errors")
    page.screenshot(path=artifacts_dir / "builder-create-form-errors.png", full_page=True)
    page.locator("#participants").get_by_role("button", name="Change").first.click()
    expect(page.locator("#participants tr.table-active")).to_be_visible()
    axe_check(page, "builder-edit-row")
    page.locator("#eligibility-panel").get_by_role("link", name="Confirmed").click()
    expect(page.locator("#eligibility-panel")).to_have_attribute("data-mode", "confirmed")
    page.locator("#eligibility-history summary").click()
    axe_check(page, "builder-confirmed-history")

    # A phone.
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(builder)
    axe_check(page, "builder-phone")
    page.screenshot(path=artifacts_dir / "builder-phone.png", full_page=True)
    page.goto(base + "/")
    page.screenshot(path=artifacts_dir / "home-phone.png", full_page=True)

    # A tablet held upright: each participant a card too, its actions on screen (the table was 1,001 px wide
    # in a 796 px box that scrolled sideways, Change and Remove past its edge).
    page.set_viewport_size({"width": 820, "height": 1180})
    page.goto(builder)
    table = page.locator("#participants .table-responsive")
    assert table.evaluate("box => box.scrollWidth <= box.clientWidth")
    change = page.locator("#participants").get_by_role("button", name="Change").first.bounding_box()
    assert change["x"] + change["width"] <= 820
    axe_check(page, "builder-tablet")
    page.screenshot(path=artifacts_dir / "builder-tablet.png", full_page=True)


def test_the_curators_admin_pages_pass_axe(axe_page, live_server, axe_check):
    """The change requests' list and page (Django's admin, with its breadcrumbs underlined: they were told
    from the text around them by colour alone)."""
    from partners import curation
    from partners.models import ChangeRequestOrigin
    from tests.browser.conftest import signed_in
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(legal_name="Shared Works", city="Berlin", verified=True)
    change_request = curation.change_request_create(
        organisation=organisation,
        changes={
            "city": {"old": "Berlin", "new": "Potsdam"},
            "website": {"old": "", "new": "https://www.shared-works-berlin-brandenburg.example/en/about-us/"},
        },
        origin=ChangeRequestOrigin.INVITATION,
        requester_email="partner@shared.example",
        context="Proposal “GREEN”",
    )
    signed_in(axe_page.context, live_server, UserFactory(is_staff=True, is_superuser=True))
    for path, name in (
        ("/admin/partners/organisationchangerequest/", "admin-change-requests"),
        (f"/admin/partners/organisationchangerequest/{change_request.pk}/change/", "admin-change-request"),
    ):
        response = axe_page.goto(live_server.url + path)
        assert response.ok, (path, response.status)
        axe_check(axe_page, name)

    # On a tablet (820 px, the admin's menu open): the differences can be read whole (their table was cut at
    # the field's edge, its "Requested" column out of sight), the decisions tapped (they were 21 px tall).
    axe_page.set_viewport_size({"width": 820, "height": 1180})
    axe_page.goto(f"{live_server.url}/admin/partners/organisationchangerequest/{change_request.pk}/change/")
    differences = axe_page.locator(".change-request-differences")
    # within the screen, and what does not fit in it scrolls sideways within the table, not cut
    assert differences.evaluate("table => getComputedStyle(table).overflowX") == "auto"
    assert differences.evaluate("table => table.getBoundingClientRect().right <= innerWidth")
    for name in ("Approve…", "Reject…"):
        box = axe_page.get_by_role("button", name=name).bounding_box()
        assert box["height"] >= 40 and box["x"] + box["width"] <= 820, (name, box)
    axe_check(axe_page, "admin-change-request-tablet")  # a table that scrolls can be scrolled by keyboard

    # Its confirmation: the note ready for typing, the decision and the way back as tall (they were 29 px).
    axe_page.get_by_role("button", name="Reject…").click()
    expect(axe_page.get_by_role("heading", name="Reject this request?")).to_be_visible()
    expect(axe_page.get_by_label("Note to the requester")).to_be_focused()
    for control in (
        axe_page.get_by_role("button", name="Reject"),
        axe_page.get_by_role("link", name="No, take me back"),
    ):
        assert control.bounding_box()["height"] >= 44
    axe_check(axe_page, "admin-change-request-review-tablet")

    # Held upright (768 px): the value asked for is on screen, each value labelled with its column.
    axe_page.set_viewport_size({"width": 768, "height": 1024})
    axe_page.goto(f"{live_server.url}/admin/partners/organisationchangerequest/{change_request.pk}/change/")
    requested = axe_page.locator(".change-request-differences td[data-label='Requested']").first
    expect(requested).to_contain_text("Potsdam")
    assert requested.bounding_box()["x"] + requested.bounding_box()["width"] <= 768
    axe_check(axe_page, "admin-change-request-portrait")
    # The list: what a curator triages by (the record, the changes, the status) within the screen once the
    # menu is closed (the filters go under the list); words kept whole.
    axe_page.goto(f"{live_server.url}/admin/partners/organisationchangerequest/")
    axe_page.locator("#toggle-nav-sidebar").click()
    status = axe_page.locator("#result_list thead th.column-status").bounding_box()
    assert status["x"] + status["width"] <= 768
    # A record's type is chosen from a select as wide as its field (it ran 360 px past a 1,024 px screen).
    axe_page.set_viewport_size({"width": 1024, "height": 768})
    axe_page.locator("#toggle-nav-sidebar").click()
    axe_page.goto(f"{live_server.url}/admin/partners/organisation/{organisation.pk}/change/")
    select = axe_page.locator("select#id_type").bounding_box()
    assert select["x"] + select["width"] <= 1024
