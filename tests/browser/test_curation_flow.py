"""In Chromium: a coordinator corrects a shared record, which waits for review; a curator approves it in the
admin with a note; the coordinator's builder says so."""

import re

import pytest
from playwright.sync_api import expect

from alliances import services
from alliances.models import Role
from partners.models import Organisation
from tests.factories import PASSWORD, ParticipationFactory, UserFactory, edition

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def sign_in(page, base, email):
    page.goto(base + "/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="My proposals")).to_be_visible()


def test_a_shared_record_correction_is_reviewed_then_told(live_server, browser, directory, artifacts_dir):
    hamburg = directory["UHH"]
    ParticipationFactory(organisation=hamburg, role=Role.APPLICANT)  # another coordinator's proposal
    coordinator = UserFactory(email="nora@example.org")
    proposal = services.proposal_create(
        owner=coordinator,
        title="Review Alliance",
        acronym="REVIEW",
        edition=edition(),
        duration_months=24,
        aims=["skills-relevance"],
    )
    services.participation_add(
        proposal=proposal, organisation=hamburg, role=Role.APPLICANT, actor=coordinator, expected_version=1
    )
    UserFactory(email="curator@example.org", is_staff=True, is_superuser=True)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1366, "height": 900})
    page = context.new_page()
    page.set_default_timeout(10_000)

    # The coordinator corrects the record from its page.
    sign_in(page, base, coordinator.email)
    page.goto(f"{base}/organisations/{hamburg.pk}/")
    expect(page.get_by_role("heading", name=re.compile("Universität Hamburg"))).to_contain_text("Unverified")
    page.locator("summary", has_text="Correct this record").click()
    page.get_by_label("City").fill("Hamburg-Harburg")
    page.get_by_role("button", name="Send the correction").click()
    expect(page.locator("#messages")).to_contain_text("sent for review")
    expect(page.locator(".correction-pending")).to_be_visible()
    page.screenshot(path=artifacts_dir / "organisation-correction-pending.png", full_page=True)
    assert Organisation.objects.get(pk=hamburg.pk).city == ""
    page.goto(f"{base}/proposals/{proposal.pk}/")
    expect(page.locator("#participants")).to_contain_text("Correction pending review")

    # A curator approves it in the admin, with a note.
    curator = browser.new_context(viewport={"width": 1366, "height": 900}).new_page()
    curator.set_default_timeout(10_000)
    curator.goto(base + "/admin/partners/organisationchangerequest/")
    curator.locator("#id_username").fill("curator@example.org")
    curator.locator("#id_password").fill(PASSWORD)
    curator.locator("input[type=submit]").click()
    expect(curator.locator("#result_list")).to_contain_text("Universität Hamburg")
    curator.locator("input[name=_selected_action]").first.check()
    curator.locator("select[name=action]").select_option("approve")
    curator.locator("button[name=index]").click()
    expect(curator.locator("table.change-request-differences")).to_contain_text("Hamburg-Harburg")
    curator.get_by_label("Note to the requester").fill("Matches the university's site")
    curator.get_by_role("button", name="Approve").click()
    expect(curator.locator(".messagelist")).to_contain_text("1 request approved")
    curator.context.close()
    assert Organisation.objects.get(pk=hamburg.pk).city == "Hamburg-Harburg"

    # The coordinator's builder tells the outcome once, and no longer shows it pending.
    page.goto(f"{base}/proposals/{proposal.pk}/")
    expect(page.locator("#messages")).to_contain_text(
        "Your correction to Universität Hamburg (city) was approved. "
        "Note from the curator: Matches the university's site"
    )
    expect(page.locator("#participants")).not_to_contain_text("Correction pending review")
    page.screenshot(path=artifacts_dir / "builder-correction-approved.png", full_page=True)
    context.close()
