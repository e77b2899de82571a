"""Error pages are the product's (the layout, what happened, whether anything changed, the way on), never
Django's bare "Not Found" or an empty body: a mistyped or stale link, a form's address opened as a page, an
expired form, a request that cannot be read, a refusal, and a server error."""

import pytest
from django.core.exceptions import PermissionDenied
from django.test import Client
from django.urls import include, path, reverse

from alliances.models import Participation

pytestmark = pytest.mark.django_db


def boom(request):
    raise RuntimeError("a bug")


def forbidden(request):
    raise PermissionDenied


# For the tests that need a view that fails (ROOT_URLCONF = this module).
urlpatterns = [path("boom/", boom), path("forbidden/", forbidden), path("", include("config.urls"))]


def test_a_missing_proposal_is_the_products_404_page(owner_client):
    response = owner_client.get(reverse("alliances:builder", args=[987654]))
    assert response.status_code == 404
    html = response.content.decode()
    assert "Page not found" in html and "not shared with your account" in html
    assert "Sign out" in html  # the layout, with the signed-in header
    assert reverse("home") in html


def test_an_unknown_address_is_the_same_page_signed_out(client):
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_a_form_address_opened_as_a_page_says_so_and_changes_nothing(owner_client, proposal):
    participation = proposal.participations.order_by("pk").last()
    url = reverse("alliances:participation_remove", args=[proposal.pk, participation.pk])
    response = owner_client.get(url)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    html = response.content.decode()
    assert "This address is not a page" in html and "nothing was changed" in html
    assert Participation.objects.filter(pk=participation.pk).exists()


def test_an_expired_form_says_nothing_was_saved(owner, proposal):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(owner)
    participation = proposal.participations.order_by("pk").last()
    response = browser.post(reverse("alliances:participation_remove", args=[proposal.pk, participation.pk]))
    assert response.status_code == 403
    html = response.content.decode()
    assert "The form had expired" in html and "Nothing was saved" in html
    assert Participation.objects.filter(pk=participation.pk).exists()


def test_a_request_that_cannot_be_read_is_the_products_400_page(client):
    response = client.get("/", HTTP_HOST="attacker.example")  # not in ALLOWED_HOSTS
    assert response.status_code == 400
    assert "That request could not be read" in response.content.decode()


def test_a_refusal_and_a_server_error_are_the_products_pages(client, settings):
    settings.ROOT_URLCONF = __name__
    response = client.get("/forbidden/")
    assert response.status_code == 403
    assert "This is not open to your account" in response.content.decode()

    client.raise_request_exception = False
    response = client.get("/boom/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "a bug" not in html and "Traceback" not in html


@pytest.mark.parametrize("debug", [False, True], ids=["production", "debug"])
def test_a_link_with_too_many_parameters_is_the_products_400_page(owner_client, settings, debug):
    settings.DEBUG = debug  # Django's debug page failed on it: a 500
    query = "&".join(f"a{number}=1" for number in range(1200))
    response = owner_client.get(reverse("partners:organisation_list") + "?" + query)
    assert response.status_code == 400
    assert "That request could not be read" in response.content.decode()
