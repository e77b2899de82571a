"""An open builder page learns that others changed its proposal (`GET /proposals/<id>/changed/?version=`):
a partner confirmed through the invite link and the coordinator's page still said "Invited" until a reload."""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def changed(client, proposal, version):
    return client.get(reverse("alliances:proposal_changed", args=[proposal.pk]), {"version": version})


def test_it_says_whether_the_proposal_moved_past_the_version_the_page_shows(owner_client, proposal):
    assert changed(owner_client, proposal, proposal.version).status_code == 204
    assert changed(owner_client, proposal, proposal.version - 1).status_code == 200
    assert changed(owner_client, proposal, "not a number").status_code == 200  # refreshes; nothing breaks


def test_only_its_editors_may_ask(client, proposal, stranger):
    client.force_login(stranger)
    assert changed(client, proposal, proposal.version).status_code == 404
    client.logout()
    assert changed(client, proposal, proposal.version).status_code == 302  # to sign in


def test_asking_costs_the_session_the_user_and_the_proposal(
    owner_client, proposal, django_assert_num_queries
):
    with django_assert_num_queries(3):
        assert changed(owner_client, proposal, proposal.version).status_code == 204
