from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from . import views
from .forms import QueuedPasswordResetForm, SignInForm

urlpatterns = [
    path("signup/", views.signup, name="signup"),
    path("confirm/<str:uidb64>/<str:token>/", views.email_confirm, name="email_confirm"),
    path("confirm-again/", views.email_confirmation_resend, name="email_confirmation_resend"),
    path(
        "login/",
        auth_views.LoginView.as_view(
            template_name="accounts/login.html",
            authentication_form=SignInForm,
            redirect_authenticated_user=True,
        ),
        name="login",
    ),
    # The page is shown only when the sign-out's `next` is the sign-out itself (otherwise it redirects to
    # LOGOUT_REDIRECT_URL): the product's page, not the admin's "Thanks for spending some quality time".
    path("logout/", auth_views.LogoutView.as_view(template_name="accounts/logged_out.html"), name="logout"),
    # Signed in: the password changes here, and every other session of the account ends (Django's session
    # hash); this one stays signed in. Wrong current passwords count toward the sign-in lockout.
    path("password/", views.GuardedPasswordChangeView.as_view(), name="password_change"),
    path(
        "password/changed/",
        auth_views.PasswordChangeDoneView.as_view(template_name="accounts/password_change_done.html"),
        name="password_change_done",
    ),
    path(
        "password-reset/",
        auth_views.PasswordResetView.as_view(
            template_name="accounts/password_reset_form.html",
            success_url=reverse_lazy("password_reset_done"),
            form_class=QueuedPasswordResetForm,
        ),
        name="password_reset",
    ),
    path(
        "password-reset/sent/",
        auth_views.PasswordResetDoneView.as_view(template_name="accounts/password_reset_done.html"),
        name="password_reset_done",
    ),
    path(
        "reset/<uidb64>/<token>/",
        views.UnlockingPasswordResetConfirmView.as_view(
            template_name="accounts/password_reset_confirm.html",
            success_url=reverse_lazy("password_reset_complete"),
        ),
        name="password_reset_confirm",
    ),
    path(
        "reset/done/",
        auth_views.PasswordResetCompleteView.as_view(template_name="accounts/password_reset_complete.html"),
        name="password_reset_complete",
    ),
]
