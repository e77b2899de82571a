from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        # The deployment's own checks (config is no app): registered by the lowest app of the project.
        from config import checks  # noqa: F401
