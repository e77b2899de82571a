"""Operator tools: reevaluate_eligibility, the admin action, and the system check for editions."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError, SystemCheckError
from django.urls import reverse

from eligibility.models import Edition, EligibilityReport

pytestmark = pytest.mark.django_db


def test_reevaluate_named_and_all_proposals(build_consortium, capsys):
    first, second = build_consortium(), build_consortium()
    EligibilityReport.objects.all().delete()
    call_command("reevaluate_eligibility", str(first.pk))
    assert list(EligibilityReport.objects.values_list("proposal_id", flat=True)) == [first.pk]
    call_command("reevaluate_eligibility", "--all")
    assert EligibilityReport.objects.count() == 2
    assert "Re-evaluated 2 proposals." in capsys.readouterr().out
    assert second.pk


@pytest.mark.parametrize("args", [[], ["--all", "1"], ["987654"]])
def test_reevaluate_refuses_bad_arguments(args):
    with pytest.raises(CommandError):
        call_command("reevaluate_eligibility", *args)


def test_admin_action_reevaluates_the_selected_proposals(admin_client, build_consortium):
    proposal = build_consortium()
    EligibilityReport.objects.all().delete()
    response = admin_client.post(
        reverse("admin:alliances_proposal_changelist"),
        {"action": "reevaluate_eligibility", "_selected_action": [proposal.pk]},
        follow=True,
    )
    assert "Re-evaluated 1 proposal." in response.content.decode()
    assert EligibilityReport.objects.get(proposal=proposal).confirmed_status == "eligible"


@pytest.mark.parametrize(
    ("changelist", "action", "permission", "done"),
    [
        ("admin:alliances_proposal_changelist", "reevaluate_eligibility", "view_proposal", "Re-evaluated"),
        ("admin:partners_organisation_changelist", "recheck_eche", "view_organisation", "Re-checked"),
    ],
)
def test_admin_actions_with_effects_need_the_change_permission(
    client, build_consortium, changelist, action, permission, done
):
    """A staff member who may only view ran them: "Re-evaluated 1 proposal.", "The ECHE check … is queued"."""
    from django.contrib.auth.models import Permission

    from tests.factories import UserFactory

    proposal = build_consortium()
    organisation = proposal.participations.first().organisation
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename=permission))
    client.force_login(viewer)
    EligibilityReport.objects.all().delete()
    selected = proposal.pk if action == "reevaluate_eligibility" else organisation.pk
    data = {"action": action, "_selected_action": [selected]}
    response = client.post(reverse(changelist), data, follow=True)
    assert response.status_code == 200 and done not in response.content.decode()
    assert not EligibilityReport.objects.exists()


def test_system_check_passes_with_the_seeded_editions():
    call_command("check", databases=["default"])


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("durations", [], "durations is empty"),
        ("aims", [], "aims is empty"),
        ("aims", ["moon-landing"], "aims:"),
        ("allowed_regions", [0, 15], "allowed_regions:"),
    ],
)
def test_system_check_fails_when_an_edition_lacks_a_parameter(field, value, message):
    Edition.objects.filter(year=2024).update(**{field: value})
    with pytest.raises(SystemCheckError) as error:
        call_command("check", databases=["default"])
    assert "Edition 2024 lacks a parameter" in str(error.value)
    assert message in str(error.value)
