"""Every watched save and delete re-evaluates exactly the affected proposals, once per transaction."""

from unittest import mock

import pytest
from django.db import transaction

from alliances.models import Participation, ParticipationStatus, Role
from config.transactions import AfterCommit
from eligibility import services, signals
from eligibility.models import Edition, EditionCountryStatus, EligibilityReport
from partners.models import Country, OrganisationType
from tests.eligibility.conftest import criterion
from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory, country, org_type

pytestmark = pytest.mark.django_db


@pytest.fixture
def evaluated(monkeypatch):
    """Record each call of services.reevaluate (and still run it)."""
    calls = []
    real = services.reevaluate

    def spy(proposal_ids):
        calls.append(set(proposal_ids))
        return real(proposal_ids)

    monkeypatch.setattr(services, "reevaluate", spy)
    return calls


@pytest.fixture
def two_proposals(build_consortium):
    return build_consortium(), build_consortium(year=2025)


def test_ten_saves_in_one_transaction_evaluate_each_proposal_once(
    two_proposals, evaluated, django_capture_on_commit_callbacks
):
    first, second = two_proposals
    with django_capture_on_commit_callbacks(execute=True) as callbacks, transaction.atomic():
        for participation in Participation.objects.filter(proposal__in=[first, second])[:10]:
            participation.contact_name = "Changed"
            participation.save()
    assert len([cb for cb in callbacks if isinstance(cb, AfterCommit) and cb.action is signals.dispatch]) == 1
    assert evaluated == [{first.pk, second.pk}]


@pytest.mark.parametrize(
    "change",
    [
        "participation_save",
        "participation_delete",
        "proposal_save",
        "organisation_save",
        "organisation_type_save",
        "country_save",
        "edition_save",
        "edition_excluded_countries",
        "edition_country_status",
    ],
)
def test_each_watched_change_reevaluates_exactly_the_affected_proposals(
    change, two_proposals, evaluated, django_capture_on_commit_callbacks
):
    first, second = two_proposals  # first: 2026 edition, second: 2025 edition
    participation = first.participations.select_related("organisation").filter(role=Role.FULL_PARTNER).first()
    with django_capture_on_commit_callbacks(execute=True):
        lone = ParticipationFactory(
            organisation=OrganisationFactory(country=country("PT"), type=org_type("ngo"))
        )
    lone_proposal = lone.proposal  # uses the newest edition (2027) and a type/country nobody else has
    expected = {
        "participation_save": {first.pk},
        "participation_delete": {first.pk},
        "proposal_save": {first.pk},
        "organisation_save": {first.pk},
        "organisation_type_save": {first.pk, second.pk},  # vet-provider is in both
        "country_save": {lone_proposal.pk},
        "edition_save": {first.pk},
        "edition_excluded_countries": {second.pk},
        "edition_country_status": {lone_proposal.pk},
    }[change]
    evaluated.clear()
    with django_capture_on_commit_callbacks(execute=True):
        if change == "participation_save":
            participation.status = ParticipationStatus.WITHDRAWN
            participation.save()
        elif change == "participation_delete":
            participation.delete()
        elif change == "proposal_save":
            first.duration_months = 36
            first.save()
        elif change == "organisation_save":
            participation.organisation.city = "Elsewhere"
            participation.organisation.save()
        elif change == "organisation_type_save":
            kind = OrganisationType.objects.get(slug="vet-provider")
            kind.description = "edited"
            kind.save()
        elif change == "country_save":
            portugal = Country.objects.get(code="PT")
            portugal.notes = "edited"
            portugal.save()
        elif change == "edition_save":
            edition = first.edition
            edition.notes = "edited"
            edition.save()
        elif change == "edition_excluded_countries":
            second.edition.excluded_countries.add("UA")
        elif change == "edition_country_status":
            EditionCountryStatus.objects.create(
                edition=lone_proposal.edition, country_id="UA", programme_status="associated"
            )
    assert evaluated == [expected]


def test_admin_edit_of_a_type_flag_flips_every_report_using_it(
    two_proposals, django_capture_on_commit_callbacks
):
    first, second = two_proposals
    chamber = OrganisationType.objects.get(slug="chamber")
    with django_capture_on_commit_callbacks(execute=True):
        chamber.labour_market_actor = False
        chamber.save()
    for proposal in (first, second):
        report = EligibilityReport.objects.get(proposal=proposal)
        assert report.confirmed_status == "not_eligible"
        assert criterion(report.confirmed, "labour-market-actors")["observed"] == 2


def test_an_eche_status_change_reevaluates(build_consortium, django_capture_on_commit_callbacks):
    proposal = build_consortium()
    hei = proposal.participations.get(role=Role.APPLICANT).organisation
    with django_capture_on_commit_callbacks(execute=True):
        hei.eche_status = "expired"
        hei.save(update_fields=["eche_status"])
    report = EligibilityReport.objects.get(proposal=proposal)
    assert criterion(report.confirmed, "eche")["status"] == "fail"


def test_saving_a_report_triggers_no_evaluation(
    build_consortium, evaluated, django_capture_on_commit_callbacks
):
    proposal = build_consortium()
    evaluated.clear()
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        report = EligibilityReport.objects.get(proposal=proposal)
        report.save()
        services.reevaluate([proposal.pk])
    assert callbacks == []
    assert evaluated == [{proposal.pk}]


def test_more_than_fifty_proposals_go_to_celery_in_chunks(django_capture_on_commit_callbacks):
    kind = org_type("vet-provider")
    organisations = [OrganisationFactory(type=kind) for _ in range(3)]
    proposals = []
    with django_capture_on_commit_callbacks(execute=True):
        for index in range(120):
            proposal = ProposalFactory()
            ParticipationFactory(proposal=proposal, organisation=organisations[index % 3])
            proposals.append(proposal)
    with (
        mock.patch("eligibility.tasks.reevaluate_proposals.delay") as delay,
        mock.patch.object(services, "reevaluate") as inline,
        django_capture_on_commit_callbacks(execute=True),
    ):
        kind.description = "edited"
        kind.save()
    assert not inline.called
    chunks = [call.args[0] for call in delay.call_args_list]
    assert [len(chunk) for chunk in chunks] == [50, 50, 20]
    assert set().union(*map(set, chunks)) == {proposal.pk for proposal in proposals}


def test_broker_down_for_a_large_change_evaluates_inline(django_capture_on_commit_callbacks):
    kind = org_type("vet-provider")
    organisation = OrganisationFactory(type=kind)
    with django_capture_on_commit_callbacks(execute=True):
        proposals = [ParticipationFactory(organisation=organisation).proposal for _ in range(60)]
    EligibilityReport.objects.all().delete()
    with (
        mock.patch("eligibility.tasks.reevaluate_proposals.delay", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        kind.labour_market_actor = True
        kind.save()
    assert EligibilityReport.objects.filter(proposal__in=proposals).count() == 60


def test_rolled_back_savepoint_does_not_lose_later_saves(
    build_consortium, evaluated, django_capture_on_commit_callbacks
):
    proposal = build_consortium()
    evaluated.clear()
    with django_capture_on_commit_callbacks(execute=True), transaction.atomic():
        try:
            with transaction.atomic():
                proposal.duration_months = 36
                proposal.save()
                raise RuntimeError("rolled back")
        except RuntimeError:
            pass
        proposal.refresh_from_db()
        proposal.summary = "kept"
        proposal.save()
    assert evaluated == [{proposal.pk}]


def test_edition_delete_is_protected_by_its_proposals(build_consortium):
    from django.db.models import ProtectedError

    proposal = build_consortium()
    with pytest.raises(ProtectedError):
        Edition.objects.get(pk=proposal.edition_id).delete()


@pytest.mark.parametrize(
    ("make_change", "evaluates"),
    [
        (lambda p: p.save(update_fields=["contact_email"]), False),
        (lambda p: p.save(update_fields=["status"]), True),
        (lambda p: p.proposal.save(update_fields=["version", "updated_at"]), False),
        (lambda p: p.proposal.save(update_fields=["duration_months"]), True),
        (lambda p: p.organisation.save(update_fields=["website"]), False),
        (lambda p: p.organisation.save(update_fields=["eche_status"]), True),
    ],
)
def test_saves_limited_to_fields_the_rules_never_read_evaluate_nothing(
    make_change, evaluates, build_consortium, evaluated, django_capture_on_commit_callbacks
):
    proposal = build_consortium()
    participation = proposal.participations.select_related("organisation", "proposal").first()
    evaluated.clear()
    with django_capture_on_commit_callbacks(execute=True):
        make_change(participation)
    assert evaluated == ([{proposal.pk}] if evaluates else [])
