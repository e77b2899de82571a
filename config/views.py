import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET


def _database() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1")
    return "ok"


def _redis(url: str) -> str:
    client = redis.Redis.from_url(url, socket_connect_timeout=2, socket_timeout=2)
    try:
        client.ping()
    finally:
        client.close()
    return "ok"


def health_components() -> dict[str, str]:
    """Each component the app needs, and "ok" or why it is down. Redis only where it is configured."""
    probes = {"database": _database}
    if settings.CELERY_BROKER_URL.startswith(("redis://", "rediss://")):
        probes["broker"] = lambda: _redis(settings.CELERY_BROKER_URL)
    if settings.REDIS_CACHE_URL:
        probes["cache"] = lambda: _redis(settings.REDIS_CACHE_URL)
    components = {}
    for name, probe in probes.items():
        try:
            components[name] = probe()
        except Exception as error:  # any failure means "down", and says which
            components[name] = f"down: {error.__class__.__name__}"
    return components


@never_cache
@require_GET
def healthz(request):
    """200 with each component's status when all answer; 503 naming what is down otherwise."""
    components = health_components()
    healthy = all(status == "ok" for status in components.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", "components": components}, status=200 if healthy else 503
    )
