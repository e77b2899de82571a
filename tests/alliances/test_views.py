"""The builder pages and their htmx fragments, as a coordinator uses them."""

import json
import re
from datetime import timedelta

import pytest
from django.db.models import F
from django.urls import reverse
from django.utils import timezone

from alliances import services
from alliances.models import Participation, Proposal, ProposalActivity, Role
from eligibility.services import reevaluate
from partners.models import Country, Organisation
from tests.factories import OrganisationFactory, ParticipationFactory, UserFactory, country, edition, org_type

pytestmark = pytest.mark.django_db
HTMX = {"HTTP_HX_REQUEST": "true"}


def url(name, proposal, **kwargs):
    return reverse(f"alliances:{name}", kwargs={"pk": proposal.pk, **kwargs})


def suggestions(client, proposal, mode="projected") -> dict[str, str]:
    """The suggestions fragment, as the HTML it swaps into each failing criterion's slot."""
    html = client.get(url("suggestions", proposal), {"mode": mode}, **HTMX).content.decode()
    slots = re.split(r'<div(?: class="suggestions")? id="suggestions-([\w-]+)" hx-swap-oob="true">', html)
    return dict(zip(slots[1::2], slots[2::2], strict=True))


def test_home_lists_my_proposals_with_their_badges_and_a_call_to_action(owner_client, proposal):
    html = owner_client.get(reverse("home")).content.decode()
    assert proposal.acronym in html and "New proposal" in html and "Eligible" in html


def test_home_shows_co_edited_proposals_but_not_others(client, proposal, make_proposal):
    editor = UserFactory()
    proposal.co_editors.add(editor)
    other = make_proposal(acronym="OTHERS")
    client.force_login(editor)
    html = client.get(reverse("home")).content.decode()
    assert proposal.acronym in html and other.acronym not in html and "co-editor" in html


def test_create_a_proposal_with_the_newest_edition_by_default(owner_client, owner):
    form = owner_client.get(reverse("alliances:proposal_create")).context["form"]
    assert form["edition"].value() == edition().pk
    response = owner_client.post(
        reverse("alliances:proposal_create"),
        {
            "title": "Green skills",
            "acronym": "GREEN",
            "edition": edition().pk,
            "duration_months": "36",
            "aims": ["skills-relevance", "knowledge-flow"],
            "economic_sectors": "Manufacturing",
            "summary": "",
            "deadline": (timezone.localdate() + timedelta(days=80)).isoformat(),
        },
    )
    proposal = Proposal.objects.get(acronym="GREEN")
    assert response.status_code == 302 and response.url == url("builder", proposal)
    assert (
        proposal.owner == owner
        and proposal.duration_months == 36
        and proposal.aims == ["skills-relevance", "knowledge-flow"]
    )


def new_proposal(**changes) -> dict:
    """The new-proposal form's data, valid unless changed."""
    return {
        "title": "T",
        "acronym": "A",
        "edition": edition().pk,
        "duration_months": "24",
        "aims": ["skills-relevance"],
        **changes,
    }


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"title": "  "}, "title"),
        ({"duration_months": "30"}, "duration_months"),
        ({"aims": []}, "aims"),
        ({"aims": ["world-peace"]}, "aims"),
        ({"edition": "999999"}, "edition"),
        ({"deadline": "not a date"}, "deadline"),
    ],
)
def test_proposal_form_errors_are_field_level(owner_client, changes, field):
    data = new_proposal(**changes)
    response = owner_client.post(reverse("alliances:proposal_create"), data)
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not Proposal.objects.exists()


def test_a_deadline_more_than_three_years_away_is_refused(owner_client):
    """9999-12-31 was accepted: a typo no call has."""
    response = owner_client.post(reverse("alliances:proposal_create"), new_proposal(deadline="9999-12-31"))
    assert response.status_code == 400
    assert "more than three years away" in str(response.context["form"].errors["deadline"])
    soon = (timezone.localdate() + timedelta(days=400)).isoformat()
    assert (
        owner_client.post(reverse("alliances:proposal_create"), new_proposal(deadline=soon)).status_code
        == 302
    )


def test_a_deadline_already_past_is_refused_as_it_is_entered_only(owner_client, proposal):
    data = new_proposal(deadline=(timezone.localdate() - timedelta(days=1)).isoformat())
    response = owner_client.post(reverse("alliances:proposal_create"), data)
    assert response.status_code == 400
    assert "This date has passed" in str(response.context["form"].errors["deadline"])
    assert not Proposal.objects.filter(acronym="A").exists()

    # A proposal whose deadline has passed since is still edited without changing it.
    past = timezone.localdate() - timedelta(days=30)
    Proposal.objects.filter(pk=proposal.pk).update(deadline=past)
    proposal.refresh_from_db()
    edit = {
        "title": "Renamed",
        "acronym": proposal.acronym,
        "edition": proposal.edition_id,
        "duration_months": proposal.duration_months,
        "aims": proposal.aims,
        "deadline": past.isoformat(),
        "version": proposal.version,
    }
    response = owner_client.post(url("proposal_update", proposal), edit)
    assert response.status_code == 302, response.context["form"].errors
    proposal.refresh_from_db()
    assert proposal.title == "Renamed" and proposal.deadline == past


def test_aims_must_belong_to_the_edition(owner_client):
    data = new_proposal(edition=edition(2022).pk, aims=["deep-tech"])
    response = owner_client.post(reverse("alliances:proposal_create"), data)
    assert "Not an aim of the 2022 edition" in str(response.context["form"].errors["aims"])


def test_edit_details_and_a_stale_edit_shows_what_changed(owner_client, proposal):
    page = owner_client.get(url("proposal_update", proposal))
    version = page.context["form"]["version"].value()
    data = {
        "title": "Renamed",
        "acronym": proposal.acronym,
        "edition": proposal.edition_id,
        "duration_months": "24",
        "aims": ["skills-relevance"],
        "version": version,
    }
    assert owner_client.post(url("proposal_update", proposal), data).status_code == 302
    proposal.refresh_from_db()
    assert proposal.title == "Renamed" and proposal.version == version + 1
    # The same stale form again: refused, with the change it missed named.
    response = owner_client.post(url("proposal_update", proposal), {**data, "title": "Mine"})
    assert response.status_code == 409
    html = response.content.decode()
    assert "Nothing was saved" in html and "edited the proposal" in html and "title" in html
    # What is stored now, in the warning above the form (it said fields showed it; none did), and what saving
    # again does.
    start = html.index("the proposal changed since you opened this page")
    warning = html[start : html.index("<form", start)]
    assert "What is stored now:" in warning and "Renamed" in warning
    assert "Save again to apply your version: it replaces what is stored." in warning
    proposal.refresh_from_db()
    assert proposal.title == "Renamed"


def test_builder_page_shows_participants_panel_and_history(owner_client, proposal):
    response = owner_client.get(url("builder", proposal))
    html = response.content.decode()
    assert response.status_code == 200
    applicant = proposal.participations.get(role=Role.APPLICANT).organisation
    assert applicant.legal_name in html and applicant.country.flag in html
    assert "8 of 8 full partners" in html and "Eligible" in html
    assert 'id="eligibility-history"' in html
    # Which history, and counts that read as counts ("8/4" read as "8 of 4").
    assert "History of eligibility changes (projected)" in html and "(8, 8 required)" in html


def test_eligibility_panel_switches_mode(owner_client, proposal, add):
    add(proposal, OrganisationFactory(country=country("PL")))  # proposed: counts only when projected
    projected = owner_client.get(url("eligibility", proposal) + "?mode=projected", **HTMX).content.decode()
    confirmed = owner_client.get(url("eligibility", proposal) + "?mode=confirmed", **HTMX).content.decode()
    assert "9 full partners, 8 required" in projected
    assert "8 of 8 full partners" in confirmed
    assert "<html" not in projected  # a fragment


def test_search_finds_by_name_acronym_pic_and_filters(owner_client, proposal):
    polmetal = OrganisationFactory(
        legal_name="Polmetal Sp. z o.o.", acronym="POLM", pic="912345678", country=country("PL")
    )
    for query in ("polmet", "POLM", "912345"):
        html = owner_client.get(url("organisation_search", proposal), {"q": query}, **HTMX).content.decode()
        assert "Polmetal" in html, query
    html = owner_client.get(
        url("organisation_search", proposal), {"q": "polmet", "country": "DE"}, **HTMX
    ).content.decode()
    assert "Polmetal" not in html and "No organisation matches" in html
    html = owner_client.get(
        url("organisation_search", proposal), {"country": "PL", "type": "enterprise"}, **HTMX
    ).content.decode()
    assert polmetal.legal_name in html


def test_add_a_participant_from_the_directory(owner_client, proposal, django_capture_on_commit_callbacks):
    organisation = OrganisationFactory(country=country("PL"))
    form = owner_client.get(url("participation_add", proposal), {"organisation": organisation.pk}, **HTMX)
    assert form.status_code == 200 and organisation.legal_name in form.content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url("participation_add", proposal),
            {
                "organisation": organisation.pk,
                "role": "full_partner",
                "contact_name": "Jan",
                "contact_email": "jan@example.org",
                "version": proposal.version,
            },
            **HTMX,
        )
    assert response.status_code == 200
    assert "eligibility-changed" in json.loads(response["HX-Trigger"])
    html = response.content.decode()
    assert (
        organisation.legal_name in html
        and 'id="proposal-version"' in html
        and "added as a full partner" in html
    )
    participation = proposal.participations.get(organisation=organisation)
    assert participation.contact_email == "jan@example.org"


def test_add_form_errors_are_field_level_and_change_nothing(owner_client, proposal):
    organisation = OrganisationFactory()
    before = Participation.objects.count()
    response = owner_client.post(
        url("participation_add", proposal),
        {
            "organisation": organisation.pk,
            "role": "applicant",
            "contact_email": "not-an-email",
            "version": proposal.version,
        },
        **HTMX,
    )
    form = response.context["form"]
    assert response.status_code == 200 and "contact_email" in form.errors
    response = owner_client.post(
        url("participation_add", proposal),
        {"organisation": organisation.pk, "role": "applicant", "version": proposal.version},
        **HTMX,
    )
    assert "already the applicant" in str(response.context["form"].errors["role"])
    response = owner_client.post(
        url("participation_add", proposal),
        {"organisation": organisation.pk, "role": "affiliated_entity", "version": proposal.version},
        **HTMX,
    )
    assert "affiliated_to" in response.context["form"].errors
    assert Participation.objects.count() == before


def test_a_contact_address_longer_than_the_column_is_a_form_error_not_a_500(owner_client, proposal):
    """Django's email validator takes up to 320 characters; the column holds 254 (DataError on PostgreSQL)."""
    participation = ParticipationFactory(proposal=Proposal.objects.get(pk=proposal.pk))
    proposal.refresh_from_db()
    before = proposal.participations.count()
    too_long = "a" * 250 + "@example.org"
    add = {"organisation": OrganisationFactory().pk, "role": "full_partner", "contact_email": too_long}
    edit = {"role": participation.role, "contact_email": too_long}
    for name, kwargs, data in [
        ("participation_add", {}, add),
        ("participation_edit", {"participation_id": participation.pk}, edit),
    ]:
        response = owner_client.post(
            url(name, proposal, **kwargs), {**data, "version": proposal.version}, **HTMX
        )
        assert response.status_code == 200
        assert "at most 254 characters" in str(response.context["form"].errors["contact_email"])
    assert proposal.participations.count() == before
    participation.refresh_from_db()
    assert participation.contact_email != too_long


@pytest.mark.parametrize(
    "tamper",
    [
        {"role": "superuser"},
        {"organisation": "999999"},
        {"organisation": "abc"},
        {"version": ""},
        {"version": "x"},
        {"role": "affiliated_entity", "affiliated_to": "999999"},
    ],
)
def test_tampered_adds_are_400_and_change_nothing(owner_client, proposal, tamper):
    organisation = OrganisationFactory()
    data = {"organisation": organisation.pk, "role": "full_partner", "version": proposal.version, **tamper}
    before = Participation.objects.count(), Proposal.objects.get(pk=proposal.pk).version
    response = owner_client.post(url("participation_add", proposal), data, **HTMX)
    assert response.status_code == 400
    assert (Participation.objects.count(), Proposal.objects.get(pk=proposal.pk).version) == before


def test_affiliated_to_a_partner_of_another_proposal_is_refused(owner_client, proposal, make_proposal):
    foreign = make_proposal().participations.first()
    response = owner_client.post(
        url("participation_add", proposal),
        {
            "organisation": OrganisationFactory().pk,
            "role": "affiliated_entity",
            "affiliated_to": foreign.pk,
            "version": proposal.version,
        },
        **HTMX,
    )
    assert response.status_code == 400
    assert not Participation.objects.filter(affiliated_to=foreign).exclude(proposal=foreign.proposal).exists()


def test_create_an_organisation_in_place(owner_client, proposal, django_capture_on_commit_callbacks):
    assert "legal_name" in owner_client.get(url("organisation_create", proposal), **HTMX).content.decode()
    data = {
        "org-legal_name": "Wrocław  Metal Works",
        "org-acronym": "WMW",
        "org-country": "PL",
        "org-city": "Wrocław",
        "org-type": org_type("enterprise").pk,
        "org-pic": " 912345670 ",
        "org-oid": "e10000009",
        "org-erasmus_code": "",
        "org-website": "",
        "part-role": "full_partner",
        "part-contact_name": "",
        "part-contact_email": "",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            url("organisation_create", proposal), {**data, "version": proposal.version}, **HTMX
        )
    assert response.status_code == 200, response.content.decode()[:2000]
    organisation = Organisation.objects.get(pic="912345670")
    assert organisation.legal_name == "Wrocław Metal Works" and organisation.oid == "E10000009"
    assert organisation.created_by.email == "owner@example.org"
    assert proposal.participations.filter(organisation=organisation).exists()
    # The same again: duplicate detection as in the admin, naming the existing organisation.
    proposal.refresh_from_db()
    response = owner_client.post(
        url("organisation_create", proposal), {**data, "version": proposal.version}, **HTMX
    )
    html = response.content.decode()
    assert "already belongs to Wrocław Metal Works" in html
    # It is in this consortium already: said so, with no button to add it a second time (which was refused).
    assert "is already in this consortium" in html and "Add the existing one" not in html
    assert "Use it instead" not in html  # it cannot be: it is in already
    assert (
        "already in this consortium. Tick the box below only if this is really another organisation" in html
    )
    assert Organisation.objects.filter(legal_name="Wrocław Metal Works").count() == 1


def test_an_organisation_created_elsewhere_since_the_form_checked_is_offered_instead(
    owner_client, proposal, monkeypatch
):
    """The same name in the same country, created by someone else between the form's check and the save."""
    from alliances.views import participants as views
    from partners.services import organisation_create

    def someone_else_first(**fields):
        OrganisationFactory(legal_name="Odlewnia Race Sp. z o.o.", country=country("PL"))
        return organisation_create(**fields)

    monkeypatch.setattr(views, "organisation_create", someone_else_first)
    data = {
        "org-legal_name": "Odlewnia Race Sp. z o.o.",
        "org-country": "PL",
        "org-type": org_type("enterprise").pk,
        "part-role": "full_partner",
        "version": proposal.version,
    }
    response = owner_client.post(url("organisation_create", proposal), data, **HTMX)
    html = response.content.decode()
    assert "is already in the directory. Use it instead" in html and "Add the existing one" in html
    # Nothing of this form was saved (the other record, made here inside the same transaction, rolled back).
    assert not proposal.participations.filter(organisation__legal_name="Odlewnia Race Sp. z o.o.").exists()


def test_create_in_place_validates_identifier_formats(owner_client, proposal):
    data = {
        "org-legal_name": "Bad Ids",
        "org-country": "PL",
        "org-type": org_type("enterprise").pk,
        "org-pic": "12",
        "org-oid": "X1",
        "org-erasmus_code": "???",
        "part-role": "full_partner",
        "version": proposal.version,
    }
    response = owner_client.post(url("organisation_create", proposal), data, **HTMX)
    errors = response.context["org_form"].errors
    assert {"pic", "oid", "erasmus_code"} <= set(errors)
    assert not Organisation.objects.filter(legal_name="Bad Ids").exists()


def test_change_role_in_place(owner_client, proposal):
    participation = proposal.participations.filter(role=Role.FULL_PARTNER).first()
    row = owner_client.get(url("participation_edit", proposal, participation_id=participation.pk), **HTMX)
    assert row.status_code == 200 and "<tr" in row.content.decode()
    response = owner_client.post(
        url("participation_edit", proposal, participation_id=participation.pk),
        {
            "role": "associated_partner",
            "contact_name": "Eva",
            "contact_email": "",
            "version": proposal.version,
        },
        **HTMX,
    )
    assert response.status_code == 200
    participation.refresh_from_db()
    assert participation.role == Role.ASSOCIATED_PARTNER and participation.contact_name == "Eva"
    cancel = owner_client.get(url("participation_row", proposal, participation_id=participation.pk), **HTMX)
    assert "Associated partner" in cancel.content.decode()


def test_remove_a_participant(owner_client, proposal):
    participation = proposal.participations.filter(role=Role.FULL_PARTNER).first()
    response = owner_client.post(
        url("participation_remove", proposal, participation_id=participation.pk),
        {"version": proposal.version},
        **HTMX,
    )
    assert response.status_code == 200 and "Removed from the consortium" in response.content.decode()
    assert not Participation.objects.filter(pk=participation.pk).exists()


def test_remove_without_htmx_redirects_with_a_message(owner_client, proposal):
    participation = proposal.participations.filter(role=Role.FULL_PARTNER).first()
    Organisation.objects.filter(pk=participation.organisation_id).update(legal_name="Polmetal Sp. z o.o.")
    response = owner_client.post(
        url("participation_remove", proposal, participation_id=participation.pk),
        {"version": proposal.version},
        follow=True,
    )
    html = response.content.decode()
    assert "Removed from the consortium: Polmetal Sp. z o.o." in html and "o.o.." not in html


def test_a_stale_builder_action_is_refused_and_shows_what_changed(owner_client, proposal, add):
    seen = proposal.version
    victim = proposal.participations.filter(role=Role.FULL_PARTNER).first()
    services.participation_update(
        participation=victim, actor=proposal.owner, expected_version=seen, role=Role.ASSOCIATED_PARTNER
    )
    response = owner_client.post(
        url("participation_remove", proposal, participation_id=victim.pk), {"version": seen}, **HTMX
    )
    html = response.content.decode()
    name = victim.organisation.legal_name
    assert "Nothing was saved" in html and f"changed a participant: {name}" in html
    assert Participation.objects.filter(pk=victim.pk).exists()
    assert f'value="{seen + 1}"' in html  # the page gets the current version


def test_participation_of_another_proposal_is_404(owner_client, proposal, make_proposal):
    foreign = make_proposal().participations.first()
    response = owner_client.post(
        url("participation_remove", proposal, participation_id=foreign.pk), {"version": proposal.version}
    )
    assert response.status_code == 404
    assert Participation.objects.filter(pk=foreign.pk).exists()


def test_eche_badge_polls_while_pending_then_stops(owner_client, proposal, add):
    hei = OrganisationFactory(hei=True, eche_status="pending", erasmus_code="D  BERLIN99")
    Organisation.objects.filter(pk=hei.pk).update(eche_status="pending")
    participation = add(proposal, hei)
    builder = owner_client.get(url("builder", proposal)).content.decode()
    poll_url = url("participation_eche", proposal, participation_id=participation.pk)
    assert f'hx-get="{poll_url}"' in builder and "ECHE check pending" in builder
    response = owner_client.get(poll_url, **HTMX)
    assert response.status_code == 200 and "every" in response.content.decode()
    Organisation.objects.filter(pk=hei.pk).update(eche_status="valid")
    response = owner_client.get(poll_url, **HTMX)
    assert response.status_code == 286 and "ECHE valid" in response.content.decode()
    assert "hx-trigger" not in response.content.decode()
    assert "eligibility-changed" in json.loads(response["HX-Trigger"])


def test_an_hei_with_nothing_to_look_up_is_pending_without_polling(owner_client, proposal, add):
    """No Erasmus code, PIC or OID: pending until one is given, and no check to wait for meanwhile."""
    hei = OrganisationFactory(hei=True, eche_status="pending", erasmus_code="", pic="", oid="")
    participation = add(proposal, hei)
    Organisation.objects.filter(pk=hei.pk).update(eche_status="pending")
    reevaluate([proposal.pk])
    builder = owner_client.get(url("builder", proposal)).content.decode()
    # The checklist asks for one too, and does not say to wait.
    assert f"Add the Erasmus code, PIC or OID of {hei.legal_name}: without one" in builder
    assert f"Wait for the ECHE check of {hei.legal_name}" not in builder
    poll_url = url("participation_eche", proposal, participation_id=participation.pk)
    assert f'hx-get="{poll_url}"' not in builder
    # Said as it is: the badge asks for an identifier, rather than spinning on a check that never comes.
    row = builder.split(f'id="eche-{participation.pk}"')[1].split("</td>")[0]
    assert "No Erasmus code, PIC or OID to check its ECHE: add one" in row and "spinner" not in row
    assert owner_client.get(poll_url, **HTMX).status_code == 286  # an old page's poll stops


def test_suggestions_for_a_missing_labour_market_actor_are_addable(
    owner_client, make_proposal, owner, django_capture_on_commit_callbacks
):
    from tests.alliances.conftest import ELIGIBLE

    proposal = make_proposal([m for m in ELIGIBLE if m[1] != "chamber"], owner=owner)
    actor = OrganisationFactory(
        verified=True, legal_name="Polmetal", country=country("PL"), type=org_type("enterprise")
    )
    OrganisationFactory(verified=True, legal_name="Not An Actor", country=country("PL"), type=org_type("ngo"))
    OrganisationFactory(
        verified=True, legal_name="Minsk Tractor", country=country("BY"), type=org_type("enterprise")
    )
    html = owner_client.get(url("builder", proposal)).content.decode()
    assert f'hx-get="{url("suggestions", proposal)}?mode=projected" hx-trigger="load"' in html
    assert 'id="suggestions-labour-market-actors"' in html and "Polmetal" not in html
    suggested = suggestions(owner_client, proposal)
    assert "Polmetal" in suggested["labour-market-actors"]
    assert "Not An Actor" not in suggested["labour-market-actors"]
    assert "Minsk Tractor" not in suggested["labour-market-actors"]
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            url("participation_add", proposal),
            {"organisation": actor.pk, "role": "full_partner", "version": proposal.version},
            **HTMX,
        )
    panel = owner_client.get(url("eligibility", proposal), **HTMX).content.decode()
    assert 'data-overall="eligible"' in panel


def test_country_suggestions_come_from_uncovered_eligible_countries(owner_client, make_proposal, owner):
    members = [
        ("DE", "higher-education-institution", Role.APPLICANT),
        ("DE", "vet-provider", Role.FULL_PARTNER),
    ]
    proposal = make_proposal(members, owner=owner)
    OrganisationFactory(verified=True, legal_name="German Co", country=country("DE"))
    OrganisationFactory(verified=True, legal_name="Polish Co", country=country("PL"))
    OrganisationFactory(verified=True, legal_name="Chinese Co", country=country("CN"))
    panel = suggestions(owner_client, proposal)["countries"]
    assert "Polish Co" in panel and "German Co" not in panel and "Chinese Co" not in panel


def test_suggestions_follow_the_directory_at_once(owner_client, make_proposal, owner):
    """Suggestions are never cached: a write to the directory, a bulk one included, shows on the next load."""
    from tests.alliances.conftest import ELIGIBLE

    proposal = make_proposal([m for m in ELIGIBLE if m[1] != "chamber"], owner=owner)  # one actor short
    candidate = OrganisationFactory(
        verified=True, legal_name="Polmetal", country=country("PL"), type=org_type("ngo")
    )
    assert "Polmetal" not in suggestions(owner_client, proposal)["labour-market-actors"]
    Organisation.objects.filter(pk=candidate.pk).update(type=org_type("enterprise"))
    assert "Polmetal" in suggestions(owner_client, proposal)["labour-market-actors"]
    Country.objects.filter(code="PL").update(programme_status="third_not_associated", region=2)
    assert "Polmetal" not in suggestions(owner_client, proposal)["labour-market-actors"]
    Country.objects.filter(code="PL").update(programme_status="eu_member", region=None)
    candidate.delete()
    assert "Polmetal" not in suggestions(owner_client, proposal)["labour-market-actors"]


def test_history_lists_eligibility_changes(owner_client, proposal, add):
    participation = proposal.participations.filter(role=Role.FULL_PARTNER).first()
    from alliances import services

    services.participation_remove(
        participation=participation, actor=proposal.owner, expected_version=proposal.version
    )
    from eligibility.services import reevaluate

    reevaluate([proposal.pk])
    html = owner_client.get(url("history", proposal), **HTMX).content.decode()
    assert "Full partners" in html and "Failed" in html


def test_coeditor_management(owner_client, proposal):
    editor = UserFactory(email="bea@example.org")
    response = owner_client.post(
        url("coeditor_add", proposal), {"email": "BEA@example.org", "version": proposal.version}, follow=True
    )
    assert "can now edit" in response.content.decode()
    assert list(proposal.co_editors.all()) == [editor]
    response = owner_client.post(
        url("coeditor_add", proposal),
        {"email": "ghost@example.org", "version": proposal.version + 1},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 400  # the page again, not a redirect to it
    assert "ghost@example.org cannot be a co-editor yet" in page
    assert "Nothing was saved: correct what is marked below." in page  # the summary, on top
    assert 'value="ghost@example.org"' in page  # the address kept
    proposal.refresh_from_db()
    owner_client.post(url("coeditor_remove", proposal, user_id=editor.pk), {"version": proposal.version})
    assert not proposal.co_editors.exists()


def test_someone_made_a_co_editor_is_told_by_email(
    owner_client, proposal, mailoutbox, django_capture_on_commit_callbacks
):
    """They learnt it only by finding the proposal among theirs."""
    UserFactory(email="bea@example.org")
    with django_capture_on_commit_callbacks(execute=True):
        owner_client.post(
            url("coeditor_add", proposal), {"email": "bea@example.org", "version": proposal.version}
        )
    [message] = mailoutbox
    assert message.to == ["bea@example.org"] and proposal.acronym in message.subject
    assert proposal.owner.display_name in message.body
    assert reverse("alliances:builder", args=[proposal.pk]) in message.body


def test_a_coeditor_edits_but_cannot_manage_coeditors(client, proposal):
    editor = UserFactory()
    proposal.co_editors.add(editor)
    client.force_login(editor)
    assert client.get(url("builder", proposal)).status_code == 200
    response = client.post(
        url("coeditor_add", proposal), {"email": "x@example.org", "version": proposal.version}
    )
    assert response.status_code == 403
    # Whose proposal it is, by name and address (a name alone may be anyone's choosing).
    page = client.get(url("proposal_update", proposal)).content.decode()
    assert f"Owned by {proposal.owner.get_full_name()} ({proposal.owner.email})." in page


def test_a_coeditor_can_leave_but_not_remove_another(client, proposal):
    # Given two co-editors
    leaving, other = UserFactory(), UserFactory()
    proposal.co_editors.add(leaving, other)
    client.force_login(leaving)

    # When one of them tries to remove the other, it is refused
    response = client.post(url("coeditor_remove", proposal, user_id=other.pk), {"version": proposal.version})
    assert response.status_code == 403

    # When they leave, from a page older than the last change, of a proposal archived since, they are taken
    # home, no longer reach the proposal, and its history says they left
    assert "Leave" in client.get(url("proposal_update", proposal)).content.decode()
    Proposal.objects.filter(pk=proposal.pk).update(version=F("version") + 3, archived_at=timezone.now())
    response = client.post(url("coeditor_leave", proposal), follow=True)
    assert f"You no longer edit “{proposal.title}”" in response.content.decode()
    assert list(proposal.co_editors.all()) == [other]
    assert client.get(url("builder", proposal)).status_code == 404
    left = ProposalActivity.objects.filter(proposal=proposal).latest("version")
    assert (left.action, left.actor, left.subject) == ("coeditor_left", leaving, leaving.email)


def test_an_owner_cannot_leave_their_own_proposal(owner_client, proposal):
    assert owner_client.post(url("coeditor_leave", proposal)).status_code == 403


def test_archive_and_restore_views(owner_client, proposal):
    response = owner_client.post(url("proposal_archive", proposal), follow=True)
    assert proposal.acronym not in response.content.decode().split("</nav>", 1)[1].split("archived.")[1]
    archived = owner_client.get(reverse("alliances:proposal_archived_list")).content.decode()
    assert proposal.acronym in archived
    assert owner_client.get(url("builder", proposal)).status_code == 200  # still reachable, to restore it
    owner_client.post(url("proposal_restore", proposal))
    proposal.refresh_from_db()
    assert proposal.archived_at is None


def test_archive_by_get_changes_nothing(owner_client, proposal):
    assert owner_client.get(url("proposal_archive", proposal)).status_code == 405
    proposal.refresh_from_db()
    assert proposal.archived_at is None


def test_summary_page_is_printable(owner_client, proposal):
    html = owner_client.get(url("summary", proposal)).content.decode()
    assert "data-print" in html and "Eligibility, projected" in html


def test_html_in_names_is_shown_as_text(owner_client, proposal, add):
    evil = OrganisationFactory(legal_name='<script>alert("x")</script><b>Evil</b>', acronym="<i>E</i>")
    add(proposal, evil)
    for name in ("builder", "summary"):
        html = owner_client.get(url(name, proposal)).content.decode()
        assert "<script>alert" not in html and "&lt;script&gt;alert" in html
    html = owner_client.get(reverse("organisation_detail", kwargs={"pk": evil.pk})).content.decode()
    assert "<script>alert" not in html
    html = owner_client.get(reverse("partners:organisation_list"), {"q": "evil"}).content.decode()
    assert "<b>Evil</b>" not in html


def test_directory_search_and_detail(owner_client, proposal):
    member = proposal.participations.first().organisation
    response = owner_client.get(reverse("partners:organisation_list"), {"q": member.acronym})
    assert member.legal_name in response.content.decode()
    html = owner_client.get(reverse("organisation_detail", kwargs={"pk": member.pk})).content.decode()
    assert proposal.acronym in html and "Identifiers" in html and "Erasmus Charter" in html
    # Its proposals' verdicts, each named (one unnamed "Eligible" was the projected verdict alone).
    in_proposals = html[html.index('id="in-proposals-title"') :]
    assert 'Confirmed <span class="badge' in in_proposals and 'Projected <span class="badge' in in_proposals
    fragment = owner_client.get(reverse("partners:organisation_list"), {"q": "zzzz"}, **HTMX).content.decode()
    assert "No organisation matches" in fragment and "<html" not in fragment


def test_directory_detail_lists_only_my_proposals(client, proposal):
    member = proposal.participations.first().organisation
    client.force_login(UserFactory())
    html = client.get(reverse("organisation_detail", kwargs={"pk": member.pk})).content.decode()
    assert proposal.acronym not in html and "in none of your proposals" in html


def test_pages_set_a_strict_content_security_policy(owner_client, proposal):
    response = owner_client.get(url("builder", proposal))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy
    html = response.content.decode()
    assert "style=" not in html and "<style" not in html
    assert "<script>" not in html  # every script has a src


def test_cached_builder_content_follows_every_change(
    owner_client, proposal, add, django_capture_on_commit_callbacks
):
    """The rendering cache never shows a stale consortium, directory or CSRF token."""
    first = owner_client.get(url("builder", proposal)).content.decode()
    again = owner_client.get(url("builder", proposal)).content.decode()
    assert again.count("csrfmiddlewaretoken") == first.count("csrfmiddlewaretoken") > 0
    assert "__csrf_token_placeholder__" not in again
    add(proposal, OrganisationFactory(legal_name="Freshly Added GmbH"))
    assert "Freshly Added GmbH" in owner_client.get(url("builder", proposal)).content.decode()
    member = proposal.participations.filter(role=Role.FULL_PARTNER).first().organisation
    with django_capture_on_commit_callbacks(execute=True):
        member.city = "Elsewhere"
        member.legal_name = "Renamed Member Ltd"
        member.save()
    assert "Renamed Member Ltd" in owner_client.get(url("builder", proposal)).content.decode()


def test_every_link_and_action_on_the_builder_page_goes_where_it_says(owner_client, proposal):
    """The rows build their URLs from one reversed base URL: each must still resolve to its own view."""
    from django.urls import resolve

    html = owner_client.get(url("builder", proposal)).content.decode()
    targets = {
        value.split("?")[0]
        for value in re.findall(r'(?:href|action|hx-get|hx-post)="(/[^"#]*)', html)
        if not value.startswith("/static/")
    }
    resolved = {path: resolve(path) for path in targets}
    participation = proposal.participations.exclude(role=Role.APPLICANT).first()
    row = {"pk": proposal.pk, "participation_id": participation.pk}
    for name in ("participation_edit", "participation_remove"):
        assert reverse(f"alliances:{name}", kwargs=row) in resolved
    organisation = reverse("organisation_detail", kwargs={"pk": participation.organisation_id})
    assert resolved[organisation].url_name == "organisation_detail"


def test_the_add_form_and_each_edit_row_have_ids_of_their_own(proposal):
    from alliances.forms import ParticipationAddForm, ParticipationChangeForm

    first, second = proposal.participations.all()[:2]
    forms = [
        ParticipationAddForm(proposal=proposal),
        ParticipationChangeForm(proposal=proposal, participation=first),
        ParticipationChangeForm(proposal=proposal, participation=second),
    ]

    ids = [form["contact_email"].id_for_label for form in forms]
    assert len(set(ids)) == 3


def test_the_add_form_offers_the_applicant_role_until_there_is_one(owner_client, owner, make_proposal):
    """The empty builder says to start with the applicant: its first add form has that role chosen."""
    organisation = OrganisationFactory()
    empty, full = make_proposal([], owner=owner), make_proposal(owner=owner)

    def chosen_role(proposal):
        response = owner_client.get(
            reverse("alliances:participation_add", args=[proposal.pk]), {"organisation": organisation.pk}
        )
        return re.search(r'<option value="(\w+)" selected', response.content.decode()).group(1)

    assert chosen_role(empty) == Role.APPLICANT
    assert chosen_role(full) == Role.FULL_PARTNER


def test_the_home_page_answers_get_only(owner_client):
    assert owner_client.post(reverse("home")).status_code == 405


def test_the_history_lists_an_evaluation_in_the_checklists_order_and_a_first_one_without_a_before(
    owner_client, proposal, add
):
    """Each first line read "<criterion> not evaluated → Passed", and the verdict came last, after its
    criteria in reverse."""
    import re

    add(proposal, OrganisationFactory(country=country("PL")))
    html = owner_client.get(url("history", proposal) + "?mode=projected", **HTMX).content.decode()
    lines = [
        " ".join(re.sub(r"<[^>]+>", " ", line).split()) for line in re.findall(r"<li.*?</li>", html, re.S)
    ]
    assert "not evaluated" not in html.lower()
    first_evaluation = [line for line in lines if "→" not in line]
    assert first_evaluation[0].split(": ", 1)[1].startswith("Overall")


def test_a_stale_details_edit_keeps_what_others_saved_in_the_fields_it_left_alone(owner_client, proposal):
    """A co-editor saved 36 months; the owner's older page changed only the title: refused, and its "Save
    again" put back 24 months (still ticked there) without a word."""
    page = owner_client.get(url("proposal_update", proposal))
    seen = {
        "title": proposal.title,
        "acronym": proposal.acronym,
        "edition": proposal.edition_id,
        "duration_months": str(proposal.duration_months),
        "aims": list(proposal.aims),
        "version": page.context["form"]["version"].value(),
    }
    other = "36" if seen["duration_months"] == "24" else "24"
    assert (
        owner_client.post(url("proposal_update", proposal), {**seen, "duration_months": other}).status_code
        == 302
    )

    response = owner_client.post(url("proposal_update", proposal), {**seen, "title": "Mine"}, follow=True)

    assert "Proposal details saved, with the changes others made meanwhile." in response.content.decode()
    proposal.refresh_from_db()
    assert (proposal.title, str(proposal.duration_months)) == ("Mine", other)

    # Both changed the title: the user decides, and the form shows the others' duration, not the old one.
    response = owner_client.post(url("proposal_update", proposal), {**seen, "title": "Mine again"})
    assert response.status_code == 409
    form = response.context["form"]
    assert form["title"].value() == "Mine again" and str(form["duration_months"].value()) == other
    assert '<dt class="col-sm-3">Aims</dt>' in response.content.decode()  # what is stored, aims too
    proposal.refresh_from_db()
    assert proposal.title == "Mine"


def test_a_details_form_from_a_version_still_to_come_is_not_merged(owner_client, proposal):
    """version=99999999999999999999 put the old page's values back over a co-editor's, unrefused."""
    data = {
        "title": "Tampered",
        "acronym": proposal.acronym,
        "edition": proposal.edition_id,
        "duration_months": str(proposal.duration_months),
        "aims": list(proposal.aims),
        "version": proposal.version + 5,
    }
    response = owner_client.post(url("proposal_update", proposal), data)
    assert response.status_code in (400, 409)
    proposal.refresh_from_db()
    assert proposal.title != "Tampered"
