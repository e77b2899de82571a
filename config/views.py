import redis
from django.conf import settings
from django.db import connection
from django.http import JsonResponse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe


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
@require_safe
def healthz(request):
    """Each component's status, and 503 when the site cannot work: the database is down. With Redis down it
    works (pages render, saves succeed, tasks wait or run here): 200, "degraded", naming what is down, so an
    orchestrator does not take a working site for a dead one."""
    components = health_components()
    if components["database"] != "ok":
        status, code = "down", 503
    elif any(state != "ok" for state in components.values()):
        status, code = "degraded", 200
    else:
        status, code = "ok", 200
    return JsonResponse({"status": status, "components": components}, status=code)
