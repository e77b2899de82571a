"""An archived proposal is read-only: every POST that would change it (its details, co-editors,
participants, invitations) is refused with a message, and nothing changes until its owner restores it; the
participants' forms are refused as they are opened (from a page older than the archiving, or typed)."""

from functools import wraps

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ..selectors import proposal_get_for_user


def _refuse_if_archived(methods: set[str]):
    def decorator(view):
        @wraps(view)
        def wrapper(request, pk, *args, **kwargs):
            if request.method in methods:
                proposal = proposal_get_for_user(user=request.user, pk=pk)  # 404 for anyone else
                if proposal.archived_at is not None:
                    return _refused(request, proposal)
            return view(request, pk, *args, **kwargs)

        return wrapper

    return decorator


def _refused(request, proposal):
    if request.method == "POST":
        said = _("%(acronym)s is archived and read-only: nothing was changed. Its owner can restore it.")
    else:
        said = _("%(acronym)s is archived and read-only. Its owner can restore it.")
    messages.error(request, said % {"acronym": proposal.acronym})
    builder = reverse("alliances:builder", args=[proposal.pk])
    if request.htmx:
        response = HttpResponse(status=409)
        response["HX-Redirect"] = builder
        return response
    response = redirect(builder)
    response.status_code = 303
    return response


refuse_if_archived = _refuse_if_archived({"POST"})
# The participants' forms (add, create in place, change): an archived proposal offers them nowhere.
refuse_forms_if_archived = _refuse_if_archived({"GET", "POST"})
