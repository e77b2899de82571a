from django import forms
from django.contrib.auth import authenticate, get_user_model, password_validation
from django.contrib.auth.forms import (
    AuthenticationForm,
    PasswordChangeForm,
    PasswordResetForm,
    SetPasswordForm,
)
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from config.background import delay_after_commit

from .confirmation import password_reset_may_be_sent

# The second password box, worded as at sign-up wherever a password is chosen (Django's reads "New password
# confirmation: Enter the same password as before, for verification").
PASSWORD_AGAIN = _("Password again")
PASSWORD_AGAIN_HELP = _("The same password, to catch typing mistakes.")
PASSWORDS_DIFFER = _("The two passwords differ.")


# A refused password says how many are left when this few are: the lockout page should not come as a surprise.
WARN_WHEN_ATTEMPTS_LEFT = 2


def cool_off_minutes(request) -> int | None:
    """How long django-axes refuses sign-in once the limit is reached, in whole minutes (None: for ever)."""
    from axes.helpers import get_cool_off

    cool_off = get_cool_off(request)
    return max(1, round(cool_off.total_seconds() / 60)) if cool_off else None


def with_attempts_left(error: forms.ValidationError, request, username: str) -> forms.ValidationError:
    """A refused password's error, and beside it how many attempts are left when at most
    WARN_WHEN_ATTEMPTS_LEFT are before the lockout page (django-axes counts by client address and username
    together, so "here")."""
    warning = _attempts_left(request, username)
    return forms.ValidationError([error, warning]) if warning else error


def _attempts_left(request, username: str) -> forms.ValidationError | None:
    from axes.handlers.proxy import AxesProxyHandler
    from axes.helpers import get_failure_limit

    credentials = {"username": username}
    left = get_failure_limit(request, credentials) - AxesProxyHandler.get_failures(request, credentials)
    if not 0 < left <= WARN_WHEN_ATTEMPTS_LEFT:
        return None
    minutes = cool_off_minutes(request)
    if minutes is None:
        message = ngettext(
            "%(count)d attempt left before signing in with this email address is refused here.",
            "%(count)d attempts left before signing in with this email address is refused here.",
            left,
        )
    else:
        message = ngettext(
            "%(count)d attempt left before signing in with this email address is paused here for "
            "%(minutes)d minutes.",
            "%(count)d attempts left before signing in with this email address is paused here for "
            "%(minutes)d minutes.",
            left,
        )
    return forms.ValidationError(message % {"count": left, "minutes": minutes}, code="attempts_left")


class SignInForm(AuthenticationForm):
    """Django's, saying what is true here: an email address is found whatever its case (Django's message
    said both fields "may be case-sensitive")."""

    error_messages = {
        **AuthenticationForm.error_messages,
        "invalid_login": _(
            "Please enter a correct email address and password. The password is case-sensitive; the email "
            "address is not."
        ),
    }

    def get_invalid_login_error(self):
        return with_attempts_left(
            super().get_invalid_login_error(), self.request, self.cleaned_data.get("username", "")
        )


class SignUpForm(forms.ModelForm):
    """A coordinator's account: email, name and a password that passes the configured validators."""

    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=password_validation.password_validators_help_text_html(),
    )
    password2 = forms.CharField(
        label=PASSWORD_AGAIN,
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=PASSWORD_AGAIN_HELP,
    )

    ACCOUNT_EXISTS = _("An account with this email address already exists. Sign in, or reset your password.")

    class Meta:
        model = get_user_model()
        fields = ["email", "first_name", "last_name"]
        labels = {"email": _("Email address"), "first_name": _("First name"), "last_name": _("Last name")}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs.update(autocomplete="email", autofocus=True)
        self.fields["first_name"].widget.attrs.update(autocomplete="given-name")
        self.fields["last_name"].widget.attrs.update(autocomplete="family-name")

    def clean_email(self):
        # As the account will store it (NFKC, as Django normalises a username: "alice@ｐrobe.test" is
        # alice@probe.test, found here rather than by the database's constraint, named in its message).
        user_model = get_user_model()
        email = user_model.normalize_username(user_model.objects.normalize_email(self.cleaned_data["email"]))
        email = email.strip().lower()
        if user_model.objects.with_address(email).exists():
            raise forms.ValidationError(self.ACCOUNT_EXISTS)
        return email

    def clean(self):
        cleaned = super().clean()
        password1, password2 = cleaned.get("password1"), cleaned.get("password2")
        if password1 and password2 and password1 != password2:
            self.add_error("password2", PASSWORDS_DIFFER)
        elif password1:
            user = self.instance
            user.email = cleaned.get("email", "")
            user.first_name = cleaned.get("first_name", "")
            user.last_name = cleaned.get("last_name", "")
            try:
                password_validation.validate_password(password1, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned

    def save(self, commit=True):
        user = super().save(commit=False)
        user.set_password(self.cleaned_data["password1"])
        if commit:
            user.save()
        return user


class QueuedPasswordResetForm(PasswordResetForm):
    """Django's form, except that each email is queued (after commit) for the worker to send; with the broker
    down, a thread of this process sends it (it was lost, though the page said it was sent). One email per
    account every five minutes at most (anyone could have the site send an address any number)."""

    def save(self, **kwargs):
        from .tasks import send_password_reset

        for user in self.get_users(self.cleaned_data["email"]):
            # The page says the same either way: whether an email went is the address holder's to know.
            if password_reset_may_be_sent(user):
                delay_after_commit(send_password_reset, user.pk)


class NewPasswordForm(SetPasswordForm):
    """Django's form for a new password (the reset by emailed link), worded as sign-up words it."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["new_password2"].label = PASSWORD_AGAIN
        self.fields["new_password2"].help_text = PASSWORD_AGAIN_HELP
        # Django's reads "The two password fields didn't match"; sign-up says it so.
        self.error_messages = {**self.error_messages, "password_mismatch": PASSWORDS_DIFFER}


class GuardedPasswordChangeForm(NewPasswordForm, PasswordChangeForm):
    """Django's form, with the current password checked by `authenticate()`: a wrong one counts toward
    django-axes' lockout as a failed sign-in does, so a session left open cannot be used to guess the
    password at will (the lockout page answers once the limit is reached)."""

    # The field is "Current password" (Django's message said "Your old password was entered incorrectly").
    error_messages = {
        **PasswordChangeForm.error_messages,
        "password_incorrect": _("This is not your current password. Enter it again."),
    }

    def __init__(self, user, *args, request=None, **kwargs):
        super().__init__(user, *args, **kwargs)
        self.request = request
        self.fields["old_password"].label = _("Current password")

    def clean_old_password(self):
        old_password = self.cleaned_data["old_password"]
        username = self.user.get_username()
        if authenticate(self.request, username=username, password=old_password) is None:
            error = forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
            raise with_attempts_left(error, self.request, username)
        return old_password
