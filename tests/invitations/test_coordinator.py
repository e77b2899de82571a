"""The coordinator's side: invite, re-send, revoke from the builder page; permissions; the audit trail."""

import pytest
from django.urls import reverse

from alliances.models import Participation, ParticipationStatus
from invitations.models import EventKind, Invitation, InvitationStatus, ParticipationEvent
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def url(name, participation):
    return reverse(f"invitations:{name}", args=[participation.proposal_id, participation.pk])


def post(client, name, participation, capture, htmx=True):
    headers = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    with capture(execute=True):
        return client.post(url(name, participation), **headers)


def test_invite_queues_the_email_on_commit_and_marks_the_participation_invited(
    coordinator_client, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = coordinator_client.post(url("send", proposal.invitee), HTTP_HX_REQUEST="true")

    # Nothing is sent inside the request's transaction: the send is an on-commit callback.
    assert response.status_code == 200
    assert mailoutbox == []
    assert len(callbacks) >= 1
    invitation = Invitation.objects.get(participation=proposal.invitee)
    assert invitation.status == InvitationStatus.QUEUED and invitation.token_hash is None
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.INVITED
    for callback in callbacks:
        callback()
    assert len(mailoutbox) == 1
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.SENT and invitation.sent_at and invitation.token_hash
    # The htmx answer: the participant's row, the audit trail out of band.
    html = response.content.decode()
    assert f'id="participation-{proposal.invitee.pk}"' in html
    assert 'id="audit-trail"' in html and 'hx-swap-oob="true"' in html
    assert response["HX-Retarget"] == f"#participation-{proposal.invitee.pk}"


def test_without_htmx_the_action_redirects_to_the_builder(
    coordinator_client, proposal, django_capture_on_commit_callbacks
):
    response = post(
        coordinator_client, "send", proposal.invitee, django_capture_on_commit_callbacks, htmx=False
    )
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("alliances:builder", args=[proposal.pk]))


def test_one_live_invitation_per_participation(
    coordinator_client, proposal, invite, django_capture_on_commit_callbacks
):
    invite(proposal.invitee)

    response = post(coordinator_client, "send", proposal.invitee, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    assert "already has an open invitation" in response.content.decode()
    assert Invitation.objects.filter(participation=proposal.invitee).count() == 1


def test_resend_replaces_the_live_invitation(
    coordinator_client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    old, _token = invite(proposal.invitee)

    post(coordinator_client, "resend", proposal.invitee, django_capture_on_commit_callbacks)

    old.refresh_from_db()
    assert old.status == InvitationStatus.SUPERSEDED
    new = Invitation.objects.exclude(pk=old.pk).get(participation=proposal.invitee)
    assert new.status == InvitationStatus.SENT
    assert len(mailoutbox) == 2


def test_revoke(coordinator_client, proposal, invite, django_capture_on_commit_callbacks):
    invitation, _token = invite(proposal.invitee)

    response = post(coordinator_client, "revoke", proposal.invitee, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    invitation.refresh_from_db()
    assert invitation.status == InvitationStatus.REVOKED and invitation.revoked_at
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.PROPOSED
    again = post(coordinator_client, "revoke", proposal.invitee, django_capture_on_commit_callbacks)
    assert "nothing to revoke" in again.content.decode()


def test_no_contact_email_no_invitation(coordinator_client, proposal, django_capture_on_commit_callbacks):
    Participation.objects.filter(pk=proposal.invitee.pk).update(contact_email="")

    response = post(coordinator_client, "send", proposal.invitee, django_capture_on_commit_callbacks)

    assert "Add the contact" in response.content.decode()
    assert not Invitation.objects.exists()


def test_an_account_whose_address_is_unproven_sends_no_invitation(
    coordinator_client, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    """The email gives its sender's address for the partner to write to (and as Reply-To): someone signed up
    as a rector's address invited partners in the rector's name."""
    from django.contrib.auth import get_user_model

    get_user_model().objects.filter(pk=proposal.owner_id).update(email_confirmed_at=None)

    response = post(coordinator_client, "send", proposal.invitee, django_capture_on_commit_callbacks)

    assert "confirm your email address first" in response.content.decode()
    assert not Invitation.objects.exists() and mailoutbox == []
    assert Participation.objects.get(pk=proposal.invitee.pk).status != ParticipationStatus.INVITED


def test_confirmed_participation_cannot_be_invited(
    coordinator_client, proposal, django_capture_on_commit_callbacks
):
    confirmed = proposal.participations.exclude(pk=proposal.invitee.pk).first()
    Participation.objects.filter(pk=confirmed.pk).update(contact_email="x@example.org")

    response = post(coordinator_client, "send", confirmed, django_capture_on_commit_callbacks)

    assert "already confirmed" in response.content.decode()
    assert not Invitation.objects.exists()


@pytest.mark.parametrize("name", ["send", "resend", "revoke"])
def test_others_get_404_and_change_nothing(client, proposal, name, django_capture_on_commit_callbacks):
    client.force_login(UserFactory())
    assert post(client, name, proposal.invitee, django_capture_on_commit_callbacks).status_code == 404
    assert not Invitation.objects.exists()
    # A participation of another proposal under this proposal's URL.
    assert client.post(f"/proposals/{proposal.pk}/participants/999999/invitation/{name}/").status_code == 404


@pytest.mark.parametrize("name", ["send", "resend", "revoke"])
def test_anonymous_is_sent_to_sign_in_and_get_is_refused(client, coordinator_client, proposal, name):
    from django.test import Client

    anonymous = Client().post(url(name, proposal.invitee))
    assert anonymous.status_code == 302 and "/accounts/" in anonymous["Location"]
    assert coordinator_client.get(url(name, proposal.invitee)).status_code == 405
    assert not Invitation.objects.exists()


def test_co_editor_may_invite(client, proposal, django_capture_on_commit_callbacks):
    editor = UserFactory()
    proposal.co_editors.add(editor)
    client.force_login(editor)

    post(client, "send", proposal.invitee, django_capture_on_commit_callbacks)

    invitation = Invitation.objects.get()
    assert invitation.created_by == editor


def test_audit_trail_records_every_change_with_time_and_actor(
    coordinator_client, client, proposal, invite, django_capture_on_commit_callbacks
):
    from django.test import Client

    invitation, token = invite(proposal.invitee)
    partner = Client()
    partner.get(f"/invite/{token}/")
    with django_capture_on_commit_callbacks(execute=True):
        partner.post(
            f"/invite/answer/{invitation.pk}/confirm/",
            {"contact-contact_email": "pablo@fabrica.example", "org-city": "Madrid"},
        )

    events = list(
        ParticipationEvent.objects.filter(participation=proposal.invitee).order_by("created_at", "id")
    )
    kinds = [(e.kind, e.actor_kind) for e in events]
    assert kinds == [
        (EventKind.CREATED, "user"),
        (EventKind.STATUS_CHANGED, "user"),
        (EventKind.SENT, "user"),
        (EventKind.OPENED, "invitation"),
        (EventKind.ORGANISATION_CORRECTED, "invitation"),
        (EventKind.CONFIRMED, "invitation"),
        (EventKind.STATUS_CHANGED, "invitation"),
    ]
    assert all(e.created_at for e in events)
    assert events[1].actor == proposal.owner
    assert (events[1].from_status, events[1].to_status) == ("proposed", "invited")
    assert (events[-1].from_status, events[-1].to_status) == ("invited", "confirmed")

    fragment = coordinator_client.get(reverse("invitations:audit_trail", args=[proposal.pk]))
    html = fragment.content.decode()
    assert "via invitation" in html and "Clara Coordinator" in html
    assert "Invitation confirmed" in html and "Confirmed" in html
    assert ">7 events</span>" in html  # what the badge counts: events (it read as 7 invitations)
    # Nobody else sees it.
    client.force_login(UserFactory())
    assert client.get(reverse("invitations:audit_trail", args=[proposal.pk])).status_code == 404


def test_builder_page_shows_each_invitation_status_with_dates_and_buttons(
    coordinator_client, client, proposal, invite, django_capture_on_commit_callbacks
):
    builder = reverse("alliances:builder", args=[proposal.pk])
    page = coordinator_client.get(builder).content.decode()
    assert f'action="{url("send", proposal.invitee)}"' in page

    invitation, token = invite(proposal.invitee)
    page = coordinator_client.get(builder).content.decode()
    assert 'data-invitation-status="sent"' in page
    assert f'action="{url("resend", proposal.invitee)}"' in page
    assert f'action="{url("revoke", proposal.invitee)}"' in page
    assert 'id="audit-trail"' in page and "Invitation sent" in page

    # Opening changes no version of the proposal, and still shows (the page is cached by version).
    client.get(f"/invite/{token}/")
    page = coordinator_client.get(builder).content.decode()
    assert 'data-invitation-status="opened"' in page and "Invitation opened" in page

    with django_capture_on_commit_callbacks(execute=True):
        client.post(
            f"/invite/answer/{invitation.pk}/confirm/", {"contact-contact_email": "pablo@fabrica.example"}
        )
    page = coordinator_client.get(builder).content.decode()
    assert 'data-invitation-status="confirmed"' in page
    assert f'action="{url("resend", proposal.invitee)}"' not in page


@pytest.mark.parametrize("name", ["send", "resend", "revoke"])
def test_a_participant_removed_as_it_is_invited_gets_the_table_as_it_is_not_a_500(
    coordinator_client, proposal, invite, name, monkeypatch, django_capture_on_commit_callbacks
):
    """The removal commits between the page's request and the invitation's lock (forced here): the
    service's lock found no participant, a 500 (7 of 7 runs of two threads)."""
    from invitations import services

    invitee = proposal.invitee
    if name != "send":
        invite(invitee)
    called = {"send": "invitation_create", "resend": "invitation_resend", "revoke": "invitation_revoke_open"}
    action = called[name]
    real = getattr(services, action)

    def removed_first(**kwargs):
        Participation.objects.filter(pk=invitee.pk).delete()
        return real(**kwargs)

    monkeypatch.setattr(services, action, removed_first)
    response = post(coordinator_client, name, invitee, django_capture_on_commit_callbacks)

    assert response.status_code == 200
    html = response.content.decode()
    assert "no longer in the consortium" in html
    assert response["HX-Retarget"] == "#participants"
    assert f'id="participation-{invitee.pk}"' not in html
    assert not Participation.objects.filter(pk=invitee.pk).exists()


def test_an_action_on_a_participant_already_removed_refreshes_the_table_with_why(
    coordinator_client, proposal, django_capture_on_commit_callbacks
):
    invitee = proposal.invitee
    Participation.objects.filter(pk=invitee.pk).delete()
    for name in ("send", "resend", "revoke"):
        response = post(coordinator_client, name, invitee, django_capture_on_commit_callbacks)
        assert response.status_code == 200 and "no longer in the consortium" in response.content.decode()
    for name in ("participation_edit", "participation_remove", "participation_row"):
        path = reverse(f"alliances:{name}", args=[proposal.pk, invitee.pk])
        method = coordinator_client.get if name == "participation_row" else coordinator_client.post
        response = method(path, {"version": proposal.version}, HTTP_HX_REQUEST="true")
        assert response.status_code == 200, name
        assert "no longer in the consortium" in response.content.decode(), name
    # Outside the builder (no htmx) it is the 404 of any unknown address.
    assert (
        post(coordinator_client, "send", invitee, django_capture_on_commit_callbacks, htmx=False).status_code
        == 404
    )


def test_re_send_from_a_page_older_than_the_partners_decline_sends_nothing(
    coordinator_client, proposal, invite, mailoutbox, django_capture_on_commit_callbacks
):
    """The page still showed Re-send; the partner had declined since: it re-invited without a word."""
    from invitations import services

    invitation, _token = invite(proposal.invitee)
    with django_capture_on_commit_callbacks(execute=True):
        services.invitation_decline(invitation_id=invitation.pk, token_hash=invitation.token_hash)
    sent = len(mailoutbox)

    response = post(coordinator_client, "resend", proposal.invitee, django_capture_on_commit_callbacks)

    html = response.content.decode()
    assert "has declined: nothing was sent. To ask again, use Invite again." in html  # the button's words
    assert len(mailoutbox) == sent
    assert Invitation.objects.filter(participation=proposal.invitee).count() == 1
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.DECLINED


def test_a_long_history_says_older_events_are_not_shown_and_shows_them_on_request(
    coordinator_client, proposal
):
    """A normal consortium's one round of invitations passes 50 events: the history says what it leaves out
    (the badge said 50 of 54, silently), and shows every event when asked."""
    for index in range(53):
        ParticipationEvent.objects.create(
            proposal=proposal, kind=EventKind.OPENED, subject=f"Partner {index:02d}", actor_kind="invitation"
        )
    url = reverse("invitations:audit_trail", args=[proposal.pk])

    shown = coordinator_client.get(url).content.decode()
    assert ">50+ events</span>" in shown and "The 50 newest events are shown; older ones are not." in shown
    assert "Partner 52" in shown and "Partner 02" not in shown

    everything = coordinator_client.get(url, {"all": "1"}).content.decode()
    assert ">53 events</span>" in everything and "older ones are not" not in everything
    assert all(f"Partner {index:02d}" in everything for index in range(53))


def test_a_confirmed_partners_role_changed_is_proposed_again_and_the_trail_says_why(
    coordinator_client, proposal, invite, django_capture_on_commit_callbacks
):
    """The partner confirmed as full partner; the coordinator made it the applicant, and it stayed
    "Confirmed": the confirmed checklist counted an applicant that had never agreed to be one."""
    from django.test import Client

    invitation, token = invite(proposal.invitee)
    partner = Client()
    partner.get(f"/invite/{token}/")
    organisation = proposal.invitee.organisation
    with django_capture_on_commit_callbacks(execute=True):
        partner.post(
            f"/invite/answer/{invitation.pk}/confirm/",
            {
                "org-legal_name": organisation.legal_name,
                "org-city": organisation.city,
                "contact-contact_name": "Pablo Partner",
                "contact-contact_email": "pablo@fabrica.example",
                "role_shown": "full_partner",
            },
        )
    assert Participation.objects.get(pk=proposal.invitee.pk).status == ParticipationStatus.CONFIRMED
    proposal.refresh_from_db()
    edit = f"/proposals/{proposal.pk}/participants/{proposal.invitee.pk}/edit/"
    contact = {"contact_name": "Pablo Partner", "contact_email": "pablo@fabrica.example"}

    with django_capture_on_commit_callbacks(execute=True):
        response = coordinator_client.post(
            edit, {"role": "associated_partner", **contact, "version": proposal.version}, follow=True
        )

    participation = Participation.objects.get(pk=proposal.invitee.pk)
    assert (participation.role, participation.status) == ("associated_partner", ParticipationStatus.PROPOSED)
    html = response.content.decode()
    assert (
        "It had confirmed as a full partner, so it is proposed again: invite it to confirm its new role."
        in html
    )
    event = ParticipationEvent.objects.filter(kind=EventKind.STATUS_CHANGED).latest("pk")
    assert (event.from_status, event.to_status, event.actor_id) == (
        "confirmed",
        "proposed",
        proposal.owner_id,
    )
    trail = coordinator_client.get(f"/proposals/{proposal.pk}/").content.decode()
    said = "its role changed from a full partner to an associated partner, which it has not confirmed"
    assert said in trail
    # The confirmed checklist no longer counts it; a contact changed alone keeps a confirmation.
    proposal.refresh_from_db()
    assert organisation.legal_name not in str(proposal.eligibility_report.confirmed)
    with django_capture_on_commit_callbacks(execute=True):
        Participation.objects.filter(pk=participation.pk).update(status=ParticipationStatus.CONFIRMED)
        coordinator_client.post(
            edit,
            {
                "role": "associated_partner",
                **contact,
                "contact_name": "Pablo P.",
                "version": proposal.version,
            },
        )
    assert Participation.objects.get(pk=participation.pk).status == ParticipationStatus.CONFIRMED
