"""Ask the configured ECHE source one question and say whether it answers as it should: a wrong
ECHE_API_URL (a 404, an HTML page) is reported here, rather than read as "no charter" by every check."""

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from partners.eche.sources import HttpSource, RegistrySource, SourceError

# An Erasmus code no institution has: the service must answer it with an empty JSON list.
PROBE_CODE = "ZZ PROBE99"


class Command(BaseCommand):
    help = "Check that the configured ECHE source (ECHE_SOURCE, ECHE_API_URL) answers as it should."

    def handle(self, *args, **options):
        if settings.ECHE_SOURCE != "http":
            source = RegistrySource()
            if source.current is None:
                raise CommandError("ECHE_SOURCE is “registry” but no ECHE list is imported yet.")
            self.stdout.write(f"ECHE source: the imported list, {source.label}.")
            return
        try:
            source = HttpSource()
            source.lookup({"erasmus_code": PROBE_CODE, "pic": "", "oid": ""})
        except SourceError as error:
            raise CommandError(str(error)) from error
        self.stdout.write(f"ECHE source: {source.label} answers as the ECHE List API.")
