from django.urls import path

from .views import builder, exports, participants, proposals

app_name = "alliances"

# A participant's URLs extend the participants URL with its id: the table's rows are built from that one
# reversed URL (templates/alliances/partials/participant_rows.html; tests/alliances/test_row_urls.py holds
# them to it), so keep them below it.
urlpatterns = [
    path("new/", proposals.proposal_create, name="proposal_create"),
    path("archived/", proposals.proposal_archived_list, name="proposal_archived_list"),
    path("<int:pk>/", builder.builder, name="builder"),
    path("<int:pk>/edit/", proposals.proposal_update, name="proposal_update"),
    path("<int:pk>/archive/", proposals.proposal_archive, name="proposal_archive"),
    path("<int:pk>/restore/", proposals.proposal_restore, name="proposal_restore"),
    path("<int:pk>/co-editors/", proposals.coeditor_add, name="coeditor_add"),
    path("<int:pk>/co-editors/<int:user_id>/remove/", proposals.coeditor_remove, name="coeditor_remove"),
    path("<int:pk>/co-editors/leave/", proposals.coeditor_leave, name="coeditor_leave"),
    path("<int:pk>/changed/", builder.proposal_changed, name="proposal_changed"),
    path("<int:pk>/participants/", builder.participants_fragment, name="participants"),
    path(
        "<int:pk>/participants/search/", participants.organisation_search_fragment, name="organisation_search"
    ),
    path("<int:pk>/participants/add/", participants.participation_add, name="participation_add"),
    path(
        "<int:pk>/participants/new-organisation/",
        participants.organisation_create_in_place,
        name="organisation_create",
    ),
    path(
        "<int:pk>/participants/<int:participation_id>/",
        participants.participation_row,
        name="participation_row",
    ),
    path(
        "<int:pk>/participants/<int:participation_id>/edit/",
        participants.participation_edit,
        name="participation_edit",
    ),
    path(
        "<int:pk>/participants/<int:participation_id>/remove/",
        participants.participation_remove,
        name="participation_remove",
    ),
    path(
        "<int:pk>/participants/<int:participation_id>/eche/", builder.eche_fragment, name="participation_eche"
    ),
    path("<int:pk>/eligibility/", builder.eligibility_fragment, name="eligibility"),
    path("<int:pk>/eligibility/suggestions/", builder.suggestions_fragment, name="suggestions"),
    path("<int:pk>/history/", builder.history_fragment, name="history"),
    path("<int:pk>/export.csv", exports.export, {"kind": "csv"}, name="export_csv"),
    path("<int:pk>/export.xlsx", exports.export, {"kind": "xlsx"}, name="export_xlsx"),
    path("<int:pk>/summary/", exports.summary, name="summary"),
]
