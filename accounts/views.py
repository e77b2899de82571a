from django.contrib import messages
from django.contrib.auth import login
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import PasswordChangeView, PasswordResetConfirmView
from django.db import IntegrityError, transaction
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST

from config.background import delay_after_commit

from . import confirmation
from .forms import GuardedPasswordChangeForm, NewPasswordForm, SignUpForm, cool_off_minutes
from .tasks import send_email_confirmation


def _send_confirmation(user) -> bool:
    """The link to confirm the address, emailed by the worker once this transaction commits; False when one
    went out a few minutes ago (the address may be someone else's, who would get each one)."""
    if not confirmation.confirmation_may_be_sent(user):
        return False
    delay_after_commit(send_email_confirmation, user.pk)
    return True


@sensitive_post_parameters("password1", "password2")
@require_http_methods(["GET", "POST"])
def signup(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = SignUpForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                user = form.save()
        except IntegrityError:  # the same address signed up a moment ago, since `clean_email` looked
            form.add_error("email", SignUpForm.ACCOUNT_EXISTS)
            return render(request, "accounts/signup.html", {"form": form}, status=400)
        _send_confirmation(user)
        login(request, user, backend="django.contrib.auth.backends.ModelBackend")
        messages.success(request, _("Welcome! Your account is ready. Start with a new proposal."))
        return redirect("home")
    return render(request, "accounts/signup.html", {"form": form}, status=400 if form.errors else 200)


def say_signed_out(sender, request, user, **kwargs):
    """Signing out says so on the sign-in page it lands on (the message outlives the session: a cookie)."""
    if request is not None and user is not None:
        # Not every sign-out is a page's (the test client's logout(), a script): no messages there.
        messages.success(request, _("You have signed out."), fail_silently=True)


def lockout(request, original_response=None, credentials=None):
    """What a sign-in refused by django-axes (too many failures) shows: a page, status 429, never a 500."""
    from axes.helpers import get_failure_limit

    context = {
        "failure_limit": get_failure_limit(request, credentials),
        "cooloff_minutes": cool_off_minutes(request),
    }
    return render(request, "accounts/lockout.html", context, status=429)


def axes_username(request, credentials=None):
    """The username django-axes records a sign-in attempt under: what was typed, cut to the 255 characters
    its table holds (a longer one was a database error, so a 500, instead of a refused sign-in), in lower
    case."""
    source = credentials if credentials else getattr(request, "POST", {})
    value = source.get("username")
    # One counter per address whatever its case: emails are matched case-insensitively everywhere.
    return None if value is None else str(value).strip().lower()[:255]


class GuardedPasswordChangeView(PasswordChangeView):
    """Django's password change (this session kept, the account's others ended), its current password
    counted by django-axes (GuardedPasswordChangeForm)."""

    form_class = GuardedPasswordChangeForm
    template_name = "accounts/password_change_form.html"
    success_url = reverse_lazy("password_change_done")

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "request": self.request}

    def form_invalid(self, form):
        response = super().form_invalid(form)
        response.status_code = 400  # as every refused form here
        return response


class UnlockingPasswordResetConfirmView(PasswordResetConfirmView):
    """Django's reset by emailed link; a new password set so also ends a sign-in lockout of that address
    (the lockout page sends people here: the link proves the address is theirs), and confirms it."""

    form_class = NewPasswordForm

    def form_valid(self, form):
        from axes.utils import reset

        response = super().form_valid(form)
        reset(username=form.user.email.strip().lower())
        confirmation.email_confirm(form.user)  # the link came to the address: it is theirs
        return response


@never_cache
@require_http_methods(["GET", "POST"])
def email_confirm(request, uidb64, token):
    """The link emailed at sign-up: a page with a button (a mail scanner opening the link confirms nothing),
    which confirms the address. Works signed in or not; once (a link used already is not valid)."""
    user = confirmation.user_confirming(uidb64, token)
    if user is None:
        return render(request, "accounts/email_confirm.html", {"invalid": True}, status=400)
    if request.method == "POST":
        confirmation.email_confirm(user)
        messages.success(request, _("The email address %(email)s is confirmed.") % {"email": user.email})
        return redirect("home")
    return render(request, "accounts/email_confirm.html", {"confirming": user})


@login_required
@require_POST
def email_confirmation_resend(request):
    if request.user.email_confirmed_at is not None:
        messages.info(request, _("Your email address is confirmed already."))
    elif _send_confirmation(request.user):
        messages.success(request, _("A new link is on its way to %(email)s.") % {"email": request.user.email})
    else:
        messages.info(
            request,
            _(
                "A link went to %(email)s less than five minutes ago: look for it (in spam too), or ask "
                "again in five minutes."
            )
            % {"email": request.user.email},
        )
    return redirect("home")
