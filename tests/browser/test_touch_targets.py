"""In Chromium, on a phone: every button of the builder, of a partner's answer page and of the account forms
is 44 px tall or more (WCAG 2.5.5); Bootstrap's small ones were 31 px, its others 38 px."""

from urllib.parse import urlsplit

import pytest

from alliances.models import Role
from tests.browser.conftest import SCREENS, signed_in
from tests.factories import ParticipationFactory, ProposalFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

# Each visible button, and each link styled as one, by its text and height; those written as links in a
# sentence (.p-0) are text, not targets of their own.
SHORT_BUTTONS = """() => [...document.querySelectorAll('button, .btn')]
  .filter((element) => element.offsetParent !== null && !element.classList.contains('p-0'))
  .map((element) => [
    element.textContent.trim().replace(/\\s+/g, ' ') || element.getAttribute('aria-label'),
    element.getBoundingClientRect().height,
  ])
  .filter(([, height]) => height < 44)"""


def test_every_button_is_a_finger_high_on_a_phone(live_server, browser, directory, mailoutbox):
    proposal = ProposalFactory(owner=UserFactory())
    ParticipationFactory(proposal=proposal, organisation=directory["UHH"], role=Role.APPLICANT)
    partner = ParticipationFactory(
        proposal=proposal,
        organisation=directory["LPJM"],
        role=Role.FULL_PARTNER,
        status="proposed",
        contact_email="partner@lpjm.example",
    )
    context = browser.new_context(**SCREENS["phone"])
    page = context.new_page()
    page.set_default_timeout(10_000)
    for path in ("/accounts/login/", "/accounts/signup/"):
        page.goto(live_server.url + path)
        assert page.evaluate(SHORT_BUTTONS) == [], path

    signed_in(context, live_server, proposal.owner)
    page.goto(f"{live_server.url}/proposals/{proposal.pk}/")
    page.locator("#eligibility-panel").wait_for()
    assert page.evaluate(SHORT_BUTTONS) == []
    page.get_by_role("button", name=f"Invite {partner.organisation.legal_name}").first.tap()
    page.wait_for_function("() => document.body.textContent.includes('Invitation sent')")
    assert page.evaluate(SHORT_BUTTONS) == []
    link = next(word for word in mailoutbox[-1].body.split() if "/invite/" in word)
    page.goto(live_server.url + urlsplit(link).path)
    page.get_by_role("button", name="Confirm participation").wait_for()
    assert page.evaluate(SHORT_BUTTONS) == []
    context.close()
