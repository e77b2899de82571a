"""The pages the main flows rarely reach, as the secondary-pages probe found them: error summaries said once
and present on every account page, the details page showing what is stored, archiving offered only to the
owner, and My proposals telling an owner whose proposals are all archived where they are."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from alliances import services
from tests.alliances.conftest import edit_details as edit
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_refused_edit_lists_each_error_once_and_titles_the_page_as_stored(owner_client, proposal):
    response = edit(owner_client, proposal, title="", acronym="RENAMED")
    assert response.status_code == 400
    html = response.content.decode()
    assert html.count('href="#id_title"') == 1  # the summary listed every error twice
    assert f"<title>Edit {proposal.acronym} ·" in html and "RENAMED ·" not in html
    assert 'value="RENAMED"' in html  # what was typed stays in the field


def test_sign_in_says_its_error_once(client):
    UserFactory(email="anna@example.org")
    response = client.post(reverse("login"), {"username": "anna@example.org", "password": "nope"})
    html = response.content.decode()
    assert html.count("Please enter a correct email address and password") == 1
    assert "data-error-summary" in html


def test_the_password_reset_pages_have_an_error_summary(client):
    html = client.post(reverse("password_reset"), {"email": "not an address"}).content.decode()
    assert "data-error-summary" in html and "No link was sent" in html


def test_only_the_owner_is_offered_archiving(proposal, owner_client):
    editor = UserFactory()
    proposal.co_editors.add(editor)
    co_editor = Client()
    co_editor.force_login(editor)
    details = reverse("alliances:proposal_update", args=[proposal.pk])
    assert "Archive proposal" in owner_client.get(details).content.decode()
    assert "Archive proposal" not in co_editor.get(details).content.decode()


def test_my_proposals_says_where_archived_ones_are_when_none_is_active(proposal, owner, owner_client):
    services.proposal_archive(proposal=proposal, actor=owner)
    html = owner_client.get(reverse("home")).content.decode()
    assert "You have no active proposals." in html and "You have no proposals yet" not in html
    assert reverse("alliances:proposal_archived_list") in html
    newcomer = Client()
    newcomer.force_login(UserFactory())
    assert "You have no proposals yet." in newcomer.get(reverse("home")).content.decode()


def test_an_archived_proposal_offers_no_editing_control(proposal, owner, owner_client):
    """Every control stayed active on an archived proposal, and what was typed was thrown away on Save."""
    services.proposal_archive(proposal=proposal, actor=owner)
    builder = owner_client.get(reverse("alliances:builder", args=[proposal.pk])).content.decode()
    assert "This proposal was archived on" in builder
    assert 'id="add-participant"' not in builder
    assert not re.search(r"/participants/\d+/(edit|remove)/", builder)
    details = owner_client.get(reverse("alliances:proposal_update", args=[proposal.pk])).content.decode()
    assert "its details are read-only" in details and "<fieldset disabled>" in details
    assert "Save details" not in details and "Add co-editor" not in details
    assert "Restore proposal" in details
