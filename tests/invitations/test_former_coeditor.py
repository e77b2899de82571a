"""An invitation names and notifies whoever sent it only while they may edit the proposal: once a co-editor
is removed, the owner takes their place on the partner's pages, as Reply-To, and as the answer's recipient."""

import datetime

import pytest
import time_machine
from django.test import Client

from alliances import coeditors as alliance_coeditors
from invitations import tasks
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(proposal):
    editor = UserFactory(email="eddie@example.org", first_name="Eddie", last_name="Editor")
    proposal.co_editors.add(editor)
    return editor


def remove_co_editor(proposal, editor):
    proposal.refresh_from_db()
    alliance_coeditors.coeditor_remove(
        proposal=proposal, user=editor, actor=proposal.owner, expected_version=proposal.version
    )


def test_a_co_editors_invitation_names_them_while_they_edit(client, proposal, editor, invite, mailoutbox):
    _invitation, token = invite(proposal.invitee, actor=editor)

    assert mailoutbox[-1].reply_to == ["eddie@example.org"]
    assert "Eddie Editor" in mailoutbox[-1].body
    assert "eddie@example.org" in client.get(f"/invite/{token}/", follow=True).content.decode()


def test_a_removed_co_editors_invitation_names_and_notifies_the_owner(
    client, proposal, editor, invite, mailoutbox, django_capture_on_commit_callbacks
):
    invitation, token = invite(proposal.invitee, actor=editor)
    remove_co_editor(proposal, editor)

    page = client.get(f"/invite/{token}/", follow=True).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        done = client.post(
            f"/invite/answer/{invitation.pk}/decline/", {"decline-reason": "Budget cut"}, follow=True
        )
    used_link = Client().get(f"/invite/{token}/", follow=True)

    for html in (page, done.content.decode(), used_link.content.decode()):
        assert "Clara Coordinator" in html and "clara@example.org" in html
        assert "Eddie" not in html and "eddie@example.org" not in html
    notification = mailoutbox[-1]
    assert notification.to == ["clara@example.org"]
    assert "Budget cut" in notification.body


def test_a_removed_co_editors_invitation_is_reminded_from_the_owner(
    proposal, editor, invite, mailoutbox, settings
):
    invitation, _token = invite(proposal.invitee, actor=editor)
    remove_co_editor(proposal, editor)

    with time_machine.travel(
        invitation.expires_at - datetime.timedelta(days=settings.INVITATION_REMINDER_DAYS - 1)
    ):
        assert tasks.send_reminders() == 1

    reminder = mailoutbox[-1]
    assert reminder.subject.startswith("Reminder")
    assert reminder.reply_to == ["clara@example.org"]
    assert "Clara Coordinator" in reminder.body and "Eddie" not in reminder.body
