"""The consortium as CSV or Excel, and the printable summary."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _
from django.views.decorators.http import require_safe

from ..exports import participants_csv, participants_xlsx
from ..selectors import builder_participations, proposal_get_for_user
from .builder import report_evaluation

EXPORTERS = {"csv": participants_csv, "xlsx": participants_xlsx}


@login_required
@require_safe
def export(request, pk, kind):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    response = EXPORTERS[kind](proposal=proposal, participations=builder_participations(proposal=proposal))
    # The consortium's contacts: never kept by a shared cache or on disk by the browser.
    patch_cache_control(response, private=True, no_store=True)
    return response


@login_required
@require_safe
def summary(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    context = {
        "proposal": proposal,
        "participations": builder_participations(proposal=proposal),
        "evaluations": [
            (_("projected"), report_evaluation(proposal, "projected")[1]),
            (_("confirmed"), report_evaluation(proposal, "confirmed")[1]),
        ],
        "report": getattr(proposal, "eligibility_report", None),
        "co_editors": list(proposal.co_editors.order_by("email")),
    }
    return render(request, "alliances/summary.html", context)
