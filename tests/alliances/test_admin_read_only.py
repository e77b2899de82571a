"""Proposals and participants are shown in the admin, not changed there: a change there skipped the builder's
services (a participant moved to another proposal made the builder page of the one it left a 500; an edit made
no new version, so a coordinator's form opened before it saved over it without a word)."""

import pytest
from django.urls import reverse

from alliances.models import Participation, Proposal, Role
from eligibility.models import EligibilityReport
from tests.factories import ParticipationFactory, ProposalFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def consortium():
    proposal = ProposalFactory(title="Green skills")
    applicant = ParticipationFactory(proposal=proposal, role=Role.APPLICANT)
    ParticipationFactory(proposal=proposal, role=Role.AFFILIATED_ENTITY, affiliated_to=applicant)
    return proposal, applicant


def test_a_participant_cannot_be_moved_or_changed_in_the_admin(admin_client, client, consortium):
    proposal, applicant = consortium
    other = ProposalFactory()
    url = reverse("admin:alliances_participation_change", args=[applicant.pk])
    page = admin_client.get(url)
    assert page.status_code == 200 and not page.context["adminform"].form.fields  # shown, read-only

    response = admin_client.post(url, {"proposal": other.pk, "role": Role.FULL_PARTNER})
    delete = reverse("admin:alliances_participation_delete", args=[applicant.pk])

    assert response.status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403  # the builder removes it
    applicant.refresh_from_db()
    assert (applicant.proposal_id, applicant.role) == (proposal.pk, Role.APPLICANT)
    client.force_login(proposal.owner)
    assert client.get(reverse("alliances:builder", args=[proposal.pk])).status_code == 200


def test_a_proposal_cannot_be_added_or_changed_in_the_admin_and_its_version_stays(admin_client, consortium):
    proposal, _ = consortium
    url = reverse("admin:alliances_proposal_change", args=[proposal.pk])
    assert admin_client.get(reverse("admin:alliances_proposal_add")).status_code == 403

    response = admin_client.post(url, {"title": "Overwritten", "duration_months": 36})

    assert response.status_code == 403
    assert Proposal.objects.filter(pk=proposal.pk, title="Green skills", version=proposal.version).exists()


def test_a_proposal_can_still_be_deleted_with_its_consortium_and_history(admin_client, consortium):
    """Its audit trail and eligibility history go with it (no one deletes those by hand)."""
    from eligibility.services import reevaluate
    from invitations.models import EventKind, ParticipationEvent

    proposal, applicant = consortium
    ParticipationEvent.objects.create(
        proposal=proposal, participation=applicant, subject="x", kind=EventKind.SENT, actor_kind="system"
    )
    reevaluate([proposal.pk])
    url = reverse("admin:alliances_proposal_delete", args=[proposal.pk])
    response = admin_client.post(url, {"post": "yes"})
    assert response.status_code == 302
    assert not Proposal.objects.filter(pk=proposal.pk).exists()
    assert not Participation.objects.filter(proposal_id=proposal.pk).exists()
    assert not ParticipationEvent.objects.exists() and not EligibilityReport.objects.exists()


def test_a_report_is_neither_changed_nor_deleted_by_hand(admin_client, consortium):
    """Saving one wrote a "changed" line to the admin log; deleting one left the builder saying "Not
    evaluated yet"."""
    from eligibility.services import reevaluate

    proposal, _ = consortium
    reevaluate([proposal.pk])
    report = EligibilityReport.objects.get(proposal=proposal)
    change = reverse("admin:eligibility_eligibilityreport_change", args=[report.pk])
    delete = reverse("admin:eligibility_eligibilityreport_delete", args=[report.pk])

    assert admin_client.post(change, {}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert EligibilityReport.objects.filter(pk=report.pk).exists()


def test_an_invitation_is_neither_changed_nor_deleted_by_hand_and_its_hashes_are_not_shown(
    admin_client, consortium
):
    """Deleting one skipped the audit trail and the proposal's version: the builder kept showing it."""
    from django.utils import timezone

    from invitations.models import Invitation

    _proposal, applicant = consortium
    invitation = Invitation.objects.create(
        participation=applicant,
        email="anna@example.org",
        expires_at=timezone.now() + timezone.timedelta(days=14),
    )
    change = reverse("admin:invitations_invitation_change", args=[invitation.pk])
    delete = reverse("admin:invitations_invitation_delete", args=[invitation.pk])

    page = admin_client.get(change)
    assert page.status_code == 200 and "token_hash" not in page.content.decode()
    assert admin_client.post(change, {"email": "eve@example.org"}).status_code == 403
    assert admin_client.post(delete, {"post": "yes"}).status_code == 403
    assert Invitation.objects.filter(pk=invitation.pk, email="anna@example.org").exists()


def test_reports_changes_events_and_aims_are_shown_in_words_not_json_or_codes(admin_client, consortium):
    """A curator read the evaluations as JSON, the aims as ["skills-relevance"], and `pass`, `fail`,
    `projected`, `education-providers`, `invited` for statuses, modes and criteria."""
    from eligibility.models import EligibilityChange
    from eligibility.services import reevaluate
    from invitations.models import EventKind, ParticipationEvent

    proposal, applicant = consortium
    reevaluate([proposal.pk])
    report = EligibilityReport.objects.get(proposal=proposal)
    ParticipationEvent.objects.create(
        proposal=proposal,
        participation=applicant,
        subject="x",
        kind=EventKind.STATUS_CHANGED,
        from_status="invited",
        to_status="confirmed",
        actor_kind="system",
    )

    pages = {
        "report": reverse("admin:eligibility_eligibilityreport_change", args=[report.pk]),
        "proposal": reverse("admin:alliances_proposal_change", args=[proposal.pk]),
        "changes": reverse("admin:eligibility_eligibilitychange_changelist"),
        "change": reverse(
            "admin:eligibility_eligibilitychange_change",
            args=[EligibilityChange.objects.exclude(criterion="overall").first().pk],
        ),
        "events": reverse("admin:invitations_participationevent_changelist"),
    }
    html = {name: admin_client.get(url).content.decode() for name, url in pages.items()}

    assert "&quot;criteria&quot;" not in html["report"] and '"criteria"' not in html["report"]
    assert "Full partners" in html["report"] and "Not eligible" in html["report"]
    assert "skills-relevance" not in html["proposal"]
    assert "Skills" in html["proposal"] or "skills" in html["proposal"]
    for name in ("changes", "change"):
        assert "Projected" in html[name] or "Confirmed" in html[name], name
        assert "Passed" in html[name] or "Failed" in html[name], name
    assert "Overall" in html["changes"]
    # The filters too: "Full partners" and "Failed", not full-partners and fail.
    sidebar = html["changes"].split('id="changelist-filter"')[1]
    assert "?criterion=full-partners" in sidebar and ">Full partners</a>" in sidebar
    assert ">full-partners<" not in sidebar and ">fail<" not in sidebar and ">Failed</a>" in sidebar
    filtered = admin_client.get(pages["changes"], {"criterion": "overall", "to_status": "not_eligible"})
    assert filtered.status_code == 200 and "Overall" in filtered.content.decode()
    assert ">invited<" not in html["events"] and "Invited" in html["events"] and "Confirmed" in html["events"]
