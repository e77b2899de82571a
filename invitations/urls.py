from django.urls import path

from . import views

app_name = "invitations"

COORDINATOR = "proposals/<int:pk>/participants/<int:participation_id>/invitation/"

urlpatterns = [
    # Partner pages: no account needed.
    path("invite/answer/<int:pk>/", views.answer, name="answer"),
    path("invite/answer/<int:pk>/confirm/", views.confirm, name="confirm"),
    path("invite/answer/<int:pk>/decline/", views.decline, name="decline"),
    path("invite/answer/<int:pk>/done/", views.done, name="done"),
    path("invite/<str:token>/", views.link, name="link"),
    # Coordinator actions on the builder page.
    path(COORDINATOR + "send/", views.invitation_send, name="send"),
    path(COORDINATOR + "resend/", views.invitation_resend, name="resend"),
    path(COORDINATOR + "revoke/", views.invitation_revoke, name="revoke"),
    path("proposals/<int:pk>/audit-trail/", views.audit_trail_fragment, name="audit_trail"),
]
