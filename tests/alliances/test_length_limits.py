"""Length limits that match what the forms promise (issue 15): the summary is a proposal abstract, at most
2,000 characters; a longer one stored before the cap is kept until its next edit; a request too big to read
gets the product's page (413), never Django's debug page, and saves nothing."""

import pytest
from django.urls import reverse

from alliances.models import Proposal
from tests.alliances.conftest import edit_details as edit

pytestmark = pytest.mark.django_db


def test_the_form_promises_2000_characters_and_the_counter_has_its_limit(owner_client, proposal):
    page = owner_client.get(reverse("alliances:proposal_update", args=[proposal.pk])).content.decode()
    assert 'maxlength="2000"' in page and 'name="summary"' in page


def test_a_summary_over_2000_characters_is_refused_and_nothing_changes(owner_client, proposal):
    response = edit(owner_client, proposal, summary="x" * 2001, title="Renamed")
    assert response.status_code == 400
    assert "at most 2000 characters (it has 2001)" in response.content.decode()
    proposal.refresh_from_db()
    assert proposal.title != "Renamed" and proposal.summary == ""
    assert edit(owner_client, proposal, summary="x" * 2000).status_code == 302


def test_a_longer_summary_stored_before_the_cap_is_kept_until_its_next_edit(owner_client, proposal):
    Proposal.objects.filter(pk=proposal.pk).update(summary="y" * 3000)
    proposal.refresh_from_db()
    summary = owner_client.get(reverse("alliances:summary", args=[proposal.pk]))
    assert summary.status_code == 200 and "y" * 3000 in summary.content.decode()

    kept = edit(owner_client, proposal, title="Renamed")  # the stored text as it is: asked to shorten it
    assert "it has 3000" in kept.content.decode()
    proposal.refresh_from_db()
    assert len(proposal.summary) == 3000 and proposal.title != "Renamed"
    assert edit(owner_client, proposal, title="Renamed", summary="y" * 1999).status_code == 302


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_request_too_big_to_read_gets_a_friendly_page(owner_client, proposal, settings, debug):
    settings.DEBUG = debug
    response = edit(owner_client, proposal, summary="z" * 2_700_000, title="Renamed")
    assert response.status_code == 413
    html = response.content.decode()
    assert "That was too much to send" in html and "nothing was saved" in html
    assert "Traceback" not in html and "RequestDataTooBig" not in html
    proposal.refresh_from_db()
    assert proposal.title != "Renamed"


def test_too_many_fields_get_the_same_page(owner_client, proposal):
    data = {f"field{number}": "1" for number in range(1100)}
    response = owner_client.post(reverse("alliances:proposal_update", args=[proposal.pk]), data)
    assert response.status_code == 413
