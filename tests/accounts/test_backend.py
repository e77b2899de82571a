"""The signed-in user of each request is read with a prepared statement, and is the user Django would load."""

import pytest
from django.contrib.auth import backends as django_backends
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.backends import ModelBackend
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fields(user) -> dict:
    return {field.attname: getattr(user, field.attname) for field in type(user)._meta.concrete_fields}


def test_loads_the_user_django_would_load():
    user = UserFactory(first_name="Ada", last_name="Lovelace", is_staff=True)
    ours = ModelBackend().get_user(user.pk)
    django = django_backends.ModelBackend().get_user(user.pk)
    assert type(ours) is type(django)
    assert fields(ours) == fields(django)
    assert ours._state.adding is False and ours._state.db == "default"


def test_unknown_and_inactive_users_are_nobody():
    user = UserFactory(is_active=False)
    assert ModelBackend().get_user(user.pk) is None
    assert ModelBackend().get_user(user.pk + 1000) is None


@pytest.mark.skipif(connection.vendor != "postgresql", reason="prepared statements are PostgreSQL's")
def test_one_prepared_statement_per_request():
    user = UserFactory()
    ModelBackend().get_user(user.pk)
    with CaptureQueriesContext(connection) as queries:
        ModelBackend().get_user(user.pk)
    assert [query["sql"] for query in queries] == [f"EXECUTE alliance_builder_user_v1 ({user.pk})"]


def test_a_deactivated_user_is_signed_out_on_the_next_request(client):
    user = UserFactory()
    client.force_login(user, backend="accounts.backends.ModelBackend")
    assert client.get(reverse("alliances:proposal_create")).status_code == 200
    user.is_active = False
    user.save()
    response = client.get(reverse("alliances:proposal_create"))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_signing_in_uses_this_backend(client):
    user = UserFactory(email="ada@example.org")
    user.set_password("a-long-password-2026")
    user.save()
    credentials = {"username": "ada@example.org", "password": "a-long-password-2026"}
    response = client.post(reverse("login"), credentials)
    assert response.status_code == 302
    assert client.session["_auth_user_backend"] == "accounts.backends.ModelBackend"
