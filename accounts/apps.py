from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The deployment's own checks (config is no app): registered by the lowest app of the project.
        from django.contrib.auth.signals import user_logged_out

        from config import checks  # noqa: F401

        from .views import say_signed_out

        user_logged_out.connect(say_signed_out, dispatch_uid="accounts:say_signed_out")
