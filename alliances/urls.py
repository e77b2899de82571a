from django.urls import path

from . import views

app_name = "alliances"

urlpatterns = [
    path("new/", views.proposal_create, name="proposal_create"),
    path("archived/", views.proposal_archived_list, name="proposal_archived_list"),
    path("<int:pk>/", views.builder, name="builder"),
    path("<int:pk>/edit/", views.proposal_update, name="proposal_update"),
    path("<int:pk>/archive/", views.proposal_archive, name="proposal_archive"),
    path("<int:pk>/restore/", views.proposal_restore, name="proposal_restore"),
    path("<int:pk>/co-editors/", views.coeditor_add, name="coeditor_add"),
    path("<int:pk>/co-editors/<int:user_id>/remove/", views.coeditor_remove, name="coeditor_remove"),
    path("<int:pk>/participants/", views.participants_fragment, name="participants"),
    path("<int:pk>/participants/search/", views.organisation_search_fragment, name="organisation_search"),
    path("<int:pk>/participants/add/", views.participation_add, name="participation_add"),
    path(
        "<int:pk>/participants/new-organisation/",
        views.organisation_create_in_place,
        name="organisation_create",
    ),
    path("<int:pk>/participants/<int:participation_id>/", views.participation_row, name="participation_row"),
    path(
        "<int:pk>/participants/<int:participation_id>/edit/",
        views.participation_edit,
        name="participation_edit",
    ),
    path(
        "<int:pk>/participants/<int:participation_id>/remove/",
        views.participation_remove,
        name="participation_remove",
    ),
    path(
        "<int:pk>/participants/<int:participation_id>/eche/", views.eche_fragment, name="participation_eche"
    ),
    path("<int:pk>/eligibility/", views.eligibility_fragment, name="eligibility"),
    path("<int:pk>/history/", views.history_fragment, name="history"),
    path("<int:pk>/export.csv", views.export, {"kind": "csv"}, name="export_csv"),
    path("<int:pk>/export.xlsx", views.export, {"kind": "xlsx"}, name="export_xlsx"),
    path("<int:pk>/summary/", views.summary, name="summary"),
]
