from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from alliances.selectors import proposals_for_user


@login_required
def home(request):
    return render(request, "home.html", {"proposals": proposals_for_user(user=request.user)})


@never_cache
@require_GET
def healthz(request):
    """200 when the database answers, 503 naming what is down otherwise."""
    components = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        components["database"] = "ok"
    except Exception as exc:
        components["database"] = f"down: {exc.__class__.__name__}"
    healthy = all(value == "ok" for value in components.values())
    return JsonResponse(
        {"status": "ok" if healthy else "down", "components": components}, status=200 if healthy else 503
    )
