"""In Chromium, on a touch tablet: the admin's list checkboxes and buttons are targets a finger finds (the
organisation types' editable ticks were 13 px)."""

import pytest

from tests.browser.conftest import signed_in
from tests.factories import UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

TABLET = {"viewport": {"width": 1024, "height": 768}, "has_touch": True}


def test_list_ticks_and_buttons_are_finger_sized(live_server, browser):
    context = browser.new_context(**TABLET)
    page = context.new_page()
    signed_in(context, live_server, UserFactory(is_staff=True, is_superuser=True))
    page.goto(f"{live_server.url}/admin/partners/organisationtype/")
    ticks = page.locator("#result_list input[type=checkbox]")
    assert ticks.count() > 10
    assert min(box["height"] for box in (ticks.nth(i).bounding_box() for i in range(ticks.count()))) >= 24
    for button in (page.locator("#changelist .actions .button"), page.locator("input[name=_save]")):
        assert button.bounding_box()["height"] >= 44
    context.close()
