"""The proposal form offers the durations the editions allow, and checks the chosen edition's."""

import pytest
from django.urls import reverse

from alliances.models import Proposal
from eligibility.models import Edition
from tests.factories import edition

pytestmark = pytest.mark.django_db


def details(year, months):
    return {
        "title": "Green skills",
        "acronym": "GREEN",
        "edition": edition(year).pk,
        "duration_months": str(months),
        "aims": ["skills-relevance"],
    }


@pytest.fixture
def thirty_months_in_2027(db):
    Edition.objects.filter(year=2027).update(durations=[24, 30, 36])


def test_the_form_offers_what_the_editions_allow(owner_client, thirty_months_in_2027):
    form = owner_client.get(reverse("alliances:proposal_create")).context["form"]
    assert [months for months, _label in form.fields["duration_months"].choices] == [24, 30, 36]
    assert form["duration_months"].value() == 24  # the newest edition's shortest


def test_a_duration_of_the_chosen_edition_is_accepted(owner_client, thirty_months_in_2027):
    response = owner_client.post(reverse("alliances:proposal_create"), details(2027, 30))
    assert response.status_code == 302
    assert Proposal.objects.get(acronym="GREEN").duration_months == 30


def test_a_duration_of_another_edition_is_refused(owner_client, thirty_months_in_2027):
    response = owner_client.post(reverse("alliances:proposal_create"), details(2026, 30))
    assert response.status_code == 400
    errors = " ".join(response.context["form"].errors["duration_months"])
    assert "Not a duration of the 2026 edition" in errors and "24 months, 36 months" in errors
    assert not Proposal.objects.exists()
    # said at the top of the page too, each error a link to its field
    page = response.content.decode()
    summary = page[page.index("data-error-summary") :]
    assert "Nothing was saved: correct what is marked below." in summary
    assert 'href="#id_duration_months' in summary


def test_bytes_that_are_no_text_are_refused_not_saved_as_replacement_characters(owner_client):
    """Invalid UTF-8 (`%ff`) or an encoded lone surrogate (`%ED%A0%80`) was saved as "�", then shown on
    pages, in exports and in their file names."""
    body = (
        f"title=Surr%ED%A0%80gate&acronym=S%ff&edition={edition(2027).pk}&duration_months=24"
        "&aims=skills-relevance"
    )
    response = owner_client.post(
        reverse("alliances:proposal_create"), body, content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 400
    errors = response.context["form"].errors
    assert "could not be read" in " ".join(errors["title"]) and "could not be read" in " ".join(
        errors["acronym"]
    )
    assert not Proposal.objects.exists()
