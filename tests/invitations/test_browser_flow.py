"""In Chromium: the coordinator invites a partner; the partner, without an account, opens the link from the
email in a fresh browser, corrects the PIC and confirms; the coordinator's page, left open, shows it and the
checklist change without a reload (it said "Invited" until one)."""

import re

import pytest
from playwright.sync_api import expect

from alliances.models import Participation, ParticipationStatus
from partners.models import Organisation
from tests.browser.conftest import SCREENS, axe_check, signed_in  # noqa: F401 (a fixture)
from tests.invitations.conftest import LINK

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_partner_confirms_from_the_email_in_under_a_minute(
    live_server,
    page,
    browser,
    proposal,
    coordinator,
    mailoutbox,
    axe_check,  # noqa: F811
    settings,
):
    settings.BUILDER_POLL_SECONDS = 1
    csp_errors = []
    page.on("console", lambda m: csp_errors.append(m.text) if "Content Security Policy" in m.text else None)
    page.set_default_timeout(10_000)
    signed_in(page.context, live_server, coordinator)
    invitee = proposal.invitee
    name = invitee.organisation.legal_name

    # The coordinator: the confirmed checklist lacks one full partner; invite its contact.
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/?mode=confirmed")
    panel = page.locator("#eligibility-panel")
    expect(panel.locator("[data-overall]")).to_have_attribute("data-overall", "not_eligible")
    row = page.locator(f"#participation-{invitee.pk}")
    row.get_by_role("button", name=f"Invite {name}").click()
    expect(row.locator("[data-invitation-status]")).to_have_attribute("data-invitation-status", "sent")
    # The keyboard is back on the invitation's controls (it went to the row's Change button).
    expect(row.get_by_role("button", name=re.compile("^Re-send"))).to_be_focused()
    expect(page.locator("#messages")).to_contain_text("pablo@fabrica.example")
    assert len(mailoutbox) == 1
    path = LINK.search(mailoutbox[0].body).group(1)
    token = path.split("/")[2]

    # The partner, in a fresh browser with no session (CSP bypassed only so that axe-core can be injected;
    # the coordinator's page above keeps the real policy and fails on any violation).
    partner_context = browser.new_context(bypass_csp=True, **SCREENS["phone"])  # on a phone (issue 15)
    partner = partner_context.new_page()
    partner.set_default_timeout(10_000)
    requests = []
    partner.on("request", lambda r: requests.append((r.url, r.headers.get("referer", ""))))
    partner.goto(live_server.url + path)
    assert token not in partner.url
    assert re.search(r"/invite/answer/\d+/$", partner.url)
    expect(partner.get_by_role("heading", name="You are invited to join GREENMAKE")).to_be_visible()
    expect(partner.get_by_text("Green Manufacturing Skills Alliance").first).to_be_visible()
    axe_check(partner, "invitation-answer")
    partner.get_by_label("PIC").fill("912 345 678")
    partner.get_by_role("button", name="Confirm participation").click()
    expect(partner.get_by_role("heading", name="Thank you: your participation is confirmed")).to_be_visible()
    axe_check(partner, "invitation-done")
    # After the first redirect the token appears in no request and no Referer.
    later = requests[1:]
    assert later and all(token not in url and token not in referer for url, referer in later)

    # The link is used up: a clear page, nothing changes.
    partner.goto(live_server.url + path)
    expect(partner.get_by_role("heading", name="This invitation was already answered")).to_be_visible()
    axe_check(partner, "invitation-used")
    partner_context.close()

    assert Participation.objects.get(pk=invitee.pk).status == ParticipationStatus.CONFIRMED
    assert Organisation.objects.get(pk=invitee.organisation_id).pic == "912345678"

    # The coordinator's page, open all along: confirmed, and the confirmed checklist is now eligible.
    page.evaluate("window.openAllAlong = true")
    row = page.locator(f"#participation-{invitee.pk}")
    expect(row).to_contain_text("Confirmed")
    expect(row.locator("[data-invitation-status]")).to_have_attribute("data-invitation-status", "confirmed")
    expect(page.locator("#eligibility-panel [data-overall]")).to_have_attribute("data-overall", "eligible")
    expect(page.locator("#audit-trail")).to_contain_text("via invitation")
    assert page.evaluate("window.openAllAlong === true"), "the page was reloaded"
    assert len(mailoutbox) == 2 and mailoutbox[1].to == ["clara@example.org"]
    assert not csp_errors, csp_errors
