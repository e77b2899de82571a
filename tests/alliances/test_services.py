"""alliances.services: every write locks, compares the version, bumps it and says what changed."""

import pytest
from django.core.exceptions import ValidationError

from alliances import coeditors, services
from alliances.models import ActivityAction, Participation, ParticipationStatus, Proposal, Role
from tests.factories import OrganisationFactory, ProposalFactory, UserFactory, edition

pytestmark = pytest.mark.django_db


def test_proposal_create_starts_at_version_one_with_an_activity(owner):
    proposal = services.proposal_create(
        owner=owner,
        title="Green skills",
        acronym="GREEN",
        edition=edition(),
        duration_months=24,
        aims=["skills-relevance"],
    )
    assert proposal.version == 1
    assert proposal.activities.get().action == ActivityAction.CREATED


def test_proposal_update_bumps_the_version_and_names_the_changed_fields(proposal, owner):
    was = proposal.title
    updated = services.proposal_update(
        proposal=proposal,
        actor=owner,
        expected_version=proposal.version,
        title="New title",
        acronym=proposal.acronym,
    )
    assert updated.version == proposal.version + 1
    activity = updated.activities.order_by("-version").first()
    assert activity.detail == {"fields": ["title"], "before": {"title": was}}


def test_an_update_without_change_keeps_the_version(proposal, owner):
    same = services.proposal_update(
        proposal=proposal, actor=owner, expected_version=proposal.version, title=proposal.title
    )
    assert same.version == proposal.version


def test_the_same_aims_in_another_order_are_no_change(proposal, owner):
    """A form lists aims in its own order: saving unchanged details logged "aims", making other tabs stale."""
    Proposal.objects.filter(pk=proposal.pk).update(aims=["knowledge-flow", "skills-relevance"])
    proposal.refresh_from_db()
    same = services.proposal_update(
        proposal=proposal,
        actor=owner,
        expected_version=proposal.version,
        aims=["skills-relevance", "knowledge-flow"],
    )
    assert same.version == proposal.version
    assert not same.activities.filter(action=ActivityAction.UPDATED).exists()


def test_a_stale_update_is_refused_and_reports_what_changed_meanwhile(proposal, owner):
    other = UserFactory(first_name="Bea", last_name="Other")
    proposal.co_editors.add(other)
    seen, was = proposal.version, proposal.title
    services.proposal_update(proposal=proposal, actor=other, expected_version=seen, title="Theirs")
    with pytest.raises(services.StaleProposal) as refused:
        services.proposal_update(proposal=proposal, actor=owner, expected_version=seen, title="Mine")
    assert Proposal.objects.get(pk=proposal.pk).title == "Theirs"
    [change] = refused.value.changes
    assert change.actor == other and change.detail == {"fields": ["title"], "before": {"title": was}}


def test_participation_add_creates_a_proposed_participant_and_bumps_the_version(proposal, add):
    organisation = OrganisationFactory()
    participation = add(proposal, organisation, contact_email="x@example.org")
    assert participation.status == ParticipationStatus.PROPOSED
    proposal.refresh_from_db()
    assert proposal.activities.filter(
        action=ActivityAction.PARTICIPANT_ADDED, subject=organisation.legal_name
    )


def test_a_second_applicant_is_a_field_error_not_an_integrity_error(proposal, add):
    with pytest.raises(ValidationError) as error:
        add(proposal, OrganisationFactory(), role=Role.APPLICANT)
    assert "already the applicant" in str(error.value.message_dict["role"])


def test_naming_a_new_applicant_while_the_old_one_declined_says_what_to_do(proposal, add):
    proposal.participations.filter(role=Role.APPLICANT).update(status=ParticipationStatus.DECLINED)
    with pytest.raises(ValidationError) as error:
        add(proposal, OrganisationFactory(), role=Role.APPLICANT)
    assert "the applicant, has declined but still has the role" in str(error.value.message_dict["role"])


def test_the_same_organisation_twice_is_refused(proposal, add):
    existing = proposal.participations.first().organisation
    with pytest.raises(ValidationError) as error:
        add(proposal, existing)
    assert "organisation" in error.value.message_dict


def test_an_affiliated_entity_needs_a_full_partner_of_the_same_proposal(proposal, make_proposal, add):
    elsewhere = make_proposal().participations.first()
    with pytest.raises(ValidationError):
        add(proposal, OrganisationFactory(), role=Role.AFFILIATED_ENTITY)
    with pytest.raises(ValidationError):
        add(proposal, OrganisationFactory(), role=Role.AFFILIATED_ENTITY, affiliated_to=elsewhere)
    partner = proposal.participations.get(role=Role.APPLICANT)
    entity = add(proposal, OrganisationFactory(), role=Role.AFFILIATED_ENTITY, affiliated_to=partner)
    assert entity.affiliated_to == partner


def test_a_partner_with_affiliated_entities_keeps_a_full_partner_role(proposal, add):
    partner = proposal.participations.get(role=Role.APPLICANT)
    add(proposal, OrganisationFactory(), role=Role.AFFILIATED_ENTITY, affiliated_to=partner)
    proposal.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        services.participation_update(
            participation=partner,
            role=Role.ASSOCIATED_PARTNER,
            affiliated_to=None,
            contact_name=partner.contact_name,
            contact_email=partner.contact_email,
            actor=proposal.owner,
            expected_version=proposal.version,
        )
    assert "affiliated entities" in str(error.value)


def test_change_role_and_contact(proposal):
    participation = proposal.participations.filter(role=Role.FULL_PARTNER).first()
    updated = services.participation_update(
        participation=participation,
        role=Role.ASSOCIATED_PARTNER,
        actor=proposal.owner,
        expected_version=proposal.version,
        contact_name="Ann",
        contact_email="ann@example.org",
    )
    assert updated.role == Role.ASSOCIATED_PARTNER and updated.contact_email == "ann@example.org"
    activity = proposal.activities.order_by("-version").first()
    assert (
        activity.detail["from_role"] == Role.FULL_PARTNER
        and activity.detail["role"] == Role.ASSOCIATED_PARTNER
    )


def test_remove_takes_the_affiliated_entities_along(proposal, add):
    partner = proposal.participations.get(role=Role.APPLICANT)
    entity = add(proposal, OrganisationFactory(), role=Role.AFFILIATED_ENTITY, affiliated_to=partner)
    proposal.refresh_from_db()
    names = services.participation_remove(
        participation=partner, actor=proposal.owner, expected_version=proposal.version
    )
    assert names == [partner.organisation.legal_name, entity.organisation.legal_name]
    assert not Participation.objects.filter(pk__in=[partner.pk, entity.pk]).exists()


def test_an_addition_or_removal_from_an_older_page_conflicts_only_with_what_it_touches(proposal, add):
    """An addition, or the removal of one participant, was refused (and lost) after any change elsewhere."""
    seen = proposal.version
    add(proposal, OrganisationFactory())
    first, second = list(proposal.participations.order_by("pk")[:2])
    services.participation_add(
        proposal=proposal,
        organisation=OrganisationFactory(),
        role=Role.FULL_PARTNER,
        actor=proposal.owner,
        expected_version=seen,
    )
    services.participation_remove(participation=first, actor=proposal.owner, expected_version=seen)
    proposal.refresh_from_db()
    changed = proposal.version
    services.participation_update(
        participation=second,
        actor=proposal.owner,
        expected_version=changed,
        role=second.role,
        contact_name="X",
    )
    before = proposal.participations.count()
    with pytest.raises(services.StaleProposal):  # changed since this page
        services.participation_remove(participation=second, actor=proposal.owner, expected_version=changed)
    with pytest.raises(services.StaleProposal):  # a version still to come
        services.participation_add(
            proposal=proposal,
            organisation=OrganisationFactory(),
            role=Role.FULL_PARTNER,
            actor=proposal.owner,
            expected_version=changed + 10,
        )
    assert proposal.participations.count() == before


def test_coeditors_are_added_by_email_of_a_signed_up_user(proposal, owner):
    editor = UserFactory(email="Bea@Example.org")
    coeditors.coeditor_add(
        proposal=proposal, email="bea@example.org", actor=owner, expected_version=proposal.version
    )
    assert list(proposal.co_editors.all()) == [editor]
    proposal.refresh_from_db()
    for email in ("nobody@example.org", "bea@example.org", owner.email):
        with pytest.raises(ValidationError):
            coeditors.coeditor_add(
                proposal=proposal, email=email, actor=owner, expected_version=proposal.version
            )
    coeditors.coeditor_remove(proposal=proposal, user=editor, actor=owner, expected_version=proposal.version)
    assert not proposal.co_editors.exists()


def test_archive_and_restore(proposal, owner):
    archived = services.proposal_archive(proposal=proposal, actor=owner)
    assert archived.archived_at is not None
    restored = services.proposal_restore(proposal=proposal, actor=owner)
    assert restored.archived_at is None and restored.version == proposal.version + 2


def test_adding_the_missing_labour_market_actor_makes_the_proposal_eligible(make_proposal, owner, add):
    members = [
        m for m in __import__("tests.alliances.conftest", fromlist=["ELIGIBLE"]).ELIGIBLE if m[1] != "chamber"
    ]
    proposal = make_proposal(members, owner=owner)
    assert proposal.eligibility_report.projected_status == "not_eligible"
    from tests.factories import country, org_type

    add(
        proposal,
        OrganisationFactory(country=country("PL"), type=org_type("enterprise"), eche_status="not_required"),
    )
    proposal.refresh_from_db()
    proposal.eligibility_report.refresh_from_db()
    assert proposal.eligibility_report.projected_status == "eligible"


def test_a_coeditor_removed_and_added_again_is_told_once_a_day(
    proposal, owner, django_capture_on_commit_callbacks
):
    """An owner alternating remove and add sent "You can now edit …" each time (six in a minute)."""
    import datetime

    import time_machine
    from django.core import mail
    from django.utils import timezone

    editor = UserFactory(email="bea@example.org")

    def add_and_remove():
        proposal.refresh_from_db()
        with django_capture_on_commit_callbacks(execute=True):
            coeditors.coeditor_add(
                proposal=proposal, email=editor.email, actor=owner, expected_version=proposal.version
            )
        proposal.refresh_from_db()
        coeditors.coeditor_remove(
            proposal=proposal, user=editor, actor=owner, expected_version=proposal.version
        )

    for _ in range(3):
        add_and_remove()
    assert [message.to for message in mail.outbox] == [["bea@example.org"]]
    with time_machine.travel(timezone.now() + datetime.timedelta(days=1, minutes=1)):
        add_and_remove()
    assert len(mail.outbox) == 2


def test_an_owner_whose_address_is_unconfirmed_adds_no_co_editor(proposal, owner, mailoutbox):
    """An account that typed a colleague's address made confirmed users co-editors of proposals titled
    'Urgent: verify your account at http://evil.test' (an email each), and its invitations then named it
    to partners as the coordinator."""
    editor = UserFactory(email="bea@example.org")
    owner.email_confirmed_at = None
    owner.save()
    with pytest.raises(ValidationError, match="confirm your email address first"):
        coeditors.coeditor_add(
            proposal=proposal, email=editor.email, actor=owner, expected_version=proposal.version
        )
    assert not proposal.co_editors.exists() and mailoutbox == []


def test_editing_a_participant_conflicts_only_with_changes_of_it_or_removals(proposal, add):
    """Any change of the proposal refused an edit of one participant (what was typed into its row was lost):
    a co-editor adding someone, changing another row, or the details."""
    first, second = list(proposal.participations.order_by("pk")[:2])
    seen = proposal.version

    def edit(participation, version, name):
        return services.participation_update(
            participation=participation,
            actor=proposal.owner,
            expected_version=version,
            role=participation.role,
            contact_name=name,
        )

    add(proposal, OrganisationFactory())
    proposal.refresh_from_db()
    edit(second, proposal.version, "Someone else")
    proposal.refresh_from_db()
    services.proposal_update(
        proposal=proposal, actor=proposal.owner, expected_version=proposal.version, title="A new title"
    )
    assert edit(first, seen, "Ann Typed").contact_name == "Ann Typed"  # none of them was this participant

    with pytest.raises(services.StaleProposal):
        edit(second, seen, "Overwrites Someone else")  # changed since the page was rendered
    proposal.refresh_from_db()
    seen = proposal.version
    services.participation_remove(participation=second, actor=proposal.owner, expected_version=seen)
    with pytest.raises(services.StaleProposal):
        edit(first, seen, "After a removal")


def test_one_person_is_told_of_three_proposals_a_day_at_most(owner, django_capture_on_commit_callbacks):
    """An account made 15 proposals, titled as it liked, and one person a co-editor of each: 15 emails."""
    from django.core import mail

    editor = UserFactory(email="bea@example.org")
    for _ in range(5):
        proposal = ProposalFactory(owner=owner)
        with django_capture_on_commit_callbacks(execute=True):
            coeditors.coeditor_add(
                proposal=proposal, email=editor.email, actor=owner, expected_version=proposal.version
            )
    assert len(mail.outbox) == coeditors.COEDITOR_EMAILS_PER_DAY == 3
    assert editor.coedited_proposals.count() == 5  # all of them on their home page
