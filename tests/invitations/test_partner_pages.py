"""The partner's link: what each kind of link does, and that no misuse changes anything."""

import logging
import re

import pytest
import time_machine
from django.db import connection
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from alliances.models import Participation, ParticipationStatus
from eligibility.models import EligibilityReport
from invitations import delivery, services, tokens
from invitations.models import EventKind, Invitation, InvitationStatus, ParticipationEvent
from partners.models import Organisation, OrganisationChangeRequest
from tests.factories import OrganisationFactory

pytestmark = pytest.mark.django_db


def answer_url(invitation):
    return f"/invite/answer/{invitation.pk}/"


def confirm_data(organisation, **overrides):
    data = {
        "org-legal_name": organisation.legal_name,
        "org-acronym": organisation.acronym,
        "org-pic": organisation.pic,
        "org-oid": organisation.oid,
        "org-city": organisation.city,
        "org-website": organisation.website,
        "contact-contact_name": "Pablo Partner",
        "contact-contact_email": "pablo@fabrica.example",
    }
    data.update(overrides)
    return data


def state(proposal):
    """Everything a link could change."""
    participation = Participation.objects.get(pk=proposal.invitee.pk)
    organisation = Organisation.objects.get(pk=participation.organisation_id)
    return (
        participation.status,
        participation.contact_email,
        organisation.pic,
        organisation.city,
        list(Invitation.objects.order_by("pk").values_list("status", "answered_at")),
    )


# --- Given a valid link ---------------------------------------------------------------------------------


def test_valid_link_redirects_to_a_url_without_the_token_and_shows_the_invitation(client, proposal, invite):
    invitation, token = invite(proposal.invitee)

    response = client.get(f"/invite/{token}/")

    assert response.status_code == 302
    assert response["Location"] == answer_url(invitation)
    assert token not in response["Location"]
    assert response["Referrer-Policy"] == "no-referrer"
    page = client.get(response["Location"])
    assert page.status_code == 200
    html = page.content.decode()
    assert token not in html
    # Token-free: the site's policy (no-referrer would make browsers send `Origin: null`, failing CSRF).
    assert page["Referrer-Policy"] == "same-origin"
    for text in (
        "GREENMAKE",
        "Green Manufacturing Skills Alliance",
        "Skills for the green transition",
        "Clara Coordinator",
        proposal.invitee.organisation.legal_name,
        "Full partner",
        "The consortium so far",
    ):
        assert text in html, text
    # The whole consortium is listed.
    for participation in proposal.participations.select_related("organisation"):
        assert participation.organisation.legal_name in html


def test_get_changes_nothing_but_the_opened_bookkeeping(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    before = state(proposal)

    client.get(f"/invite/{token}/", follow=True)
    client.get(f"/invite/{token}/", follow=True)  # an email scanner, then the partner

    participation = Participation.objects.get(pk=proposal.invitee.pk)
    assert participation.status == ParticipationStatus.INVITED == before[0]
    assert state(proposal)[1:4] == before[1:4]
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.OPENED and invitation.answered_at is None
    assert ParticipationEvent.objects.filter(kind=EventKind.OPENED).count() == 1
    # Still usable.
    assert client.get(answer_url(invitation)).status_code == 200


def test_confirm_with_corrections(client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks):
    invitation, token = invite(proposal.invitee)
    organisation = proposal.invitee.organisation
    client.get(f"/invite/{token}/")
    assert EligibilityReport.objects.get(proposal=proposal).confirmed_status == "not_eligible"

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{answer_url(invitation)}confirm/",
            confirm_data(
                organisation,
                **{
                    "org-pic": "912 345 678",
                    "org-city": "Sevilla",
                    "contact-contact_email": "p.partner@fabrica.example",
                },
            ),
        )

    assert response.status_code == 302
    assert token not in response["Location"]
    done = client.get(response["Location"])
    assert done.status_code == 200 and "confirmed" in done.content.decode()
    participation = Participation.objects.get(pk=proposal.invitee.pk)
    assert participation.status == ParticipationStatus.CONFIRMED
    assert participation.contact_email == "p.partner@fabrica.example"
    organisation.refresh_from_db()
    assert (organisation.pic, organisation.city) == ("912345678", "Sevilla")
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.CONFIRMED and invitation.answered_at
    # Eligibility re-evaluated: the eighth full partner is confirmed.
    assert EligibilityReport.objects.get(proposal=proposal).confirmed_status == "eligible"
    kinds = list(ParticipationEvent.objects.filter(invitation=invitation).values_list("kind", "actor_kind"))
    assert (EventKind.CONFIRMED, "invitation") in kinds
    assert (EventKind.ORGANISATION_CORRECTED, "invitation") in kinds
    assert (EventKind.STATUS_CHANGED, "invitation") in kinds
    # The coordinator is told.
    assert mailoutbox[-1].to == ["clara@example.org"]
    assert "confirmed" in mailoutbox[-1].subject


def test_the_partner_corrects_the_name_and_the_coordinator_reads_what_changed(
    client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    """A record only this proposal uses: the partner's name and acronym are saved at once, the coordinator's
    email lists each change, and the audit trail names the fields as people read them."""
    invitation, token = invite(proposal.invitee)
    organisation = proposal.invitee.organisation
    old_name = organisation.legal_name
    client.get(f"/invite/{token}/")
    page = client.get(answer_url(invitation)).content.decode()
    assert 'name="org-legal_name"' in page and 'name="org-acronym"' in page
    assert "the coordinator corrects them" in page  # the country and type: said, not offered

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{answer_url(invitation)}confirm/",
            confirm_data(organisation, **{"org-legal_name": "Fábrica Andaluza S.L.", "org-acronym": "FASL"}),
        )

    assert response.status_code == 302
    organisation.refresh_from_db()
    assert (organisation.legal_name, organisation.acronym) == ("Fábrica Andaluza S.L.", "FASL")
    email = mailoutbox[-1]
    assert email.to == ["clara@example.org"]
    assert "They corrected their organisation's details:" in email.body
    assert f"- Legal name: {old_name} → Fábrica Andaluza S.L.\n- Acronym: " in email.body  # the form's order
    assert "→ FASL" in email.body
    html = email.alternatives[0][0]
    assert "Fábrica Andaluza S.L.</li>" in html
    coordinator = Client()
    coordinator.force_login(proposal.owner)
    trail = coordinator.get(reverse("invitations:audit_trail", args=[proposal.pk])).content.decode()
    assert "Organisation details corrected: acronym, legal name" in trail


def test_a_correction_of_a_shared_record_waits_for_a_curator_and_the_email_says_so(
    client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    organisation = proposal.invitee.organisation
    Organisation.objects.filter(pk=organisation.pk).update(verified=True)
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{answer_url(invitation)}confirm/",
            confirm_data(organisation, **{"org-legal_name": "Fábrica Andaluza S.L."}),
        )

    assert response.status_code == 302
    assert Organisation.objects.get(pk=organisation.pk).legal_name == organisation.legal_name
    request = OrganisationChangeRequest.objects.get(organisation=organisation)
    assert request.changes == {"legal_name": {"old": organisation.legal_name, "new": "Fábrica Andaluza S.L."}}
    assert "a curator reviews them first:" in mailoutbox[-1].body
    assert "→ Fábrica Andaluza S.L." in mailoutbox[-1].body


@pytest.mark.parametrize("decision", ["approve", "reject"])
def test_the_coordinator_reads_the_curators_decision_in_the_audit_trail(
    client, proposal, invite, admin_user, decision, django_capture_on_commit_callbacks
):
    """The builder said "sent for review", then nothing: only the partner was told the outcome."""
    from partners import curation

    organisation = proposal.invitee.organisation
    Organisation.objects.filter(pk=organisation.pk).update(verified=True)
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"{answer_url(invitation)}confirm/", confirm_data(organisation, **{"org-city": "Sevilla"})
        )
    request = OrganisationChangeRequest.objects.get(organisation=organisation)

    with django_capture_on_commit_callbacks(execute=True):
        if decision == "approve":
            curation.change_request_approve(change_request_id=request.pk, reviewer=admin_user)
        else:
            curation.change_request_reject(
                change_request_id=request.pk, reviewer=admin_user, note="The city is Dos Hermanas."
            )

    event = ParticipationEvent.objects.get(invitation=invitation, kind__startswith="correction_")
    assert (event.actor_kind, event.actor) == ("curator", None)  # the curator's name is not shown
    coordinator = Client()
    coordinator.force_login(proposal.owner)
    trail = coordinator.get(reverse("invitations:audit_trail", args=[proposal.pk])).content.decode()
    if decision == "approve":
        assert "Correction of the organisation&#x27;s details approved: city" in trail
    else:
        assert "Correction of the organisation&#x27;s details rejected: city" in trail
        assert "Note from the curator: “The city is Dos Hermanas.”" in trail
    assert "(by a curator)" in trail


def test_a_coordinators_own_correction_decided_writes_nothing_in_the_invitations_trail(
    proposal, admin_user, django_capture_on_commit_callbacks
):
    from partners import curation
    from partners.models import ChangeRequestOrigin

    organisation = proposal.invitee.organisation
    request = curation.change_request_create(
        organisation=organisation,
        changes={"city": {"old": organisation.city, "new": "Sevilla"}},
        origin=ChangeRequestOrigin.COORDINATOR,
        requested_by=proposal.owner,
    )
    proposal.corrections_requested.add(request)
    curation.change_request_reject(change_request_id=request.pk, reviewer=admin_user)

    assert not ParticipationEvent.objects.filter(kind__startswith="correction_").exists()


def test_a_name_another_record_has_in_that_country_is_refused_with_what_to_do(client, proposal, invite):
    organisation = proposal.invitee.organisation
    other = OrganisationFactory(legal_name="Fábrica Andaluza S.L.", country=organisation.country)
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    before = state(proposal)

    response = client.post(
        f"{answer_url(invitation)}confirm/",
        confirm_data(organisation, **{"org-legal_name": other.legal_name}),
    )

    assert response.status_code == 400
    assert "ask the coordinator to add that record to the consortium instead" in response.content.decode()
    assert state(proposal) == before
    assert Organisation.objects.get(pk=organisation.pk).legal_name == organisation.legal_name


def test_a_name_stored_before_the_checks_does_not_stop_the_partner_correcting_the_city(
    client, proposal, invite, django_capture_on_commit_callbacks
):
    """A zero-width space the checks now refuse, in a name stored before them: the partner, who cannot see
    it, was told to remove it to confirm a new city (found by a review)."""
    organisation = proposal.invitee.organisation
    Organisation.objects.filter(pk=organisation.pk).update(legal_name="Fábrica\u200b Andaluza")
    organisation.refresh_from_db()
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    shown = {
        f"initial-{key}": value for key, value in confirm_data(organisation).items() if key.startswith("org-")
    }
    # Typed anew, the name is checked.
    refused = client.post(
        f"{answer_url(invitation)}confirm/",
        {**confirm_data(organisation, **{"org-legal_name": "Fábrica\u200b Andaluza S.L."}), **shown},
    )
    assert refused.status_code == 400

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{answer_url(invitation)}confirm/",
            {**confirm_data(organisation, **{"org-city": "Sevilla"}), **shown},
        )

    assert response.status_code == 302
    saved = Organisation.objects.get(pk=organisation.pk)
    assert (saved.legal_name, saved.city) == ("Fábrica\u200b Andaluza", "Sevilla")


def test_a_page_from_before_the_name_was_on_it_leaves_the_name_as_it_is(
    client, proposal, invite, django_capture_on_commit_callbacks
):
    """A partner who opened the page before its form had the name sends no name at all: not an empty one."""
    invitation, token = invite(proposal.invitee)
    organisation = proposal.invitee.organisation
    client.get(f"/invite/{token}/")
    data = confirm_data(organisation, **{"org-city": "Sevilla"})
    del data["org-legal_name"], data["org-acronym"]

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"{answer_url(invitation)}confirm/", data)

    assert response.status_code == 302
    saved = Organisation.objects.get(pk=organisation.pk)
    assert (saved.legal_name, saved.acronym, saved.city) == (
        organisation.legal_name,
        organisation.acronym,
        "Sevilla",
    )


def test_a_role_changed_since_the_page_opened_is_not_confirmed(
    client, proposal, invite, django_capture_on_commit_callbacks
):
    """The partner saw "as full partner"; the coordinator made it an associated partner meanwhile; its
    confirmation was recorded for a role it was never shown."""
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    shown = proposal.invitee.role
    Participation.objects.filter(pk=proposal.invitee.pk).update(role="associated_partner")
    organisation = proposal.invitee.organisation

    response = client.post(
        f"{answer_url(invitation)}confirm/", {**confirm_data(organisation), "role_shown": shown}
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "changed your role to an associated partner since this page opened: nothing was confirmed" in html
    assert "as an associated partner." in html  # the page shows the role as it is now
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.INVITED
    # Confirmed from the page as it is now, it goes through.
    with django_capture_on_commit_callbacks(execute=True):
        again = client.post(
            f"{answer_url(invitation)}confirm/",
            {**confirm_data(organisation), "role_shown": "associated_partner"},
        )
    assert again.status_code == 302
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.CONFIRMED


def test_declining_asks_first_and_the_browser_may_fill_the_partners_contact(client, proposal, invite):
    """One stray tap on a phone declined for good; the contact fields had no autocomplete (WCAG 1.3.5)."""
    _invitation, token = invite(proposal.invitee)
    page = client.get(f"/invite/{token}/", follow=True).content.decode()
    assert f'data-confirm="Decline taking part in {proposal.acronym}?' in page
    assert 'name="contact-contact_name"' in page and 'autocomplete="name"' in page
    assert 'name="contact-contact_email"' in page and 'autocomplete="email"' in page


def test_decline_with_a_reason(client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"{answer_url(invitation)}decline/", {"decline-reason": "No capacity this year."}
        )

    assert response.status_code == 302
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.DECLINED
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.DECLINED
    assert invitation.decline_reason == "No capacity this year."
    assert "declined" in mailoutbox[-1].subject
    assert "No capacity this year." in mailoutbox[-1].body


def test_invalid_corrections_are_refused_and_change_nothing(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    other = Organisation.objects.exclude(pk=proposal.invitee.organisation_id).first()
    other.pic = "999888777"
    other.save()
    before = state(proposal)

    bad_pic = client.post(
        f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation, **{"org-pic": "12"})
    )
    taken_pic = client.post(
        f"{answer_url(invitation)}confirm/",
        confirm_data(proposal.invitee.organisation, **{"org-pic": "999888777"}),
    )
    bad_email = client.post(
        f"{answer_url(invitation)}confirm/",
        confirm_data(proposal.invitee.organisation, **{"contact-contact_email": "not an email"}),
    )
    too_long = client.post(f"{answer_url(invitation)}decline/", {"decline-reason": "x" * 5000})

    assert [r.status_code for r in (bad_pic, taken_pic, bad_email, too_long)] == [400, 400, 400, 400]
    assert "already belongs to" in taken_pic.content.decode()
    assert state(proposal) == before
    assert token not in bad_pic.content.decode()


def test_a_refused_answer_says_so_at_the_top_with_a_link_to_each_field(client, proposal, invite):
    """On a phone the form is far down the page: what went wrong is said first, each error a link."""
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")

    page = client.post(
        f"{answer_url(invitation)}confirm/",
        confirm_data(
            proposal.invitee.organisation, **{"org-pic": "12345", "contact-contact_email": "not an email"}
        ),
    ).content.decode()

    summary = page[page.index("data-error-summary") : page.index("</ul>", page.index("data-error-summary"))]
    assert page.index("data-error-summary") < page.index("<h1")
    assert "Your answer was not sent" in summary
    assert 'href="#id_org-pic"' in summary and 'href="#id_contact-contact_email"' in summary


def test_the_answer_addresses_opened_show_the_invitation_rather_than_an_empty_405(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    before = state(proposal)
    for action in ("confirm", "decline"):
        response = client.get(f"{answer_url(invitation)}{action}/")
        assert response.status_code == 302 and response["Location"] == answer_url(invitation), action
    assert client.get(answer_url(invitation)).status_code == 200
    assert state(proposal) == before


def test_the_outcome_of_a_correction_goes_to_the_address_the_link_was_sent_to(client, proposal, invite):
    from partners.models import OrganisationChangeRequest

    organisation = proposal.invitee.organisation
    Organisation.objects.filter(pk=organisation.pk).update(verified=True)  # so: a change request
    organisation.refresh_from_db()
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")

    client.post(
        f"{answer_url(invitation)}confirm/",
        confirm_data(
            organisation,
            **{"org-website": "https://spam.example/", "contact-contact_email": "anyone@victim.example"},
        ),
    )

    assert (
        OrganisationChangeRequest.objects.get().requester_email == invitation.email != "anyone@victim.example"
    )


# --- Dead links -----------------------------------------------------------------------------------------


def dead_link_refused(client, token, proposal, reason, status=410):
    before = state(proposal)
    response = client.get(f"/invite/{token}/", follow=True)
    assert response.status_code == status
    html = response.content.decode()
    assert f'data-reason="{reason}"' in html
    assert token not in html
    assert state(proposal) == before
    return html


def test_used_link_says_already_answered_and_changes_nothing(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    client.post(f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation))

    html = dead_link_refused(Client(), token, proposal, "answered")
    assert "already answered" in html and "clara@example.org" in html
    # The same browser, posting again: refused too.
    again = client.post(f"{answer_url(invitation)}decline/", {"decline-reason": "changed my mind"})
    assert again.status_code == 410
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.CONFIRMED


def test_an_archived_proposal_takes_no_answer_until_restored(client, proposal, invite):
    from alliances import services as alliance_services

    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    proposal.refresh_from_db()
    alliance_services.proposal_archive(proposal=proposal, actor=proposal.owner)
    before = state(proposal)

    page = client.get(answer_url(invitation))
    confirmed = client.post(f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation))
    declined = client.post(f"{answer_url(invitation)}decline/", {"decline-reason": "no"})

    assert [page.status_code, confirmed.status_code, declined.status_code] == [410, 410, 410]
    assert "This proposal is archived" in confirmed.content.decode()
    # It works again once restored: no new invitation to ask for.
    assert "who can send you a new invitation" not in confirmed.content.decode()
    assert state(proposal) == before
    proposal.refresh_from_db()
    alliance_services.proposal_restore(proposal=proposal, actor=proposal.owner)
    assert client.get(answer_url(invitation)).status_code == 200


def test_expired_link(client, proposal, invite, settings):
    invitation, token = invite(proposal.invitee)
    with time_machine.travel(
        timezone.now() + timezone.timedelta(days=settings.INVITATION_TTL_DAYS, seconds=1)
    ):
        html = dead_link_refused(client, token, proposal, "expired")
        assert "expired" in html
        # A page opened before the expiry cannot confirm after it.
        response = client.post(
            f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation)
        )
        assert response.status_code == 410
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.INVITED


def test_link_still_works_just_before_expiry(client, proposal, invite, settings):
    invitation, token = invite(proposal.invitee)
    with time_machine.travel(invitation.expires_at - timezone.timedelta(seconds=5)):
        response = client.get(f"/invite/{token}/", follow=True)
        assert response.status_code == 200


def test_revoked_link(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")  # opened before the revocation
    services.invitation_revoke(invitation=invitation, actor=proposal.owner)

    html = dead_link_refused(Client(), token, proposal, "revoked")
    assert "revoked" in html
    response = client.post(f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation))
    assert response.status_code == 410
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.PROPOSED


def test_revoked_link_points_to_the_newer_invitation(client, proposal, invite):
    """Revoked, then invited again at the same address: the old link says a newer email has a working one,
    rather than to ask the coordinator for what they have sent."""
    old, old_token = invite(proposal.invitee)
    services.invitation_revoke(invitation=old, actor=proposal.owner)
    invite(Participation.objects.get(pk=proposal.invitee.pk))

    html = dead_link_refused(client, old_token, proposal, "revoked")
    assert "sent you a newer invitation since: use the link in the most recent email" in html
    assert "who can send you a new invitation" not in html


def test_revoked_link_of_a_former_address_sends_to_the_coordinator(client, proposal, invite):
    """Invited again at another address: the old address has no newer email, so it is told whom to ask."""
    old, old_token = invite(proposal.invitee)
    services.invitation_revoke(invitation=old, actor=proposal.owner)
    Participation.objects.filter(pk=proposal.invitee.pk).update(contact_email="someone.else@example.org")
    invite(Participation.objects.get(pk=proposal.invitee.pk))

    html = dead_link_refused(client, old_token, proposal, "revoked")
    assert "newer invitation" not in html
    assert "who can send you a new invitation" in html


def test_resent_link_kills_the_old_one(client, proposal, invite):
    old, old_token = invite(proposal.invitee)
    _new, new_token = invite(proposal.invitee, resend=True)

    assert old_token != new_token
    dead_link_refused(client, old_token, proposal, "superseded")
    assert Client().get(f"/invite/{new_token}/", follow=True).status_code == 200
    old.refresh_from_db()
    assert old.status == InvitationStatus.SUPERSEDED


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: tokens.new_token()[0], id="forged"),
        pytest.param(lambda t: t[:-1] + ("A" if t[-1] != "A" else "B"), id="tampered"),
        pytest.param(lambda t: t[:-1], id="too-short"),
        pytest.param(lambda t: t + "A", id="too-long"),
        pytest.param(lambda t: "x" * 300, id="very-long"),
        pytest.param(lambda t: t[:20] + "%00" + t[23:], id="nul-byte"),
        pytest.param(lambda t: t[:20] + "é" + t[21:], id="non-ascii"),
    ],
)
def test_unknown_links_are_404_and_change_nothing(client, proposal, invite, mangle):
    _invitation, token = invite(proposal.invitee)
    bad = mangle(token)
    before = state(proposal)

    response = client.get(f"/invite/{bad}/")

    assert response.status_code == 404
    assert 'data-reason="unknown"' in response.content.decode()
    assert state(proposal) == before
    assert not any(key.startswith("invitation:") for key in client.session.keys())  # noqa: SIM118 (a session is no dict)


def test_answer_page_without_the_link_in_the_session_is_refused(client, proposal, invite):
    invitation, _token = invite(proposal.invitee)

    page = client.get(answer_url(invitation))
    post = client.post(f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation))

    assert page.status_code == post.status_code == 404
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.INVITED
    assert client.get("/invite/answer/999999/").status_code == 404


def test_post_without_csrf_is_refused(proposal, invite):
    invitation, token = invite(proposal.invitee)
    browser = Client(enforce_csrf_checks=True)
    page = browser.get(f"/invite/{token}/", follow=True)
    assert page.status_code == 200

    response = browser.post(f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation))

    assert response.status_code == 403
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.INVITED
    # With the token from the page's form, it goes through.
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    ok = browser.post(
        f"{answer_url(invitation)}confirm/",
        {**confirm_data(proposal.invitee.organisation), "csrfmiddlewaretoken": csrf},
    )
    assert ok.status_code == 302


def test_token_never_logged_after_the_first_redirect(client, proposal, invite, caplog):
    invitation, token = invite(proposal.invitee)
    caplog.set_level(logging.DEBUG)

    first = client.get(f"/invite/{token}/")
    caplog.clear()
    responses = [client.get(first["Location"])]
    responses.append(
        client.post(f"{answer_url(invitation)}confirm/", confirm_data(proposal.invitee.organisation))
    )
    responses.append(client.get(responses[-1]["Location"]))
    responses.append(client.get(f"{answer_url(invitation)}"))  # now 410

    for response in responses:
        assert token not in response.content.decode()
        assert token not in response.get("Location", "")
        assert all(token not in value for value in response.headers.values())
    assert token not in caplog.text


def test_the_database_holds_no_raw_token(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/", follow=True)
    delivery.invitation_issue_reminder  # noqa: B018 (reminder links are covered in test_tasks)

    tables = connection.introspection.table_names()
    with connection.cursor() as cursor:
        for table in tables:
            cursor.execute(f'SELECT CAST(t AS text) FROM "{table}" t')  # every row as text
            for (row,) in cursor.fetchall():
                assert token not in row, table
    invitation.refresh_from_db()
    assert invitation.token_hash == tokens.token_hash(token)


# --- Rate limit -----------------------------------------------------------------------------------------


def test_failed_lookups_are_rate_limited_per_client_address(
    proposal, invite, settings, django_assert_num_queries
):
    settings.INVITATION_LOOKUP_RATE = "3/m"
    _invitation, token = invite(proposal.invitee)
    attacker = Client(REMOTE_ADDR="203.0.113.9")
    for _ in range(3):
        assert attacker.get(f"/invite/{tokens.new_token()[0]}/").status_code == 404

    with django_assert_num_queries(0):
        blocked = attacker.get(f"/invite/{tokens.new_token()[0]}/")
    assert blocked.status_code == 429
    assert 'data-reason="rate_limited"' in blocked.content.decode()
    # Even a valid link is not looked up from that address now; another address is not affected.
    assert attacker.get(f"/invite/{token}/").status_code == 429
    assert Client(REMOTE_ADDR="198.51.100.7").get(f"/invite/{token}/").status_code == 302
    # The window passes.
    with time_machine.travel(timezone.now() + timezone.timedelta(minutes=2)):
        pass  # (the cache's own clock decides; covered by the window length, not re-tested here)


@pytest.mark.parametrize(
    "data",
    [
        {},
        {"contact-contact_email": "a@b.example", "org-website": "javascript:alert(1)"},
        {"contact-contact_email": "a@b.example", "contact-contact_name": "x\x00y"},
        {"contact-contact_email": "a@b.example", "org-oid": "E1234"},
        {"contact-contact_email": "a@b.example" * 100},
        {"contact-contact_email": "a@b.example", "org-city": "x" * 500},
    ],
    ids=["empty", "script-url", "nul", "bad-oid", "long-email", "long-city"],
)
def test_bad_input_gets_a_message_never_a_500(client, proposal, invite, data):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    before = state(proposal)

    response = client.post(f"{answer_url(invitation)}confirm/", data)

    assert response.status_code == 400
    assert 'class="invalid-feedback' in response.content.decode() or "is-invalid" in response.content.decode()
    assert state(proposal) == before


def test_nul_in_decline_reason_is_refused(client, proposal, invite):
    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    response = client.post(f"{answer_url(invitation)}decline/", {"decline-reason": "no\x00"})
    assert response.status_code == 400
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.INVITED


def test_removed_participant_link_is_unknown_and_the_trail_stays(client, proposal, invite):
    from alliances import services as alliance_services

    invitation, token = invite(proposal.invitee)
    proposal.refresh_from_db()
    alliance_services.participation_remove(
        participation=proposal.invitee, actor=proposal.owner, expected_version=proposal.version
    )

    response = client.get(f"/invite/{token}/")
    assert response.status_code == 404
    # Not only "check the link": it says the invitation may have been withdrawn with the participant.
    assert "taken your organisation out of the consortium" in response.content.decode()
    events = ParticipationEvent.objects.filter(proposal=proposal)
    assert events.count() >= 3
    assert set(events.values_list("subject", flat=True)) == {proposal.invitee.organisation.legal_name}
    assert not Invitation.objects.filter(pk=invitation.pk).exists()


def test_answering_after_the_participant_was_removed_says_so(client, proposal, invite):
    """The partner's page was open (the link opened in this browser) when the coordinator took the
    organisation out: confirming, declining or reloading says the invitation was withdrawn with it, not
    'open the link from your email', which they did."""
    from alliances import services as alliance_services

    invitation, token = invite(proposal.invitee)
    client.get(f"/invite/{token}/")
    proposal.refresh_from_db()
    alliance_services.participation_remove(
        participation=proposal.invitee, actor=proposal.owner, expected_version=proposal.version
    )

    for response in [
        client.post(f"{answer_url(invitation)}confirm/", {"contact-contact_email": "p@example.org"}),
        client.post(f"{answer_url(invitation)}decline/", {"decline-reason": ""}),
        client.get(answer_url(invitation)),
    ]:
        html = response.content.decode()
        assert response.status_code == 410
        assert "took your organisation out of the consortium" in html
        assert "Open the link from your email" not in html
    # A browser that never opened the link is still told to open it.
    client.logout()
    assert "Open the link from your email" in client.get(answer_url(invitation)).content.decode()


def test_a_removal_between_the_page_check_and_the_answer_says_so(proposal, invite):
    from alliances import services as alliance_services
    from invitations import services, tokens

    invitation, token = invite(proposal.invitee)
    proposal.refresh_from_db()
    alliance_services.participation_remove(
        participation=proposal.invitee, actor=proposal.owner, expected_version=proposal.version
    )
    with pytest.raises(services.InvitationUnavailable) as refused:
        services.invitation_decline(
            invitation_id=invitation.pk, token_hash=tokens.token_hash(token), reason=""
        )
    assert refused.value.reason == "removed"
