from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EligibilityConfig(AppConfig):
    name = "eligibility"
    verbose_name = _("Eligibility")

    def ready(self):
        from partners.signals import charter_countries_requested

        from . import checks, selectors, signals

        signals.connect()
        checks.register()
        # Not among signals.RECEIVERS: those are disconnected to measure a save alone, while this one decides
        # which HEIs the ECHE check looks up.
        charter_countries_requested.connect(
            selectors.charter_countries, dispatch_uid="eligibility:charter_countries"
        )
