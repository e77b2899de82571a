"""System checks of the deployment's configuration (`manage.py check --deploy`)."""

from django.conf import settings
from django.core import checks


@checks.register(checks.Tags.caches, deploy=True)
def check_shared_cache(app_configs=None, **kwargs):
    """Production needs the shared cache: the invite-link rate limit counts in it, across every web process
    (a local-memory cache gives each process a limit of its own)."""
    if settings.REDIS_CACHE_URL:
        return []
    return [
        checks.Error(
            "REDIS_CACHE_URL is not set: production needs the shared Redis cache.",
            hint="Set REDIS_CACHE_URL, e.g. redis://redis:6379/1 (see the README's configuration table).",
            id="config.E001",
        )
    ]
