"""Every model's admin pages load, for every registered model: changelist, add, change, search, filters."""

import pytest
from django.contrib import admin
from django.core.management import call_command
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_with_demo(admin_client):
    call_command("seed_demo")
    return admin_client


def registered_models():
    return sorted(admin.site._registry, key=lambda model: model._meta.label)


@pytest.mark.parametrize("model", registered_models(), ids=lambda model: model._meta.label)
def test_admin_pages_load(admin_client_with_demo, model):
    model_admin = admin.site._registry[model]
    info = (model._meta.app_label, model._meta.model_name)
    changelist = admin_client_with_demo.get(reverse("admin:{}_{}_changelist".format(*info)), {"q": "a"})
    assert changelist.status_code == 200
    if model_admin.has_add_permission(changelist.wsgi_request):
        assert admin_client_with_demo.get(reverse("admin:{}_{}_add".format(*info))).status_code == 200
    instance = model._default_manager.first()
    if instance is not None:
        response = admin_client_with_demo.get(reverse("admin:{}_{}_change".format(*info), args=[instance.pk]))
        assert response.status_code == 200


def test_countries_filter_by_programme_status_and_region(admin_client):
    url = reverse("admin:partners_country_changelist")
    response = admin_client.get(url, {"programme_status__exact": "associated"})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 6
    response = admin_client.get(url, {"region": "14"})
    assert {c.code for c in response.context["cl"].result_list} >= {"CH", "GB", "FO"}


def test_organisation_type_flags_are_editable_in_the_list(admin_client):
    model_admin = admin.site._registry[
        __import__("partners.models", fromlist=["OrganisationType"]).OrganisationType
    ]
    assert {"higher_education", "vet_provider", "labour_market_actor", "eligible"} <= set(
        model_admin.list_editable
    )


def test_admin_refuses_bad_pic_and_saves_nothing(admin_client):
    from partners.models import Organisation, OrganisationType

    response = admin_client.post(
        reverse("admin:partners_organisation_add"),
        {
            "legal_name": "Bad PIC Ltd",
            "country": "DE",
            "type": OrganisationType.objects.get(slug="enterprise").pk,
            "pic": "12-34",
        },
    )
    assert response.status_code == 200
    assert "exactly 9 digits" in response.content.decode()
    assert not Organisation.objects.exists()


@pytest.mark.parametrize(
    ("code", "member_state", "said"),
    [
        ("DE", "DE", "A country cannot count as itself."),
        ("FR", "RE", "Réunion counts as France itself: choose France."),  # a cycle
        ("FR", "DE", "Other countries count as this one, so it cannot count as another."),
        ("RE", "CN", "China is not an EU Member State."),  # its HEIs would need no charter, its partners fail
    ],
)
def test_a_country_counting_as_itself_or_in_a_cycle_is_refused_with_a_message(
    admin_client, code, member_state, said
):
    from partners.models import Country

    country = Country.objects.get(code=code)
    url = reverse("admin:partners_country_change", args=[code])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data["member_state"] = member_state

    response = admin_client.post(url, data)

    assert response.status_code == 200  # the form again, never an error page
    assert said in response.content.decode().replace("&#x27;", "'")
    assert Country.objects.get(code=code).member_state_id == country.member_state_id


def test_a_country_territories_count_as_stays_an_eu_member_state(admin_client):
    """France made associated while Réunion and Guadeloupe count as it: every later edit of Réunion, even its
    notes, was then refused ("France is not an EU Member State")."""
    from partners.models import Country

    url = reverse("admin:partners_country_change", args=["FR"])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields} | {"programme_status": "associated"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "count as this country, so it stays an EU Member State" in response.content.decode()
    assert "Réunion" in str(response.context["adminform"].form.errors["programme_status"])
    assert Country.objects.get(code="FR").programme_status == "eu_member"


def test_an_edition_cannot_make_a_country_without_a_region_a_third_country_not_associated():
    """Its partners were "outside regions 1, 2 and 3"; a country with a region may be made one."""
    from django.core.exceptions import ValidationError

    from eligibility.models import Edition, EditionCountryStatus
    from partners.models import Country

    edition = Edition.objects.get(year=2027)
    germany = EditionCountryStatus(edition=edition, country=Country.objects.get(code="DE"))
    germany.programme_status = "third_not_associated"
    with pytest.raises(ValidationError, match="Germany has no region"):
        germany.full_clean()
    china = EditionCountryStatus(edition=edition, country=Country.objects.get(code="CN"))
    china.programme_status = "third_not_associated"
    china.full_clean()


def test_an_organisation_type_named_with_an_invisible_character_is_refused(admin_client):
    from partners.models import OrganisationType

    hei = OrganisationType.objects.get(slug="higher-education-institution")
    url = reverse("admin:partners_organisationtype_change", args=[hei.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields} | {"name": "Univer\u202esity"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    hei.refresh_from_db()
    assert hei.name != "Univer\u202esity"


def test_an_organisation_types_slug_is_set_once(admin_client):
    from partners.models import OrganisationType

    hei = OrganisationType.objects.get(slug="higher-education-institution")
    url = reverse("admin:partners_organisationtype_change", args=[hei.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) or "" for name in form.fields}
    data |= {"slug": "hei", "name": "University"}

    assert "slug" not in form.fields  # shown, not editable: code and consortium files name types by it
    admin_client.post(url, data)
    hei.refresh_from_db()
    assert (hei.slug, hei.name) == ("higher-education-institution", "University")


@pytest.mark.parametrize(
    ("field", "value", "said"),
    [("year", 70000, "less than or equal to 2100"), ("min_full_partners", 0, "greater than or equal to 1")],
)
def test_an_edition_with_an_implausible_year_or_no_partners_is_refused(admin_client, field, value, said):
    from eligibility.models import Edition

    edition = Edition.objects.get(year=2026)
    url = reverse("admin:eligibility_edition_change", args=[edition.pk])
    form = admin_client.get(url).context["adminform"].form
    data = {name: form.initial.get(name) for name in form.fields}
    data = {name: value for name, value in data.items() if value is not None}
    data[field] = value

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert said in response.content.decode()
    edition.refresh_from_db()
    assert getattr(edition, field) != value


def test_a_users_name_changed_in_the_admin_is_refused_with_an_invisible_character(admin_client):
    """Partners see a coordinator's name on invitations: the admin checks it as sign-up does."""
    user = UserFactory(first_name="Anna", last_name="Keller")
    url = reverse("admin:accounts_user_change", args=[user.pk])
    form = admin_client.get(url).context["adminform"].form
    unsent = {"password", "groups", "user_permissions"}  # none chosen: not sent at all
    data = {name: form.initial.get(name) or "" for name in form.fields if name not in unsent}
    data |= {"last_name": "K\u202eeller", "date_joined_0": "2026-01-01", "date_joined_1": "10:00:00"}

    response = admin_client.post(url, data)

    assert response.status_code == 200
    assert "last_name" in response.context["adminform"].form.errors
    user.refresh_from_db()
    assert user.last_name == "Keller"


@pytest.mark.parametrize("term", ["germ", "ger\x00many"])
def test_an_autocomplete_term_never_fails_even_with_a_nul_character(admin_client, term):
    """PostgreSQL's driver refuses a NUL in a query: it was a 500."""
    query = {"term": term, "app_label": "partners", "model_name": "organisation", "field_name": "country"}
    response = admin_client.get(reverse("admin:autocomplete"), query)
    assert response.status_code == 200
    assert [result["text"] for result in response.json()["results"]] == (
        ["Germany"] if "\x00" not in term else []
    )


def test_an_organisation_in_a_proposal_cannot_be_deleted_and_the_page_says_why(admin_client):
    """The page said the superuser lacked the permission to delete "organisation change request,
    participation", as if deleting it would remove a proposal's participant."""
    from alliances.models import Role
    from partners.models import Organisation, OrganisationChangeRequest
    from tests.factories import OrganisationFactory, ParticipationFactory, ProposalFactory

    organisation = OrganisationFactory()
    ParticipationFactory(
        proposal=ProposalFactory(acronym="CORATEST"), organisation=organisation, role=Role.APPLICANT
    )
    OrganisationChangeRequest.objects.create(
        organisation=organisation, changes={"city": {"old": "", "new": "X"}}
    )
    url = reverse("admin:partners_organisation_delete", args=[organisation.pk])

    page = admin_client.get(url).content.decode()
    admin_client.post(url, {"post": "yes"})

    assert "permission" not in page
    assert "protected" in page and "CORATEST" in page
    assert Organisation.objects.filter(pk=organisation.pk).exists()


def test_an_organisation_with_only_correction_requests_is_kept_with_them_named(admin_client):
    """The curators' audit trail: no one deletes a request, so its record stays; the page names them."""
    from partners.models import Organisation, OrganisationChangeRequest
    from tests.factories import OrganisationFactory

    organisation = OrganisationFactory(legal_name="Requested Works")
    OrganisationChangeRequest.objects.create(
        organisation=organisation, changes={"city": {"old": "", "new": "X"}}
    )
    url = reverse("admin:partners_organisation_delete", args=[organisation.pk])

    page = admin_client.get(url).content.decode()

    assert "permission" not in page and "protected" in page and "Requested Works" in page
    assert "protected" in admin_client.post(url, {"post": "yes"}).content.decode()  # asked again: refused
    assert Organisation.objects.filter(pk=organisation.pk).exists()
    OrganisationChangeRequest.objects.all().delete()
    assert admin_client.post(url, {"post": "yes"}).status_code == 302  # nothing keeps it: deleted
    assert not Organisation.objects.filter(pk=organisation.pk).exists()


def admins_with_a_date_hierarchy():
    return [model for model in registered_models() if admin.site._registry[model].date_hierarchy]


@pytest.mark.parametrize("model", admins_with_a_date_hierarchy(), ids=lambda model: model._meta.label)
@pytest.mark.parametrize(
    "dates",
    [
        {"year": "9999"},
        {"year": "9999", "month": "12"},
        {"year": "9999", "month": "12", "day": "31"},
        {"year": "1"},
        {"year": "0"},
        {"year": "2026", "month": "13"},
        {"year": "2026", "month": "2", "day": "30"},
        {"year": "99999999999999999999"},
        {"year": "x"},
    ],
    ids=lambda dates: "-".join(dates.values()),
)
def test_a_date_hierarchy_out_of_range_is_a_bad_filter_not_a_500(admin_client, model, dates):
    """Django's date hierarchy built the next year, month or day of 9999-12-31 (ValueError, OverflowError):
    a 500. Dates no calendar holds are what Django already answers: the list, told the filter is wrong."""
    field = admin.site._registry[model].date_hierarchy
    query = {f"{field}__{part}": value for part, value in dates.items()}
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")

    response = admin_client.get(url, query)

    assert response.status_code == 302
    assert response.url.endswith("?e=1")
    assert admin_client.get(response.url).status_code == 200


def filter_parameters(model_admin) -> list[str]:
    """The query parameters of an admin's own filters: a field's `<field>__exact`, a SimpleListFilter's."""
    parameters = []
    for spec in model_admin.list_filter:
        if isinstance(spec, str):
            parameters.append(f"{spec}__exact")
        elif isinstance(spec, type) and issubclass(spec, admin.SimpleListFilter):
            parameters.append(spec.parameter_name)
    return parameters


@pytest.mark.parametrize(
    "model",
    [model for model in registered_models() if filter_parameters(admin.site._registry[model])],
    ids=lambda model: model._meta.label,
)
def test_a_nul_character_in_a_filter_is_a_bad_filter_not_a_500(admin_client, model):
    """PostgreSQL's driver refuses a NUL in a query: `?eche_status__exact=%00` was a 500 on every list with
    a filter, the project's own and Django's alike."""
    url = reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist")
    for parameter in [*filter_parameters(admin.site._registry[model]), "q"]:
        response = admin_client.get(url, {parameter: "a\x00b"})

        assert response.status_code == 302, parameter
        assert response.url.endswith("?e=1")
