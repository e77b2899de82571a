"""What the Back button shows: signed-in pages are never stored by the browser, so it asks the server."""

import pytest
from django.urls import reverse

from tests.factories import ProposalFactory

pytestmark = pytest.mark.django_db


def stored_by_browsers(response) -> bool:
    return "no-store" not in response.get("Cache-Control", "")


def test_signed_in_pages_and_fragments_are_never_stored(client):
    proposal = ProposalFactory()
    client.force_login(proposal.owner)
    for url in (
        reverse("home"),
        reverse("alliances:builder", kwargs={"pk": proposal.pk}),
        reverse("alliances:eligibility", kwargs={"pk": proposal.pk}),
        reverse("alliances:summary", kwargs={"pk": proposal.pk}),
    ):
        response = client.get(url)
        assert response.status_code == 200, url
        assert not stored_by_browsers(response), url
        assert "private" in response["Cache-Control"], url


def test_a_refused_page_of_a_signed_in_user_is_not_stored_either(client):
    client.force_login(ProposalFactory().owner)
    response = client.get(reverse("alliances:builder", kwargs={"pk": ProposalFactory().pk}))
    assert response.status_code == 404
    assert not stored_by_browsers(response)
