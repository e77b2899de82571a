"""The builder page and the fragments it loads or refreshes in place.

The page is three parts: a header and the add-participant form, rendered on every request (they show the
owner's name and choices from the directory), and two fragments, the participants table and the
eligibility panel, which `alliances.rendering` caches under what they show. The panel's gap suggestions
come from the whole directory, so they are a fragment of their own, never cached, which the panel loads.
"""

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, render
from django.template.loader import render_to_string
from django.views.decorators.http import require_safe
from django_htmx.http import HTMX_STOP_POLLING, trigger_client_event

from partners.forms import OrganisationSearchForm

from ..models import Participation
from ..rendering import render_fragment, render_fragments
from ..selectors import (
    SUGGESTING_CRITERIA,
    builder_participations,
    eligibility_history,
    gap_suggestions,
    mark_charter_required,
    proposal_get_for_user,
)
from .curation import tell_outcomes

MODES = ("projected", "confirmed")
ELIGIBILITY_EVENT = "eligibility-changed"
PARTICIPANTS_TEMPLATE = "alliances/partials/participants.html"
PANEL_TEMPLATE = "alliances/partials/eligibility_panel.html"


def request_mode(request) -> str:
    mode = request.GET.get("mode") or (request.POST.get("mode") if request.method == "POST" else None)
    return mode if mode in MODES else MODES[0]


def participation_or_404(proposal, participation_id) -> Participation:
    return get_object_or_404(
        Participation.objects.select_related(
            "organisation__country", "organisation__type", "affiliated_to__organisation"
        ),
        pk=participation_id,
        proposal=proposal,
    )


def report_evaluation(proposal, mode):
    report = getattr(proposal, "eligibility_report", None)
    if report is None:
        return None, None
    return report, (report.projected if mode == "projected" else report.confirmed) or None


def rows_context(proposal, participations) -> dict:
    """The table's rows (participant_rows.html reverses the URLs they extend once, not once per cell)."""
    return {"proposal": proposal, "participations": participations}


def awaiting_confirmations(proposal, mode) -> set[str]:
    """Criteria that fail in confirmed mode but pass in projected mode: confirmations would fix them, not
    new organisations."""
    report = getattr(proposal, "eligibility_report", None)
    if mode != "confirmed" or report is None:
        return set()
    return {c["code"] for c in (report.projected or {}).get("criteria", []) if c["status"] == "pass"}


def _suggests(criterion, awaiting: set[str]) -> bool:
    """A failing criterion that directory organisations could fix: the panel leaves a slot for them."""
    return (
        criterion["status"] == "fail"
        and criterion["code"] in SUGGESTING_CRITERIA
        and criterion["code"] not in awaiting
    )


def panel_context(proposal, mode) -> dict:
    report, evaluation = report_evaluation(proposal, mode)
    awaiting = awaiting_confirmations(proposal, mode)
    criteria = [{**c, "suggests": _suggests(c, awaiting)} for c in (evaluation or {}).get("criteria", [])]
    return {
        "proposal": proposal,
        "report": report,
        "evaluation": evaluation,
        "criteria": criteria,
        "mode": mode,
        "modes": MODES,
        "failing": sum(1 for c in criteria if c["status"] == "fail"),
        # An archived proposal is read-only: nothing to add from the directory.
        "suggesting": not proposal.archived_at and any(c["suggests"] for c in criteria),
        "history": eligibility_history(proposal=proposal, mode=mode, limit=15),
    }


def participants_html(request, proposal):
    return render_fragment(
        request,
        PARTICIPANTS_TEMPLATE,
        proposal=proposal,
        context=lambda: rows_context(proposal, builder_participations(proposal=proposal)),
    )


def participants_with_version_html(request, proposal) -> str:
    """The participants table with the version it shows (out of band), so that a change made from it is not
    taken for a stale one."""
    html = participants_html(request, proposal)
    return html + render_to_string(
        "alliances/partials/version_oob.html", {"proposal": proposal}, request=request
    )


@login_required
@require_safe
def builder(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    tell_outcomes(request)
    mode = request_mode(request)
    participants, panel = render_fragments(
        request,
        [(PARTICIPANTS_TEMPLATE, None), (PANEL_TEMPLATE, mode)],
        proposal=proposal,
        context=lambda: {
            **rows_context(proposal, builder_participations(proposal=proposal)),
            **panel_context(proposal, mode),
        },
    )
    context = {
        "proposal": proposal,
        "participants": participants,
        "panel": panel,
        "search_form": OrganisationSearchForm(),
        "poll_seconds": settings.BUILDER_POLL_SECONDS,
    }
    return render(request, "alliances/builder.html", context)


@login_required
@require_safe
def proposal_changed(request, pk):
    """Whether the proposal changed since the version the page shows (a partner's answer, a co-editor's
    save): 200 if it did, for the page to refresh its table and panel, else 204. Polled by app.js while a
    builder page is on screen."""
    proposal = proposal_get_for_user(user=request.user, pk=pk, related=())
    return HttpResponse(status=204 if request.GET.get("version") == str(proposal.version) else 200)


@login_required
@require_safe
def participants_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    return HttpResponse(participants_with_version_html(request, proposal))


@login_required
@require_safe
def eligibility_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    mode = request_mode(request)
    panel = render_fragment(
        request, PANEL_TEMPLATE, proposal=proposal, mode=mode, context=lambda: panel_context(proposal, mode)
    )
    return HttpResponse(panel)


@login_required
@require_safe
def suggestions_fragment(request, pk):
    """Directory organisations that would fix each failing criterion, swapped into the panel's slots.

    Never cached: they follow the directory, which changes without the proposal knowing.
    """
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    mode = request_mode(request)
    _report, evaluation = report_evaluation(proposal, mode)
    awaiting = awaiting_confirmations(proposal, mode)
    suggestions = gap_suggestions(
        proposal=proposal,
        evaluation=evaluation,
        participations=builder_participations(proposal=proposal),
    )
    context = {
        "proposal": proposal,
        "criteria": [
            (criterion["code"], suggestions.get(criterion["code"], []))
            for criterion in (evaluation or {}).get("criteria", [])
            if _suggests(criterion, awaiting)
        ],
    }
    return render(request, "alliances/partials/suggestions.html", context)


@login_required
@require_safe
def history_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    mode = request_mode(request)
    context = {
        "proposal": proposal,
        "mode": mode,
        "history": eligibility_history(proposal=proposal, mode=mode),
    }
    return render(request, "alliances/partials/history.html", context)


@login_required
@require_safe
def eche_fragment(request, pk, participation_id):
    """The ECHE badge of one participant, polled every few seconds while its check is pending."""
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    participation = participation_or_404(proposal, participation_id)
    mark_charter_required(proposal=proposal, participations=[participation])
    organisation = participation.organisation
    response = render(
        request,
        "partners/partials/eche_badge.html",
        {"organisation": organisation, "proposal": proposal, "participation": participation, "poll": True},
    )
    if organisation.eche_check_awaited:
        return response
    report = getattr(proposal, "eligibility_report", None)
    if (
        report is not None
        and organisation.eche_checked_at
        and report.evaluated_at < organisation.eche_checked_at
    ):
        # The outcome is in, the re-evaluation it causes is not yet: keep polling, change nothing yet.
        return HttpResponse(status=204)
    # Stop polling; the panel refreshes to show the new ECHE outcome.
    response.status_code = HTMX_STOP_POLLING
    return trigger_client_event(response, ELIGIBILITY_EVENT)
