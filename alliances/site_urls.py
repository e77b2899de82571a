"""The product's pages outside /proposals/, at the URLs and names they always had: the home page ("home",
where signing in leads) and the organisation page, which shows the user's proposals the organisation is in."""

from django.urls import path

from .views import curation, proposals

urlpatterns = [
    path("", proposals.home, name="home"),
    path("organisations/<int:pk>/", proposals.organisation_detail, name="organisation_detail"),
    path("organisations/<int:pk>/correct/", curation.organisation_correct_view, name="organisation_correct"),
]
