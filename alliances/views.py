"""Proposal pages and the consortium builder. Thin: forms validate, services write, selectors read.

Every view looks the proposal up through `proposal_get_for_user`, so anyone but the owner and co-editors
gets a 404. htmx requests get fragments rendered from the same partial templates as the full page;
other requests get the full page or a redirect, so every action also works without JavaScript.
"""

import functools
import hashlib
import threading
import time
from collections import OrderedDict
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.cache import caches
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.db import transaction
from django.http import Http404, HttpResponse
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.connection import ConnectionProxy
from django.utils.safestring import mark_safe
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import trigger_client_event

from eligibility.rules import AIMS
from partners.forms import OrganisationForm
from partners.models import EcheStatus, Organisation
from partners.selectors import organisation_search
from partners.services import organisation_create

from . import exports, services
from .forms import (
    CoeditorForm,
    OrganisationSearchForm,
    ParticipationAddForm,
    ParticipationChangeForm,
    ParticipationForm,
    ProposalForm,
    is_tampered,
)
from .models import Participation, Role
from .selectors import (
    builder_page_stamp,
    builder_participations,
    eligibility_history,
    gap_suggestions,
    proposal_activities,
    proposal_get_for_user,
    proposals_for_user,
)

MODES = ("projected", "confirmed")
SEARCH_RESULTS = 20
ELIGIBILITY_EVENT = "eligibility-changed"


# --- Helpers -------------------------------------------------------------------------------------------


def _mode(request) -> str:
    mode = request.GET.get("mode") or (request.POST.get("mode") if request.method == "POST" else None)
    return mode if mode in MODES else MODES[0]


def _expected_version(request) -> int:
    """The version the page was rendered from. Missing or malformed means a tampered request: 400."""
    try:
        version = int(request.POST.get("version", ""))
    except (TypeError, ValueError):
        raise BadRequest("version") from None
    if version < 1:
        raise BadRequest("version")
    return version


def _participation(proposal, participation_id) -> Participation:
    return get_object_or_404(
        Participation.objects.select_related("organisation__country", "organisation__type", "affiliated_to"),
        pk=participation_id,
        proposal=proposal,
    )


def _report_evaluation(proposal, mode):
    report = getattr(proposal, "eligibility_report", None)
    if report is None:
        return None, None
    return report, (report.projected if mode == "projected" else report.confirmed) or None


def _panel_context(proposal, participations, mode) -> dict:
    report, evaluation = _report_evaluation(proposal, mode)
    suggestions = gap_suggestions(
        proposal=proposal, evaluation=evaluation, participations=participations, mode=mode
    )
    criteria = []
    for criterion in (evaluation or {}).get("criteria", []):
        criteria.append({**criterion, "suggestions": suggestions.get(criterion["code"], [])})
    return {
        "report": report,
        "evaluation": evaluation,
        "criteria": criteria,
        "mode": mode,
        "modes": MODES,
        "failing": sum(1 for c in criteria if c["status"] == "fail"),
    }


def _table_context(proposal, participations=None) -> dict:
    participations = builder_participations(proposal=proposal) if participations is None else participations
    return {"proposal": proposal, "participations": participations}


def _htmx_change_response(request, proposal, *, extra_html: str = "", status=200) -> HttpResponse:
    """After a change: the participants table, the new version and the messages.

    The eligibility panel refreshes itself.
    """
    context = _table_context(proposal)
    html = render_to_string("alliances/partials/participants.html", context, request=request)
    html += render_to_string("alliances/partials/version_oob.html", {"proposal": proposal}, request=request)
    html += render_to_string(
        "alliances/partials/messages_oob.html", {"extra_html": extra_html}, request=request
    )
    response = HttpResponse(html, status=status)
    response["HX-Retarget"] = "#participants"
    response["HX-Reswap"] = "outerHTML"
    return trigger_client_event(response, ELIGIBILITY_EVENT)


def _stale_html(request, exc: services.StaleProposal) -> str:
    return render_to_string("alliances/partials/stale_alert.html", {"changes": exc.changes}, request=request)


def _after_change(request, proposal_pk, message):
    proposal = proposal_get_for_user(user=request.user, pk=proposal_pk)
    if message:
        messages.success(request, message)
    if request.htmx:
        return _htmx_change_response(request, proposal)
    return redirect("alliances:builder", pk=proposal.pk)


def _after_stale(request, proposal_pk, exc):
    proposal = proposal_get_for_user(user=request.user, pk=proposal_pk)
    if request.htmx:
        return _htmx_change_response(request, proposal, extra_html=_stale_html(request, exc))
    messages.warning(request, _("Nothing was saved: someone changed the proposal since you opened the page."))
    return redirect("alliances:builder", pk=proposal.pk)


def _form_errors_to(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


# --- Proposals -----------------------------------------------------------------------------------------


@login_required
@require_GET
def proposal_archived_list(request):
    proposals = proposals_for_user(user=request.user, include_archived=True).filter(archived_at__isnull=False)
    return render(request, "alliances/proposal_archived.html", {"proposals": proposals})


@login_required
@require_http_methods(["GET", "POST"])
def proposal_create(request):
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        proposal = services.proposal_create(owner=request.user, **form.service_kwargs())
        messages.success(
            request,
            _(
                "Proposal %(acronym)s created. Now add its participants: the checklist on the right "
                "shows what is still missing."
            )
            % {"acronym": proposal.acronym},
        )
        return redirect("alliances:builder", pk=proposal.pk)
    return render(request, "alliances/proposal_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
def proposal_update(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    form = ProposalForm(request.POST or None, instance=proposal)
    stale = None
    if request.method == "POST" and form.is_valid():
        try:
            services.proposal_update(
                proposal=proposal,
                actor=request.user,
                expected_version=form.cleaned_data["version"],
                **form.service_kwargs(),
            )
        except services.StaleProposal as exc:
            stale = exc
        else:
            messages.success(request, _("Proposal details saved."))
            return redirect("alliances:builder", pk=proposal.pk)
    if stale is not None:
        fresh = proposal_get_for_user(user=request.user, pk=pk)
        # Keep what the user typed, show what is stored now, and let a resubmit apply it knowingly.
        data = request.POST.copy()
        data["version"] = str(fresh.version)
        form = ProposalForm(data, instance=fresh)
        form.is_valid()
        proposal = fresh
    context = {
        "form": form,
        "proposal": proposal,
        "stale": stale,
        "stale_changes": stale.changes if stale else [],
        "coeditor_form": CoeditorForm(initial={"version": proposal.version}),
        "co_editors": list(proposal.co_editors.order_by("email")),
        "is_owner": proposal.owner_id == request.user.pk,
        "activities": proposal_activities(proposal=proposal),
    }
    status = 409 if stale else (400 if form.errors else 200)
    return render(request, "alliances/proposal_form.html", context, status=status)


@login_required
@require_POST
def proposal_archive(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    services.proposal_archive(proposal=proposal, actor=request.user)
    messages.success(
        request,
        _("%(acronym)s archived. You find it under “Archived proposals”, where you can restore it.")
        % {"acronym": proposal.acronym},
    )
    return redirect("home")


@login_required
@require_POST
def proposal_restore(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    services.proposal_restore(proposal=proposal, actor=request.user)
    messages.success(request, _("%(acronym)s restored.") % {"acronym": proposal.acronym})
    return redirect("alliances:builder", pk=proposal.pk)


@login_required
@require_POST
def coeditor_add(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if proposal.owner_id != request.user.pk:
        raise PermissionDenied
    form = CoeditorForm(request.POST)
    if form.is_valid():
        try:
            user = services.coeditor_add(
                proposal=proposal,
                email=form.cleaned_data["email"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            _form_errors_to(form, exc)
        except services.StaleProposal:
            messages.warning(request, _("Nothing was saved: the proposal changed meanwhile. Try again."))
            return redirect("alliances:proposal_update", pk=pk)
        else:
            messages.success(request, _("%(email)s can now edit this proposal.") % {"email": user.email})
            return redirect("alliances:proposal_update", pk=pk)
    if is_tampered(form, ["version"]) or form.has_error("version"):
        raise BadRequest("version")
    for error in form.errors.get("email", []):
        messages.error(request, error)
    return redirect("alliances:proposal_update", pk=pk)


@login_required
@require_POST
def coeditor_remove(request, pk, user_id):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if proposal.owner_id != request.user.pk:
        raise PermissionDenied
    user = get_object_or_404(proposal.co_editors.all(), pk=user_id)
    try:
        services.coeditor_remove(
            proposal=proposal, user=user, actor=request.user, expected_version=_expected_version(request)
        )
    except services.StaleProposal:
        messages.warning(request, _("Nothing was saved: the proposal changed meanwhile. Try again."))
    else:
        messages.success(request, _("%(email)s can no longer edit this proposal.") % {"email": user.email})
    return redirect("alliances:proposal_update", pk=pk)


# --- The builder ---------------------------------------------------------------------------------------


# --- Rendering cache ------------------------------------------------------------------------------------
#
# The builder's content is a pure function of the proposal's version (bumped by every change through the
# services), its report's evaluation time (renewed by every save that affects the proposal: participations,
# organisations, their types and countries, the edition), the directory's change log (for the suggestions;
# see partners.directory), the mode and the language. Rendered HTML is cached under that key, with a
# placeholder for the CSRF token, which is filled in per request.
#
# The whole builder page is cached too, per user (the layout shows the user's name and staff links): its key
# adds the user's id, name and staff flag, the proposal's last save and owner's name, and the invitations'
# audit trail, all read in one query (`builder_page_stamp`) that is also the permission check. A cached page
# is never served to another user (the key starts from the user's id), nor when the request has messages to
# show (they are rendered once, then gone), nor to htmx requests. Every key also carries the release (the
# templates and static files deployed), so a new release never serves a page rendered by the previous one.

cache = ConnectionProxy(caches, "fragments")  # Redis down: a miss, never an error
CSRF_PLACEHOLDER = "__csrf_token_placeholder__"
RENDER_CACHE_SECONDS = 3600


def _release() -> str:
    """The deployed templates and static manifest, as a short digest: once per process, unless DEBUG (where
    templates are edited under a running server)."""
    return _release_digest() if settings.DEBUG else _deployed_release()


@functools.cache
def _deployed_release() -> str:
    return _release_digest()


def _release_digest() -> str:
    digest = hashlib.sha256()
    paths = sorted(path for path in (Path(settings.BASE_DIR) / "templates").rglob("*") if path.is_file())
    paths.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:16]


def _render_key(kind: str, proposal, mode: str) -> str | None:
    """The cache key; the proposal must come from proposal_get_for_user(with_directory_stamp=True)."""
    report = getattr(proposal, "eligibility_report", None)
    if report is None:
        return None
    parts = [
        kind, _release(), proposal.pk, proposal.version, report.evaluated_at.timestamp(), mode,
        get_language(), proposal.directory_count, proposal.directory_version,
        # Saves outside the services (the admin) and the owner's name (shown on the page) change no version.
        proposal.updated_at.timestamp(), proposal.owner.display_name,
    ]
    if kind == "builder":
        # Invitations change without a new version (a partner opens a link): their audit trail stamps them.
        from invitations.selectors import trail_stamp

        parts.append(trail_stamp(proposal_id=proposal.pk))
    return "alliances:render:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _page_key(request, pk, mode: str) -> str | None:
    """The whole builder page's cache key for this user, or None when the page is not to be cached.

    Reads the page's stamp (one query), so it is also the permission check: 404 if the user may not see it.
    """
    if request.htmx or len(messages.get_messages(request)):
        return None  # counting the pending messages does not consume them
    stamp = builder_page_stamp(user=request.user, pk=pk)
    if stamp is None:
        raise Http404
    if stamp[3] is None:
        return None  # no evaluation yet: nothing is cached before the first one
    user = request.user
    parts = ["builder-page", _release(), user.pk, user.is_staff, user.display_name, get_language(), mode]
    parts += stamp
    return f"alliances:page:{user.pk}:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def _cached_fragment(request, template: str, key: str | None, context_factory) -> str:
    """Rendered HTML with CSRF_PLACEHOLDER in place of the token, from the cache when it holds it."""
    html = cache.get(key) if key else None
    if html is None:
        html = str(
            render_to_string(template, {**context_factory(), "csrf_token": CSRF_PLACEHOLDER}, request=request)
        )
        if key:
            cache.set(key, html, RENDER_CACHE_SECONDS)
    return html


def _with_csrf(request, html: str) -> str:
    return mark_safe(html.replace(CSRF_PLACEHOLDER, get_token(request)))


def _cached_render(request, template: str, key: str | None, context_factory) -> str:
    return _with_csrf(request, _cached_fragment(request, template, key, context_factory))


# Whole pages are also kept in each process's memory (the last few, briefly): a key names one rendering of
# one page (everything the page shows is in it), so a copy is as good as the shared cache's, and a hit then
# costs no transfer of a ~100 KB page from Redis. Pages are kept split at the CSRF placeholder, as bytes.
PAGE_MEMORY_ENTRIES = 32
PAGE_MEMORY_SECONDS = 60
_page_memory: OrderedDict[str, tuple[float, list[bytes]]] = OrderedDict()
_page_memory_lock = threading.Lock()
_PLACEHOLDER_BYTES = CSRF_PLACEHOLDER.encode()


def _remember_page(key: str, parts: list[bytes]) -> None:
    with _page_memory_lock:
        _page_memory[key] = (time.monotonic() + PAGE_MEMORY_SECONDS, parts)
        _page_memory.move_to_end(key)
        while len(_page_memory) > PAGE_MEMORY_ENTRIES:
            _page_memory.popitem(last=False)


def forget_pages() -> None:
    """Empty this process's copies (tests that clear the cache to measure a first rendering)."""
    with _page_memory_lock:
        _page_memory.clear()


def _cached_page(key: str) -> list[bytes] | None:
    with _page_memory_lock:
        entry = _page_memory.get(key)
    if entry is not None and entry[0] > time.monotonic():
        return entry[1]
    body = cache.get(key)
    if not isinstance(body, bytes):
        return None
    parts = body.split(_PLACEHOLDER_BYTES)
    _remember_page(key, parts)
    return parts


def _cache_page(key: str, html: str) -> None:
    body = html.encode()
    cache.set(key, body, RENDER_CACHE_SECONDS)
    _remember_page(key, body.split(_PLACEHOLDER_BYTES))


@login_required
@require_GET
def builder(request, pk):
    mode = _mode(request)
    page_key = _page_key(request, pk, mode)
    parts = _cached_page(page_key) if page_key else None
    if parts is not None:
        return HttpResponse(get_token(request).encode().join(parts))
    proposal = proposal_get_for_user(user=request.user, pk=pk, with_directory_stamp=True)

    def context():
        participations = builder_participations(proposal=proposal)
        return {
            **_table_context(proposal, participations),
            **_panel_context(proposal, participations, mode),
            "history": eligibility_history(proposal=proposal, mode=mode, limit=15),
            "search_form": OrganisationSearchForm(),
        }

    content = _cached_fragment(
        request, "alliances/partials/builder_content.html", _render_key("builder", proposal, mode), context
    )
    page = render_to_string(
        "alliances/builder.html",
        {"proposal": proposal, "builder_content": mark_safe(content), "csrf_token": CSRF_PLACEHOLDER},
        request=request,
    )
    if page_key:
        _cache_page(page_key, page)
    return HttpResponse(_with_csrf(request, page))


@login_required
@require_GET
def participants_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    return render(request, "alliances/partials/participants.html", _table_context(proposal))


@login_required
@require_GET
def eligibility_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk, with_directory_stamp=True)
    mode = _mode(request)

    def context():
        participations = builder_participations(proposal=proposal)
        return {
            "proposal": proposal,
            **_panel_context(proposal, participations, mode),
            "history": eligibility_history(proposal=proposal, mode=mode, limit=15),
        }

    html = _cached_render(
        request, "alliances/partials/eligibility_panel.html", _render_key("panel", proposal, mode), context
    )
    return HttpResponse(html)


@login_required
@require_GET
def history_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    mode = _mode(request)
    context = {
        "proposal": proposal,
        "mode": mode,
        "history": eligibility_history(proposal=proposal, mode=mode),
    }
    return render(request, "alliances/partials/history.html", context)


@login_required
@require_GET
def eche_fragment(request, pk, participation_id):
    """The ECHE badge of one participant, polled every few seconds while its check is pending."""
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    participation = _participation(proposal, participation_id)
    organisation = participation.organisation
    response = render(
        request,
        "partners/partials/eche_badge.html",
        {"organisation": organisation, "proposal": proposal, "participation": participation, "poll": True},
    )
    if organisation.eche_status == EcheStatus.PENDING and organisation.type.higher_education:
        return response
    report = getattr(proposal, "eligibility_report", None)
    if (
        report is not None
        and organisation.eche_checked_at
        and report.evaluated_at < organisation.eche_checked_at
    ):
        # The outcome is in, the re-evaluation it causes is not yet: keep polling, change nothing yet.
        return HttpResponse(status=204)
    # 286 tells htmx to stop polling; the panel refreshes to show the new ECHE outcome.
    response.status_code = 286
    return trigger_client_event(response, ELIGIBILITY_EVENT)


@login_required
@require_GET
def organisation_search_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    form = OrganisationSearchForm(request.GET)
    results, in_consortium = [], set()
    searched = form.is_valid() and form.has_filters
    if searched:
        results = list(organisation_search(**form.filters())[: SEARCH_RESULTS + 1])
        in_consortium = set(
            Participation.objects.filter(
                proposal=proposal, organisation__in=[o.pk for o in results]
            ).values_list("organisation_id", flat=True)
        )
    context = {
        "proposal": proposal,
        "results": results[:SEARCH_RESULTS],
        "more": len(results) > SEARCH_RESULTS,
        "in_consortium": in_consortium,
        "searched": searched,
        "query": form.cleaned_data.get("q", "") if form.is_valid() else "",
    }
    return render(request, "alliances/partials/search_results.html", context)


def _render_add_form(request, proposal, form, organisation, status=200):
    context = {"proposal": proposal, "form": form, "organisation": organisation, "roles": Role}
    return render(request, "alliances/partials/add_participant_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def participation_add(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if request.method == "GET":
        organisation = get_object_or_404(
            Organisation.objects.select_related("country", "type"),
            pk=_int_or_404(request.GET.get("organisation")),
        )
        form = ParticipationAddForm(proposal=proposal, initial={"organisation": organisation.pk})
        return _render_add_form(request, proposal, form, organisation)
    form = ParticipationAddForm(request.POST, proposal=proposal)
    if not form.is_valid():
        if (
            is_tampered(form, form.tamper_fields)
            or form.has_error("organisation")
            or form.has_error("version")
        ):
            raise BadRequest("tampered participation")
        return _render_add_form(request, proposal, form, form.cleaned_data.get("organisation"))
    data = form.cleaned_data
    organisation = data["organisation"]
    try:
        services.participation_add(
            proposal=proposal,
            organisation=organisation,
            role=data["role"],
            affiliated_to=data["affiliated_to"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            actor=request.user,
            expected_version=data["version"],
        )
    except services.StaleProposal as exc:
        return _after_stale(request, pk, exc)
    except ValidationError as exc:
        _form_errors_to(form, exc)
        if form.has_error("organisation") and request.htmx:
            messages.warning(request, form.errors["organisation"][0])
            return _htmx_change_response(request, proposal)
        return _render_add_form(request, proposal, form, organisation)
    return _after_change(
        request,
        pk,
        _("%(name)s added as %(role)s.")
        % {"name": organisation.display_name, "role": Role(data["role"]).label},
    )


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        from django.http import Http404

        raise Http404 from None


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create_in_place(request, pk):
    """A new organisation, validated like the admin does, added to the consortium in the same step."""
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    org_form = OrganisationForm(request.POST or None, prefix="org")
    part_form = ParticipationForm(request.POST or None, proposal=proposal, prefix="part")
    context = {"proposal": proposal, "org_form": org_form, "part_form": part_form}
    if request.method == "GET":
        return render(request, "alliances/partials/organisation_create.html", context)
    org_valid, part_valid = org_form.is_valid(), part_form.is_valid()
    expected_version = _expected_version(request)
    if not part_valid and is_tampered(part_form, part_form.tamper_fields):
        raise BadRequest("tampered participation")
    if is_tampered(org_form, ["country", "type"]):
        raise BadRequest("tampered organisation")
    if org_valid and part_valid:
        data = part_form.cleaned_data
        try:
            with transaction.atomic():
                organisation = organisation_create(
                    created_by=request.user,
                    **{name: org_form.cleaned_data[name] for name in org_form.Meta.fields},
                )
                services.participation_add(
                    proposal=proposal,
                    organisation=organisation,
                    role=data["role"],
                    affiliated_to=data["affiliated_to"],
                    contact_name=data["contact_name"],
                    contact_email=data["contact_email"],
                    actor=request.user,
                    expected_version=expected_version,
                )
        except services.StaleProposal as exc:
            return _after_stale(request, pk, exc)
        except ValidationError as exc:
            _form_errors_to(part_form, exc)
        else:
            return _after_change(
                request,
                pk,
                _("%(name)s added to the directory and to the consortium as %(role)s.")
                % {"name": organisation.display_name, "role": Role(data["role"]).label},
            )
    context["duplicate_of"] = getattr(org_form, "duplicate_of", None)
    return render(request, "alliances/partials/organisation_create.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def participation_edit(request, pk, participation_id):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    participation = _participation(proposal, participation_id)
    if request.method == "GET":
        form = ParticipationChangeForm(
            proposal=proposal,
            participation=participation,
            initial={
                "role": participation.role,
                "affiliated_to": participation.affiliated_to_id,
                "contact_name": participation.contact_name,
                "contact_email": participation.contact_email,
                "version": proposal.version,
            },
        )
        return render(
            request,
            "alliances/partials/participant_edit_row.html",
            {"proposal": proposal, "participation": participation, "form": form},
        )
    form = ParticipationChangeForm(request.POST, proposal=proposal, participation=participation)
    if not form.is_valid():
        if is_tampered(form, form.tamper_fields) or form.has_error("version"):
            raise BadRequest("tampered participation")
        return render(
            request,
            "alliances/partials/participant_edit_row.html",
            {"proposal": proposal, "participation": participation, "form": form},
        )
    data = form.cleaned_data
    try:
        services.participation_update(
            participation=participation,
            role=data["role"],
            affiliated_to=data["affiliated_to"],
            contact_name=data["contact_name"],
            contact_email=data["contact_email"],
            actor=request.user,
            expected_version=data["version"],
        )
    except services.StaleProposal as exc:
        return _after_stale(request, pk, exc)
    except ValidationError as exc:
        _form_errors_to(form, exc)
        return render(
            request,
            "alliances/partials/participant_edit_row.html",
            {"proposal": proposal, "participation": participation, "form": form},
        )
    return _after_change(
        request,
        pk,
        _("%(name)s saved as %(role)s.")
        % {"name": participation.organisation.display_name, "role": Role(data["role"]).label},
    )


@login_required
@require_GET
def participation_row(request, pk, participation_id):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    participation = _participation(proposal, participation_id)
    return render(
        request,
        "alliances/partials/participant_row.html",
        {"proposal": proposal, "participation": participation},
    )


@login_required
@require_POST
def participation_remove(request, pk, participation_id):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    participation = _participation(proposal, participation_id)
    try:
        names = services.participation_remove(
            participation=participation, actor=request.user, expected_version=_expected_version(request)
        )
    except services.StaleProposal as exc:
        return _after_stale(request, pk, exc)
    return _after_change(
        request, pk, _("Removed from the consortium: %(names)s.") % {"names": ", ".join(names)}
    )


# --- Exports and the printable summary -------------------------------------------------------------------


EXPORTERS = {"csv": exports.participants_csv, "xlsx": exports.participants_xlsx}


@login_required
@require_GET
def export(request, pk, kind):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    return EXPORTERS[kind](proposal=proposal, participations=builder_participations(proposal=proposal))


@login_required
@require_GET
def summary(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    participations = builder_participations(proposal=proposal)
    context = {
        "proposal": proposal,
        "participations": participations,
        "aims": [AIMS.get(code, code) for code in proposal.aims or []],
        "evaluations": [
            (_("projected"), _report_evaluation(proposal, "projected")[1]),
            (_("confirmed"), _report_evaluation(proposal, "confirmed")[1]),
        ],
        "report": getattr(proposal, "eligibility_report", None),
    }
    context["co_editors"] = list(proposal.co_editors.order_by("email"))
    return render(request, "alliances/summary.html", context)


def builder_url(proposal) -> str:
    return reverse("alliances:builder", kwargs={"pk": proposal.pk})
