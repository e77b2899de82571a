"""Coordinators' corrections from the organisation page: applied at once to a record only their proposal has,
a change request for any other; the builder says "correction pending review" and, later, the outcome."""

import pytest
from django.contrib import messages
from django.test import Client
from django.urls import reverse

from alliances.models import Role
from partners import curation
from partners.models import ChangeRequestOrigin, ChangeRequestStatus, Organisation, OrganisationChangeRequest
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, UserFactory
from tests.html_forms import fields_of

pytestmark = pytest.mark.django_db


def form_data(organisation, proposal, **changes):
    data = {
        "legal_name": organisation.legal_name,
        "acronym": organisation.acronym,
        "country": organisation.country_id,
        "city": organisation.city,
        "website": organisation.website,
        "type": organisation.type_id,
        "pic": organisation.pic,
        "oid": organisation.oid,
        "erasmus_code": organisation.erasmus_code,
        "proposal": proposal.pk,
        **changes,
    }
    return {f"correct-{name}": value for name, value in data.items()}


def correct(client, organisation, proposal, **changes):
    return client.post(
        reverse("organisation_correct", args=[organisation.pk]), form_data(organisation, proposal, **changes)
    )


def record(organisation) -> tuple:
    organisation = Organisation.objects.get(pk=organisation.pk)
    return (organisation.legal_name, organisation.city, organisation.website, organisation.pic)


@pytest.fixture
def own_record(proposal, owner):
    """A record only the owner's proposal has, which the owner added."""
    organisation = OrganisationFactory(legal_name="Fabrica Nueva", created_by=owner)
    ParticipationFactory(proposal=proposal, organisation=organisation, role=Role.ASSOCIATED_PARTNER)
    return organisation


@pytest.fixture
def shared_record(proposal):
    """A record another coordinator's proposal has too."""
    organisation = OrganisationFactory(legal_name="Shared Works")
    ParticipationFactory(proposal=proposal, organisation=organisation, role=Role.ASSOCIATED_PARTNER)
    ParticipationFactory(organisation=organisation, role=Role.ASSOCIATED_PARTNER)
    return organisation


def test_a_record_only_the_proposal_has_is_corrected_at_once(owner_client, owner, proposal, own_record):
    response = correct(owner_client, own_record, proposal, city="Sevilla", website="https://fabrica.example/")

    assert response.status_code == 302
    assert record(own_record)[1:3] == ("Sevilla", "https://fabrica.example/")
    assert not OrganisationChangeRequest.objects.exists()
    # Never silently: the proposal's change log says who corrected what.
    activity = proposal.activities.order_by("-version").first()
    assert activity.actor == owner
    assert activity.detail["organisation_corrected"]["city"] == {"old": "Berlin", "new": "Sevilla"}
    # in words: not "You changed a participant", as if its role or contact had changed
    from alliances.templatetags.alliances_tags import activity_text

    assert activity_text(activity, owner).endswith("(its directory record corrected: city, website)")


@pytest.mark.parametrize("why", ["other proposal", "other creator", "verified"])
def test_any_other_record_gets_a_change_request_and_stays_as_it_is(
    owner_client, owner, proposal, own_record, django_capture_on_commit_callbacks, why
):
    if why == "other proposal":
        ParticipationFactory(organisation=own_record, role=Role.ASSOCIATED_PARTNER)
    elif why == "other creator":
        Organisation.objects.filter(pk=own_record.pk).update(created_by=UserFactory())
    else:
        Organisation.objects.filter(pk=own_record.pk).update(verified=True)
    before = record(own_record)

    with django_capture_on_commit_callbacks(execute=True):
        response = correct(owner_client, own_record, proposal, city="Sevilla")

    assert response.status_code == 302
    assert record(own_record) == before
    change_request = OrganisationChangeRequest.objects.get()
    assert change_request.changes == {"city": {"old": "Berlin", "new": "Sevilla"}}
    assert change_request.origin == ChangeRequestOrigin.COORDINATOR
    assert change_request.requested_by == owner
    assert change_request.status == ChangeRequestStatus.PENDING
    page = owner_client.get(reverse("organisation_detail", args=[own_record.pk])).content.decode()
    assert "Correction pending review" in page
    assert "Asked for: City “Berlin” → “Sevilla”" in page  # what it asks, not only that it waits
    # Another user's page of the record says nothing of it.
    other = Client()
    other.force_login(UserFactory())
    other_page = other.get(reverse("organisation_detail", args=[own_record.pk]))
    assert other_page.status_code == 200 and "Asked for" not in other_page.content.decode()


def test_the_same_correction_sent_again_is_asked_once(
    owner_client, owner, proposal, shared_record, django_capture_on_commit_callbacks
):
    """A double click or a form sent again filled the curators' queue with copies."""
    with django_capture_on_commit_callbacks(execute=True):
        for _ in range(3):
            assert correct(owner_client, shared_record, proposal, city="Gotham").status_code == 302
    assert OrganisationChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).count() == 1

    # Another correction, or the same one from someone else, is a request of its own.
    with django_capture_on_commit_callbacks(execute=True):
        correct(owner_client, shared_record, proposal, city="Metropolis")
    other = ProposalFactory(owner=UserFactory())
    ParticipationFactory(proposal=other, organisation=shared_record, role=Role.ASSOCIATED_PARTNER)
    somebody = Client()
    somebody.force_login(other.owner)
    with django_capture_on_commit_callbacks(execute=True):
        correct(somebody, shared_record, other, city="Gotham")
    assert OrganisationChangeRequest.objects.filter(status=ChangeRequestStatus.PENDING).count() == 3


def test_making_a_user_co_editor_does_not_make_their_records_the_owners(owner_client, owner, proposal):
    """An owner adds co-editors without asking them: adding the user who created a record, then the record,
    must not let the owner rewrite it at once (another user's record: a request)."""
    creator = UserFactory(email="creator@example.org")
    theirs = OrganisationFactory(legal_name="Polmetal", city="Lodz", created_by=creator)
    proposal.co_editors.add(creator)
    ParticipationFactory(proposal=proposal, organisation=theirs, role=Role.ASSOCIATED_PARTNER)
    before = record(theirs)

    response = correct(owner_client, theirs, proposal, legal_name="=HYPERLINK(1)", city="Evil")

    assert response.status_code == 302
    assert record(theirs) == before
    assert OrganisationChangeRequest.objects.get().requested_by == owner


def test_a_co_editor_corrects_a_record_they_added_at_once(client, owner, proposal):
    co_editor = UserFactory(email="co@example.org")
    proposal.co_editors.add(co_editor)
    theirs = OrganisationFactory(legal_name="Fabrica Propia", city="Madrid", created_by=co_editor)
    ParticipationFactory(proposal=proposal, organisation=theirs, role=Role.ASSOCIATED_PARTNER)
    client.force_login(co_editor)

    correct(client, theirs, proposal, city="Sevilla")

    assert record(theirs)[1] == "Sevilla"
    assert not OrganisationChangeRequest.objects.exists()


def test_the_builder_shows_a_pending_correction_as_soon_as_it_is_made(
    owner_client, proposal, shared_record, django_capture_on_commit_callbacks
):
    builder = reverse("alliances:builder", args=[proposal.pk])
    assert "Correction pending review" not in owner_client.get(builder).content.decode()  # now cached

    with django_capture_on_commit_callbacks(execute=True):
        correct(owner_client, shared_record, proposal, city="Hamburg")

    assert "Correction pending review" in owner_client.get(builder).content.decode()


def test_only_the_proposal_the_correction_was_asked_through_says_it_is_pending(
    owner_client, owner, proposal, shared_record, django_capture_on_commit_callbacks
):
    """Anyone with the record in a proposal may ask for a correction: the other coordinators' pages stay as
    they were (a request changes nothing they see); the requester's builder and organisation page say it."""
    other = shared_record.participations.exclude(proposal=proposal).get().proposal
    with django_capture_on_commit_callbacks(execute=True):
        correct(owner_client, shared_record, proposal, city="Hamburg")
    client = Client()
    client.force_login(other.owner)
    organisation_page = reverse("organisation_detail", args=[shared_record.pk])

    pending = "Correction pending review"
    assert pending not in client.get(reverse("alliances:builder", args=[other.pk])).content.decode()
    assert pending not in client.get(organisation_page).content.decode()
    assert pending in owner_client.get(organisation_page).content.decode()


def test_the_outcome_is_told_even_after_the_organisation_left_the_proposal(
    owner_client, proposal, shared_record, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        correct(owner_client, shared_record, proposal, city="Hamburg")
    shared_record.participations.filter(proposal=proposal).delete()
    with django_capture_on_commit_callbacks(execute=True):
        curation.change_request_reject(
            change_request_id=OrganisationChangeRequest.objects.get().pk, reviewer=admin_user, note="No"
        )

    page = owner_client.get(reverse("alliances:builder", args=[proposal.pk])).content.decode()

    assert "Your correction to Shared Works (city) was rejected. Note from the curator: No" in page


def test_an_identifier_another_record_holds_is_refused_with_a_clear_message(
    owner_client, proposal, own_record
):
    OrganisationFactory(legal_name="Holder Of The PIC", pic="911111111")
    before = record(own_record)

    response = correct(owner_client, own_record, proposal, pic="911111111")

    assert response.status_code == 400
    assert "Holder Of The PIC" in response.content.decode()
    assert "Nothing was changed: correct what is marked below." in response.content.decode()
    assert record(own_record) == before
    assert not OrganisationChangeRequest.objects.exists()
    # The refused form leaves its address in the bar: opened again (a reload after Back, a bookmark), it is
    # the organisation page, not a 405.
    again = owner_client.get(reverse("organisation_correct", args=[own_record.pk]))
    assert again.status_code == 302 and again["Location"] == reverse(
        "organisation_detail", args=[own_record.pk]
    )


def test_a_request_taking_another_records_identifier_is_refused_by_the_service_too(shared_record):
    OrganisationFactory(legal_name="Holder Of The OID", oid="E12345678")
    with pytest.raises(curation.ValidationError) as refused:
        curation.change_request_create(
            organisation=shared_record,
            changes={"oid": {"old": "", "new": "E12345678"}},
            origin=ChangeRequestOrigin.COORDINATOR,
        )
    assert "Holder Of The OID" in " ".join(refused.value.messages)
    assert not OrganisationChangeRequest.objects.exists()


def test_bad_input_gets_a_message_and_changes_nothing(owner_client, proposal, own_record):
    before = record(own_record)
    for changes in ({"pic": "12"}, {"legal_name": "Fabrica\u202eNueva"}, {"website": "not a url"}):
        response = correct(owner_client, own_record, proposal, **changes)
        assert response.status_code == 400, changes
    assert record(own_record) == before
    assert not OrganisationChangeRequest.objects.exists()


def test_only_editors_of_a_proposal_with_the_record_may_correct_it(client, proposal, own_record, stranger):
    before = record(own_record)
    client.force_login(stranger)
    stranger_proposal = ProposalFactory(owner=stranger)

    page = client.get(reverse("organisation_detail", args=[own_record.pk])).content.decode()
    assert "Correct this record" not in page
    assert correct(client, own_record, proposal, city="X").status_code == 403
    assert correct(client, own_record, stranger_proposal, city="X").status_code == 403
    assert record(own_record) == before
    assert not OrganisationChangeRequest.objects.exists()


def test_the_outcome_is_told_once_in_the_builder(
    owner_client, proposal, shared_record, admin_user, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        correct(owner_client, shared_record, proposal, city="Hamburg")
        correct(owner_client, shared_record, proposal, website="https://shared.example/")
    first, second = OrganisationChangeRequest.objects.order_by("pk")
    with django_capture_on_commit_callbacks(execute=True):
        curation.change_request_approve(change_request_id=first.pk, reviewer=admin_user, note="Checked")
        curation.change_request_reject(
            change_request_id=second.pk, reviewer=admin_user, note="Not their site"
        )
    builder = reverse("alliances:builder", args=[proposal.pk])

    page = owner_client.get(builder).content.decode()

    assert "Your correction to Shared Works (city) was approved. Note from the curator: Checked" in page
    assert (
        "Your correction to Shared Works (website) was rejected. Note from the curator: Not their site"
        in page
    )
    assert record(shared_record)[1:3] == ("Hamburg", "")
    assert "Correction pending review" not in page
    assert "Your correction" not in owner_client.get(builder).content.decode()


def test_unverified_records_say_so_wherever_they_are_shown(owner_client, proposal, own_record):
    verified = OrganisationFactory(legal_name="Verified Institute", verified=True)
    ParticipationFactory(proposal=proposal, organisation=verified, role=Role.ASSOCIATED_PARTNER)
    pages = {
        "builder": reverse("alliances:builder", args=[proposal.pk]),
        "organisation page": reverse("organisation_detail", args=[own_record.pk]),
        "directory": reverse("partners:organisation_list") + "?q=Fabrica",
        "search": reverse("alliances:organisation_search", args=[proposal.pk]) + "?q=Fabrica",
    }
    for name, url in pages.items():
        assert "Unverified" in owner_client.get(url).content.decode(), name

    verified_page = owner_client.get(reverse("organisation_detail", args=[verified.pk])).content.decode()
    assert "Unverified" not in verified_page


def test_suggestions_say_unverified_too(owner_client, owner, make_proposal):
    from tests.factories import ELIGIBLE_CONSORTIUM, country

    short = make_proposal(ELIGIBLE_CONSORTIUM[:3], owner=owner)  # too few full partners: suggestions
    # Unverified, but used before by this coordinator: worth suggesting, with the word.
    suggested = OrganisationFactory(legal_name="Suggested Works", country=country("PL"))
    ParticipationFactory(proposal=ProposalFactory(owner=owner), organisation=suggested)

    page = owner_client.get(reverse("alliances:suggestions", args=[short.pk])).content.decode()

    assert "Suggested Works" in page
    assert "Unverified" in page


def test_a_rejection_stays_on_screen_until_closed_and_a_confirmation_leaves_by_itself(rf):
    from django.contrib.messages.storage.base import Message
    from django.template.loader import render_to_string

    html = render_to_string(
        "includes/messages.html",
        {"messages": [Message(messages.SUCCESS, "Approved."), Message(messages.WARNING, "Rejected.")]},
    )

    approved, rejected = html.split("Approved.")
    assert "data-autodismiss" in approved and "data-autodismiss" not in rejected


def shown_form(client, organisation) -> dict:
    """The correction form's fields as the organisation page sent them, the values they showed included."""
    page = client.get(reverse("organisation_detail", args=[organisation.pk])).content.decode()
    form = page[page.index('id="correct"') :]
    return fields_of(form[: form.index("</form>")])


def test_a_form_opened_before_another_correction_does_not_undo_it(owner_client, proposal, own_record):
    """The partner's new PIC and website, applied while the coordinator's page was open, were reset by the
    coordinator's correction of the city alone."""
    shown = shown_form(owner_client, own_record)
    assert shown["initial-correct-city"] == own_record.city
    curation.organisation_apply_changes(
        organisation=Organisation.objects.get(pk=own_record.pk),
        changes={
            "pic": {"old": "", "new": "123123123"},
            "website": {"old": "", "new": "https://new.example"},
        },
    )

    response = owner_client.post(
        reverse("organisation_correct", args=[own_record.pk]),
        {**shown, "correct-city": "Sevilla", "correct-proposal": proposal.pk},
    )

    assert response.status_code == 302
    assert record(own_record)[1:] == ("Sevilla", "https://new.example", "123123123")
    activity = proposal.activities.order_by("-version").first()
    assert set(activity.detail["organisation_corrected"]) == {"city"}


def test_an_account_asks_for_a_limited_number_of_corrections_a_day(
    owner_client, proposal, shared_record, settings
):
    """A script sent 25 requests to one shared record in 2.6 s: each in the curators' queue, each marking
    every proposal with the record."""
    settings.CHANGE_REQUESTS_PER_ACCOUNT_PER_DAY = 3
    for city in ["Uno", "Dos", "Tres"]:
        assert correct(owner_client, shared_record, proposal, city=city).status_code == 302
    response = correct(owner_client, shared_record, proposal, city="Cuatro")
    assert response.status_code == 400
    assert "as many as one account may" in response.content.decode()
    assert OrganisationChangeRequest.objects.count() == 3


def test_the_same_name_box_is_offered_only_for_a_name_another_record_has(owner_client, proposal, own_record):
    """It was always there, "This is a different organisation with the same name", asking a question no one
    had asked; it comes with the refusal that asks it, and then lets the correction through."""
    box = "This is a different organisation with the same name"
    page = owner_client.get(reverse("organisation_detail", args=[own_record.pk])).content.decode()
    assert "Correct this record" in page and box not in page
    OrganisationFactory(legal_name="Fabrica Vieja", country=own_record.country)

    refused = correct(owner_client, own_record, proposal, legal_name="Fabrica Vieja")

    assert refused.status_code == 400 and box in refused.content.decode()
    correct(owner_client, own_record, proposal, legal_name="Fabrica Vieja", confirm_not_duplicate="on")
    assert record(own_record)[0] == "Fabrica Vieja"
