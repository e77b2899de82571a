"""The project's URLs plus the yardsticks of bench/pages.py: `bench/bare/` (the same middleware stack, no
database, no template) and two floors of any signed-in page, which the builder page cannot beat."""

from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import include, path


def bare(request):
    return HttpResponse("ok", content_type="text/plain")


@login_required
def signed_in(request):
    """What every signed-in page does before its own work: its session and its user, from the database."""
    return HttpResponse("ok", content_type="text/plain")


@login_required
def layout(request):
    """A signed-in page with the layout every page has (base.html: navigation, the user's name, messages)
    and no content of its own."""
    return render(request, "base.html")


urlpatterns = [
    path("bench/bare/", bare),
    path("bench/signed-in/", signed_in),
    path("bench/layout/", layout),
    path("", include("config.urls")),
]
