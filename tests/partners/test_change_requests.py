"""Curators review change requests in the admin: differences side by side, approve or reject with a note,
an audit trail; approval re-validates and applies in one transaction; the partner is emailed the outcome."""

import re

import pytest
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.urls import reverse

from partners import curation
from partners.models import ChangeRequestOrigin, ChangeRequestStatus, Organisation
from partners.tasks import send_change_request_outcome
from tests.factories import OrganisationFactory, UserFactory

pytestmark = pytest.mark.django_db
CHANGELIST = reverse("admin:partners_organisationchangerequest_changelist")


@pytest.fixture
def organisation(db):
    return OrganisationFactory(legal_name="Shared Works", city="Berlin", pic="912345678", verified=True)


@pytest.fixture
def change_request(organisation):
    return curation.change_request_create(
        organisation=organisation,
        changes={
            "city": {"old": "Berlin", "new": "Potsdam"},
            "pic": {"old": "912345678", "new": "933333333"},
        },
        origin=ChangeRequestOrigin.INVITATION,
        requester_email="partner@shared.example",
        context="Proposal “GREEN”, invitation to partner@shared.example",
    )


def review(client, change_request, action, **extra):
    return client.post(CHANGELIST, {"action": action, ACTION_CHECKBOX_NAME: [change_request.pk], **extra})


def test_the_request_page_shows_old_and_new_side_by_side(admin_client, change_request):
    page = admin_client.get(
        reverse("admin:partners_organisationchangerequest_change", args=[change_request.pk])
    ).content.decode()
    for text in ("Now in the directory", "When requested", "Requested", "Berlin", "Potsdam", "933333333"):
        assert text in page
    assert ">City<" in page and ">city<" not in page  # headings as a table has them, beside "PIC"
    assert "Shared Works" in admin_client.get(CHANGELIST).content.decode()


def test_a_pending_request_is_decided_from_its_own_page(admin_client, change_request, organisation):
    """Its page has Approve… and Reject…, which lead to the list actions' confirmation (the page offered only
    Close); a decided request's page offers neither."""
    page_url = reverse("admin:partners_organisationchangerequest_change", args=[change_request.pk])
    page = admin_client.get(page_url).content.decode()
    decision = re.search(
        r'<form method="post" action="([^"]+)" class="change-request-decision">(.*?)</form>', page, re.S
    )
    assert decision.group(1) == CHANGELIST
    fields = dict(re.findall(r'<input type="hidden" name="(\w+)" value="([^"]*)"', decision.group(2)))
    assert fields[ACTION_CHECKBOX_NAME] == str(change_request.pk)
    assert re.findall(r'<button type="submit" name="action" value="(\w+)"', decision.group(2)) == [
        "approve",
        "reject",
    ]

    confirm_page = admin_client.post(CHANGELIST, {**fields, "action": "reject"})
    assert "Reject this request?" in confirm_page.content.decode()  # one: "these requests?" read as several
    assert "At most 500 characters." in confirm_page.content.decode()  # the note's limit, said
    assert admin_client.post(CHANGELIST, {**fields, "action": "reject", "confirm": "yes"}).status_code == 302
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequestStatus.REJECTED
    assert "change-request-decision" not in admin_client.get(page_url).content.decode()


def test_approving_asks_for_a_note_then_applies_and_logs_it(
    admin_client, admin_user, change_request, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    confirm_page = review(admin_client, change_request, "approve")
    assert confirm_page.status_code == 200
    assert "Potsdam" in confirm_page.content.decode()
    assert Organisation.objects.get(pk=organisation.pk).city == "Berlin"  # nothing yet

    with django_capture_on_commit_callbacks(execute=True):
        done = review(
            admin_client,
            change_request,
            "approve",
            confirm="yes",
            review_note="Matches the PIC register\nand the website",
        )

    assert done.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.city, organisation.pic) == ("Potsdam", "933333333")
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequestStatus.APPROVED
    assert change_request.reviewed_by == admin_user
    assert change_request.reviewed_at is not None
    assert change_request.review_note == "Matches the PIC register\nand the website"
    logged = {entry.object_repr: entry.get_change_message() for entry in LogEntry.objects.all()}
    assert "Approved: Matches the PIC register" in logged[str(change_request)]
    assert "change request #" in logged[str(organisation)]
    assert [message.to for message in mailoutbox] == [["partner@shared.example"]]
    assert "approved" in mailoutbox[0].subject
    assert "Matches the PIC register" in mailoutbox[0].body
    assert "Matches the PIC register<br>and the website" in mailoutbox[0].alternatives[0][0]  # its lines kept


def test_rejecting_changes_nothing_and_tells_the_partner_after_commit(
    admin_client, change_request, organisation, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        review(admin_client, change_request, "reject", confirm="yes", review_note="Not your organisation")
    assert mailoutbox == []  # nothing before the decision commits
    for callback in callbacks:
        callback()

    assert Organisation.objects.get(pk=organisation.pk).city == "Berlin"
    change_request.refresh_from_db()
    assert (change_request.status, change_request.review_note) == (
        ChangeRequestStatus.REJECTED,
        "Not your organisation",
    )
    assert len(mailoutbox) == 1
    assert "Not your organisation" in mailoutbox[0].body
    assert "Not your organisation" in mailoutbox[0].alternatives[0][0]
    # A redelivered task does not email twice.
    assert send_change_request_outcome.delay(change_request.pk).get() is False
    assert len(mailoutbox) == 1


def test_approval_re_checks_the_identifiers(admin_client, change_request, organisation):
    OrganisationFactory(legal_name="Took The PIC Meanwhile", pic="933333333")

    response = review(admin_client, change_request, "approve", confirm="yes")

    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    assert any("Took The PIC Meanwhile" in message for message in messages), messages
    assert Organisation.objects.get(pk=organisation.pk).pic == "912345678"
    change_request.refresh_from_db()
    assert change_request.status == ChangeRequestStatus.PENDING


def test_a_decided_request_is_not_decided_again(admin_client, admin_user, change_request, organisation):
    curation.change_request_reject(change_request_id=change_request.pk, reviewer=admin_user)
    review(admin_client, change_request, "approve", confirm="yes")
    assert Organisation.objects.get(pk=organisation.pk).city == "Berlin"
    with pytest.raises(curation.ValidationError):
        curation.change_request_approve(change_request_id=change_request.pk, reviewer=admin_user)


def test_staff_without_the_change_permission_cannot_decide(client, change_request, organisation):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_organisationchangerequest"))
    client.force_login(viewer)

    review(client, change_request, "approve", confirm="yes")

    change_request.refresh_from_db()
    assert change_request.status == ChangeRequestStatus.PENDING
    assert Organisation.objects.get(pk=organisation.pk).city == "Berlin"


def test_approval_of_a_new_erasmus_code_re_triggers_the_eche_check(
    admin_user, django_capture_on_commit_callbacks
):
    hei = OrganisationFactory(hei=True, erasmus_code="D  BERLIN99", eche_status="valid")
    request = curation.change_request_create(
        organisation=hei,
        changes={"erasmus_code": {"old": "D  BERLIN99", "new": "D  BERLIN98"}},
        origin=ChangeRequestOrigin.COORDINATOR,
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        curation.change_request_approve(change_request_id=request.pk, reviewer=admin_user)
    hei.refresh_from_db()
    assert (hei.erasmus_code, hei.eche_status) == ("D  BERLIN98", "pending")
    assert callbacks  # the check is queued once this commits


def test_curators_mark_a_record_verified(admin_client):
    organisation = OrganisationFactory(legal_name="Checked Institute")
    page = admin_client.get(reverse("admin:partners_organisation_change", args=[organisation.pk]))
    form = page.context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields if name != "confirm_not_duplicate"}
    data.update({"country": organisation.country_id, "type": organisation.type_id, "verified": "on"})

    response = admin_client.post(reverse("admin:partners_organisation_change", args=[organisation.pk]), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert Organisation.objects.get(pk=organisation.pk).verified


def moves_to_madrid_then_seville(organisation):
    """Two requests on the city, both asked while the record said Berlin."""
    return [
        curation.change_request_create(
            organisation=organisation,
            changes={"city": {"old": "Berlin", "new": city}},
            origin=ChangeRequestOrigin.COORDINATOR,
        )
        for city in ("Madrid", "Seville")
    ]


def test_a_request_whose_old_values_moved_meanwhile_is_not_approved(admin_user, organisation):
    """Two requests on one field, asked while the record said the same: the one approved first stands, and
    the other, approved later (or in the same action), would silently undo it: it is refused."""
    to_madrid, to_seville = moves_to_madrid_then_seville(organisation)
    curation.change_request_approve(change_request_id=to_madrid.pk, reviewer=admin_user)

    with pytest.raises(curation.ValidationError, match="changed since it was requested \\(city\\)"):
        curation.change_request_approve(change_request_id=to_seville.pk, reviewer=admin_user)

    assert Organisation.objects.get(pk=organisation.pk).city == "Madrid"
    to_seville.refresh_from_db()
    assert to_seville.status == ChangeRequestStatus.PENDING  # for the curator to reject, with a note


def test_approving_two_requests_on_one_field_at_once_applies_the_older_only(admin_client, organisation):
    older, newer = moves_to_madrid_then_seville(organisation)

    response = admin_client.post(
        CHANGELIST,
        {"action": "approve", ACTION_CHECKBOX_NAME: [newer.pk, older.pk], "confirm": "yes"},
    )

    assert response.status_code == 302
    messages = [str(message) for message in response.wsgi_request._messages]
    # Named so it is told from the other request for the same record (its organisation alone was not).
    refused = f"Request #{newer.pk} for {organisation}, from {newer.requester_label} was not approved."
    assert any(m.startswith(refused + " The record changed since it was requested") for m in messages), (
        messages
    )
    assert Organisation.objects.get(pk=organisation.pk).city == "Madrid"
    older.refresh_from_db()
    newer.refresh_from_db()
    assert (older.status, newer.status) == (ChangeRequestStatus.APPROVED, ChangeRequestStatus.PENDING)


@pytest.mark.parametrize("action, word", [("approve", "approved"), ("reject", "rejected")])
def test_a_request_decided_in_another_tab_meanwhile_is_said_so_in_the_actions_words(
    admin_client, change_request, monkeypatch, action, word
):
    """Another curator decides it between the confirmation page and its confirmation: a Reject said "was not
    approved"."""
    decide, reject = getattr(curation, f"change_request_{action}"), curation.change_request_reject

    def decided_meanwhile(**kwargs):
        reject(change_request_id=change_request.pk, reviewer=None, note="Other tab")
        return decide(**kwargs)

    monkeypatch.setattr(curation, f"change_request_{action}", decided_meanwhile)
    response = review(admin_client, change_request, action, confirm="yes", review_note="")

    said = [str(message) for message in response.wsgi_request._messages]
    assert said == [f"{change_request.described} was not {word}. This request was already rejected."]


def test_the_desk_opens_on_pending_requests_and_finds_them_as_the_directory_search_does(admin_client):
    """It opened on every status; "łódź" found nothing (accents), nor did a PIC, the record's or the one
    asked for."""
    lodz = OrganisationFactory(legal_name="Politechnika Łódzka", city="Łódź", pic="999886671", verified=True)
    pending = curation.change_request_create(
        organisation=lodz,
        changes={"pic": {"old": "999886671", "new": "934567890"}},
        origin=ChangeRequestOrigin.INVITATION,
        requester_email="p@lodz.example",
    )
    decided = curation.change_request_create(
        organisation=OrganisationFactory(legal_name="Decided Works", verified=True),
        changes={"city": {"old": "", "new": "Graz"}},
        origin=ChangeRequestOrigin.INVITATION,
        requester_email="d@example.org",
    )
    curation.change_request_reject(change_request_id=decided.pk, reviewer=None)

    def listed(query=""):
        return [request.pk for request in admin_client.get(CHANGELIST + query).context["cl"].result_list]

    assert listed() == [pending.pk]
    assert sorted(listed("?status=all")) == sorted([pending.pk, decided.pk])
    assert listed("?status=rejected") == [decided.pk]
    for term in ("łódź", "LODZKA", "lodzka politechnika", "999886671 lodz", "934567890"):
        assert listed(f"?q={term}") == [pending.pk], term
    assert listed("?q=pic&status=all") == []  # the requests' own words (their fields, "old", "new") find none


def test_a_rename_onto_a_name_the_country_has_already_is_pointed_out_to_the_curator(admin_client):
    """Approving it made two records of one name, which the form that creates records refuses without a
    tick; the curator decided without knowing."""
    renamed = OrganisationFactory(legal_name="Shared Works Ltd", verified=True)  # in Germany
    OrganisationFactory(legal_name="Other Works", country=renamed.country, city="Bonn")
    to_other = curation.change_request_create(
        organisation=renamed,
        changes={"legal_name": {"old": "Shared Works Ltd", "new": "OTHER WORKS"}},
        origin=ChangeRequestOrigin.COORDINATOR,
        requested_by=UserFactory(),
    )
    to_free = curation.change_request_create(
        organisation=renamed,
        changes={"legal_name": {"old": "Shared Works Ltd", "new": "Shared Works GmbH"}},
        origin=ChangeRequestOrigin.COORDINATOR,
        requested_by=UserFactory(),
    )

    def page(change_request):
        url = reverse("admin:partners_organisationchangerequest_change", args=[change_request.pk])
        return admin_client.get(url).content.decode()

    assert "Other Works (DE, Bonn) has this name already" in page(to_other)
    assert "has this name already" not in page(to_free)
    asked = review(admin_client, to_other, "approve").content.decode()  # the page that asks for the note
    assert "Other Works (DE, Bonn) has this name already" in asked
