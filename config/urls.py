from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from . import views

urlpatterns = [
    path("", include("alliances.site_urls")),
    path("healthz", views.healthz, name="healthz"),
    path(
        "favicon.ico",
        RedirectView.as_view(url="/static/img/favicon.svg", permanent=True),
    ),
    path("accounts/", include("accounts.urls")),
    path("proposals/", include("alliances.urls")),
    path("organisations/", include("partners.urls")),
    path("", include("invitations.urls")),
    path("admin/", admin.site.urls),
]
