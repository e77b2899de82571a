import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def data(**changes):
    return {
        "email": "New.Coordinator@Example.org",
        "first_name": "Nora",
        "last_name": "New",
        "password1": "erasmus-alliance-2027",
        "password2": "erasmus-alliance-2027",
        **changes,
    }


def test_sign_up_signs_in_and_lands_on_my_proposals(client):
    response = client.post(reverse("signup"), data(), follow=True)
    user = get_user_model().objects.get()
    assert user.email == "new.coordinator@example.org" and user.check_password("erasmus-alliance-2027")
    assert response.context["user"] == user
    html = response.content.decode()
    assert "My proposals" in html and "New proposal" in html and "Welcome" in html


@pytest.mark.parametrize(
    "changes, field",
    [
        ({"email": "not-an-email"}, "email"),
        ({"email": ""}, "email"),
        ({"password2": "something-else-2027"}, "password2"),
        ({"password1": "short", "password2": "short"}, "password1"),
        ({"password1": "password", "password2": "password"}, "password1"),
        ({"password1": "12345678901", "password2": "12345678901"}, "password1"),
        ({"password1": "new.coordinator", "password2": "new.coordinator"}, "password1"),
        ({"first_name": "Ann\u200ba"}, "first_name"),  # a name others see: nothing hidden in it
        ({"last_name": "K\u202eeller"}, "last_name"),
        ({"first_name": "A\x01B"}, "first_name"),
        ({"last_name": "\u3164"}, "last_name"),
    ],
)
def test_sign_up_validates_each_field(client, changes, field):
    response = client.post(reverse("signup"), data(**changes))
    assert response.status_code == 400
    assert field in response.context["form"].errors
    assert not get_user_model().objects.exists()


@pytest.mark.parametrize("typed", ["ANNA@example.org", "anna@\uff45xample.org"])  # a full-width "e"
def test_an_email_already_signed_up_is_refused_whatever_its_case_or_width(client, typed):
    """The full-width spelling got the database constraint's own words ('Constraint
    "accounts_user_email_ci_unique" is violated.')."""
    UserFactory(email="anna@example.org")
    response = client.post(reverse("signup"), data(email=typed))
    assert "already exists" in str(response.context["form"].errors["email"])
    assert "Constraint" not in response.content.decode()
    assert get_user_model().objects.count() == 1


def test_sign_in_page_links_to_sign_up_and_signed_in_users_skip_it(client):
    assert reverse("signup") in client.get(reverse("login")).content.decode()
    client.force_login(UserFactory())
    assert client.get(reverse("signup")).status_code == 302


def test_a_refused_sign_up_says_so_on_top_with_links_to_the_fields(client):
    response = client.post(
        reverse("signup"),
        {
            "email": "ann@example.org",
            "first_name": "Ann",
            "last_name": "Lee",
            "password1": "x",
            "password2": "y",
        },
    )
    page = response.content.decode()
    assert "The account was not created: correct what is marked below." in page
    assert 'href="#id_password2"' in page


def test_two_sign_ups_of_one_address_at_once_give_the_second_the_form_again(client, monkeypatch):
    """Both passed the form's checks before either saved: the second was a 500 (IntegrityError)."""
    from accounts.forms import SignUpForm

    UserFactory(email="New.Coordinator@example.org")  # the first, saved since the second's checks ran:
    monkeypatch.setattr(SignUpForm, "clean_email", lambda form: form.cleaned_data["email"].lower())
    monkeypatch.setattr(SignUpForm, "validate_unique", lambda form: None)  # these found no account yet
    monkeypatch.setattr(get_user_model(), "validate_constraints", lambda user, exclude=None: None)

    response = client.post(reverse("signup"), data())

    assert response.status_code == 400, response.context["form"].errors
    assert "An account with this email address already exists" in response.content.decode()
    assert get_user_model().objects.count() == 1
    assert "_auth_user_id" not in client.session
