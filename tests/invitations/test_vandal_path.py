"""Issue 13's story, end to end through the invite link: a new account adds a shared organisation (TU Berlin,
in another coordinator's consortium) to a proposal of its own, invites itself and "confirms" with a new
website, no PIC or OID and a false Erasmus code. Nothing the other coordinator sees changes; the edits wait
for a curator as a change request, and the proposals using TU Berlin say so at once."""

import datetime

import pytest
import time_machine
from django.test import Client
from django.urls import reverse

from alliances.models import ParticipationStatus, Role
from eligibility.models import EligibilityReport
from partners import curation
from partners.models import ChangeRequestOrigin, ChangeRequestStatus, Organisation, OrganisationChangeRequest
from tests.factories import (
    ELIGIBLE_CONSORTIUM,
    OrganisationFactory,
    ParticipationFactory,
    ProposalFactory,
    UserFactory,
    country,
    edition,
    org_type,
)
from tests.html_forms import fields_of
from tests.partners.eche_helpers import import_list, write_list

from .conftest import token_from

pytestmark = pytest.mark.django_db

VALID = ("01-01-2021", "31-12-2027")
TU_WEBSITE = "https://www.tu.berlin/"
VANDAL = {
    "org-website": "https://tu-berlin.vandal.example/",
    "org-pic": "",
    "org-oid": "",
    "org-erasmus_code": "D  FALSE01",
    "org-city": "Berlin",
    "contact-contact_name": "Not TU Berlin",
    "contact-contact_email": "vandal@vandal.example",
}


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime.datetime(2026, 11, 25, 12, tzinfo=datetime.UTC), tick=False):
        yield


@pytest.fixture
def tu_berlin(db, tmp_path, django_capture_on_commit_callbacks):
    import_list(
        write_list(
            tmp_path / "list.xlsx", [("D  BERLIN02", "999986678", "E10209450", "TU Berlin", "DE", *VALID)]
        )
    )
    with django_capture_on_commit_callbacks(execute=True):
        organisation = OrganisationFactory(
            legal_name="Technische Universität Berlin",
            acronym="TU Berlin",
            hei=True,
            erasmus_code="D  BERLIN02",
            pic="999986678",
            oid="E10209450",
            website=TU_WEBSITE,
        )
    organisation.refresh_from_db()
    assert organisation.eche_status == "valid"
    return organisation


@pytest.fixture
def clara_proposal(tu_berlin, coordinator, django_capture_on_commit_callbacks):
    """Another coordinator's eligible consortium, TU Berlin its applicant: its ECHE criterion passes."""
    with django_capture_on_commit_callbacks(execute=True):
        proposal = ProposalFactory(owner=coordinator, edition=edition(2026), acronym="CLARA")
        for code, slug, role in ELIGIBLE_CONSORTIUM:
            organisation = (
                tu_berlin
                if role == Role.APPLICANT
                else OrganisationFactory(
                    country=country(code), type=org_type(slug), eche_status="not_required"
                )
            )
            ParticipationFactory(
                proposal=proposal, organisation=organisation, role=role, status=ParticipationStatus.CONFIRMED
            )
    return proposal


def eche_criterion(proposal) -> str:
    report = EligibilityReport.objects.get(proposal=proposal)
    return next(item["status"] for item in report.confirmed["criteria"] if item["code"] == "eche")


def visible_record(organisation) -> tuple:
    organisation = Organisation.objects.get(pk=organisation.pk)
    return (
        organisation.website,
        organisation.pic,
        organisation.oid,
        organisation.erasmus_code,
        organisation.eche_status,
    )


def test_the_vandal_path_changes_nothing_another_coordinator_sees(
    client, coordinator, clara_proposal, tu_berlin, mailoutbox, django_capture_on_commit_callbacks
):
    # Given Clara's consortium passes its ECHE criterion with TU Berlin
    assert eche_criterion(clara_proposal) == "pass"
    before = visible_record(tu_berlin)
    # and a brand-new account with a proposal of its own
    vandal = UserFactory(email="new-account@vandal.example")
    vandal_client = Client()
    vandal_client.force_login(vandal)
    own = ProposalFactory(owner=vandal, edition=edition(2026), acronym="MINE")
    # When it adds TU Berlin, invites itself...
    response = vandal_client.post(
        reverse("alliances:participation_add", args=[own.pk]),
        {
            "organisation": tu_berlin.pk,
            "role": Role.FULL_PARTNER,
            "contact_name": "Me",
            "contact_email": "vandal@vandal.example",
            "version": own.version,
        },
    )
    assert response.status_code in (200, 302)
    participation = own.participations.get(organisation=tu_berlin)
    with django_capture_on_commit_callbacks(execute=True):
        vandal_client.post(
            reverse("invitations:send", kwargs={"pk": own.pk, "participation_id": participation.pk})
        )
    token = token_from(mailoutbox[-1])
    # ...opens the link and "confirms" with a new website, no PIC or OID and a false Erasmus code
    partner = Client()
    answer = partner.get(f"/invite/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        confirmed = partner.post(f"{answer['Location']}confirm/", VANDAL)

    # Then the confirmation went through
    assert confirmed.status_code == 302, confirmed.content.decode()[:2000]
    participation.refresh_from_db()
    assert participation.status == ParticipationStatus.CONFIRMED
    assert "sent for review" in partner.get(confirmed["Location"]).content.decode()
    # but the shared record, its ECHE status and Clara's criterion are as they were
    assert visible_record(tu_berlin) == before
    assert eche_criterion(clara_proposal) == "pass"
    clara = Client()
    clara.force_login(coordinator)
    page = clara.get(reverse("organisation_detail", args=[tu_berlin.pk])).content.decode()
    assert TU_WEBSITE in page
    assert "vandal.example" not in page
    # and the edits wait for a curator, from the invite link, with the partner's address to answer to
    change_request = OrganisationChangeRequest.objects.get(organisation=tu_berlin)
    assert change_request.status == ChangeRequestStatus.PENDING
    assert change_request.origin == ChangeRequestOrigin.INVITATION
    assert change_request.requester_email == "vandal@vandal.example"
    assert change_request.changes == {
        "website": {"old": TU_WEBSITE, "new": "https://tu-berlin.vandal.example/"},
        "pic": {"old": "999986678", "new": ""},
        "oid": {"old": "E10209450", "new": ""},
        "erasmus_code": {"old": "D  BERLIN02", "new": "D  FALSE01"},
    }
    # and the vandal's builder says a correction is pending, at once (its cached table rendered again);
    # Clara's builder and her organisation page say nothing of it
    pending = "Correction pending review"
    assert pending in vandal_client.get(reverse("alliances:builder", args=[own.pk])).content.decode()
    assert pending not in clara.get(reverse("alliances:builder", args=[clara_proposal.pk])).content.decode()
    assert pending not in page


def test_a_partner_of_a_record_only_its_proposal_has_corrects_it_at_once(
    client, proposal, invite, django_capture_on_commit_callbacks
):
    _invitation, token = invite(proposal.invitee)
    organisation = proposal.invitee.organisation
    answer = client.get(f"/invite/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"{answer['Location']}confirm/",
            {
                "org-website": "https://fabrica.example/",
                "org-pic": "912345678",
                "org-city": "Sevilla",
                "contact-contact_email": "pablo@fabrica.example",
            },
            follow=True,
        )
    organisation.refresh_from_db()
    assert (organisation.website, organisation.pic, organisation.city) == (
        "https://fabrica.example/",
        "912345678",
        "Sevilla",
    )
    assert not OrganisationChangeRequest.objects.exists()
    # The page that thanks the partner says so (it said nothing; a correction sent for review was said).
    assert "details are saved" in done.content.decode()


def test_a_partner_page_opened_before_the_coordinators_correction_does_not_undo_it(
    client, proposal, invite, django_capture_on_commit_callbacks
):
    """The partner's form sent every field it showed: a website the coordinator corrected while the partner
    read the page went back to the old one when the partner corrected the city."""
    _invitation, token = invite(proposal.invitee)
    organisation = proposal.invitee.organisation
    answer = client.get(f"/invite/{token}/")
    page = client.get(answer["Location"]).content.decode()
    shown = {name: value for name, value in fields_of(page).items() if "org-" in name}
    curation.organisation_apply_changes(
        organisation=Organisation.objects.get(pk=organisation.pk),
        changes={"website": {"old": organisation.website, "new": "https://corrected.example/"}},
    )
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{answer['Location']}confirm/",
            {**shown, "org-city": "Sevilla", "contact-contact_email": "pablo@fabrica.example"},
        )
    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.city, organisation.website) == ("Sevilla", "https://corrected.example/")


def test_a_partner_correction_taking_another_records_identifier_is_refused(client, proposal, invite):
    OrganisationFactory(legal_name="Holder of the PIC", pic="955555555")
    invitation, token = invite(proposal.invitee)
    organisation = proposal.invitee.organisation
    before = visible_record(organisation)
    answer = client.get(f"/invite/{token}/")
    response = client.post(
        f"{answer['Location']}confirm/",
        {"org-pic": "955555555", "contact-contact_email": "pablo@fabrica.example"},
    )
    assert response.status_code == 400
    assert "Holder of the PIC" in response.content.decode()
    assert visible_record(organisation) == before
    invitation.refresh_from_db()
    assert invitation.answered_at is None
    assert not OrganisationChangeRequest.objects.exists()


def test_a_partner_correction_with_invisible_characters_is_refused(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    before = visible_record(proposal.invitee.organisation)
    answer = client.get(f"/invite/{token}/")
    response = client.post(
        f"{answer['Location']}confirm/",
        {"org-city": "Sev\u202eilla", "contact-contact_email": "pablo@fabrica.example"},
    )
    assert response.status_code == 400
    assert "invisible or control character" in response.content.decode()
    assert visible_record(proposal.invitee.organisation) == before
    invitation.refresh_from_db()
    assert invitation.answered_at is None
