"""An archived proposal is read-only: every POST that would change it (its details, co-editors,
participants, invitations) is refused with a message, and nothing changes until its owner restores it."""

from functools import wraps

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from ..selectors import proposal_get_for_user


def refuse_if_archived(view):
    @wraps(view)
    def wrapper(request, pk, *args, **kwargs):
        if request.method == "POST":
            proposal = proposal_get_for_user(user=request.user, pk=pk)  # 404 for anyone else
            if proposal.archived_at is not None:
                messages.error(
                    request,
                    _("%(acronym)s is archived and read-only: nothing was changed. Its owner can restore it.")
                    % {"acronym": proposal.acronym},
                )
                builder = reverse("alliances:builder", args=[pk])
                if request.htmx:
                    response = HttpResponse(status=409)
                    response["HX-Redirect"] = builder
                    return response
                response = redirect(builder)
                response.status_code = 303
                return response
        return view(request, pk, *args, **kwargs)

    return wrapper
