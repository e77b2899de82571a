"""The consortium's invariants hold in the database itself, not only in forms."""

import pytest
from django.db import IntegrityError, transaction

from alliances.models import Role
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory

pytestmark = pytest.mark.django_db


def refused():
    return pytest.raises(IntegrityError)


def test_one_applicant_per_proposal():
    proposal = ProposalFactory()
    ParticipationFactory(proposal=proposal, role=Role.APPLICANT)
    with refused(), transaction.atomic():
        ParticipationFactory(proposal=proposal, role=Role.APPLICANT)


def test_an_organisation_at_most_once_per_proposal():
    first = ParticipationFactory()
    with refused(), transaction.atomic():
        ParticipationFactory(
            proposal=first.proposal, organisation=first.organisation, role=Role.ASSOCIATED_PARTNER
        )


def test_same_organisation_in_two_proposals_is_fine():
    organisation = OrganisationFactory()
    ParticipationFactory(organisation=organisation)
    ParticipationFactory(organisation=organisation)


def test_affiliated_entity_needs_a_partner():
    with refused(), transaction.atomic():
        ParticipationFactory(role=Role.AFFILIATED_ENTITY, affiliated_to=None)


def test_only_affiliated_entities_name_a_partner():
    partner = ParticipationFactory()
    with refused(), transaction.atomic():
        ParticipationFactory(proposal=partner.proposal, role=Role.FULL_PARTNER, affiliated_to=partner)


def test_affiliated_entity_of_a_partner_in_another_proposal_is_refused():
    partner = ParticipationFactory()
    with refused(), transaction.atomic():
        ParticipationFactory(role=Role.AFFILIATED_ENTITY, affiliated_to=partner)


def test_affiliated_entity_of_an_associated_partner_is_refused():
    associated = ParticipationFactory(role=Role.ASSOCIATED_PARTNER)
    with refused(), transaction.atomic():
        ParticipationFactory(
            proposal=associated.proposal, role=Role.AFFILIATED_ENTITY, affiliated_to=associated
        )


def test_partner_with_affiliated_entities_keeps_a_full_partner_role():
    partner = ParticipationFactory(role=Role.FULL_PARTNER)
    ParticipationFactory(proposal=partner.proposal, role=Role.AFFILIATED_ENTITY, affiliated_to=partner)
    partner.role = Role.ASSOCIATED_PARTNER
    with refused(), transaction.atomic():
        partner.save()


def test_affiliated_entity_of_a_full_partner_is_accepted_and_removed_with_it():
    partner = ParticipationFactory(role=Role.APPLICANT)
    entity = ParticipationFactory(
        proposal=partner.proposal, role=Role.AFFILIATED_ENTITY, affiliated_to=partner
    )
    partner.delete()
    assert not type(entity).objects.filter(pk=entity.pk).exists()


def test_the_builder_explains_a_partner_of_another_proposal():
    from django.core.exceptions import ValidationError

    from alliances.services import participation_add

    proposal, elsewhere = ProposalFactory(), ParticipationFactory(role=Role.APPLICANT)
    with pytest.raises(ValidationError) as error:
        participation_add(
            proposal=proposal,
            organisation=OrganisationFactory(),
            role=Role.AFFILIATED_ENTITY,
            affiliated_to=elsewhere,
            actor=proposal.owner,
            expected_version=proposal.version,
        )
    assert "affiliated_to" in error.value.message_dict
