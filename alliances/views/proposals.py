"""The home page (the user's proposals), a proposal's details, co-editors and archiving, and the
organisation page (an organisation of the directory, with the user's proposals it takes part in)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from partners.models import Organisation
from partners.selectors import change_request_rows

from .. import coeditors, services
from ..forms import CoeditorForm, ProposalForm, is_tampered
from ..selectors import (
    corrections_pending_for,
    organisation_participations_for_user,
    proposal_activities,
    proposal_get_for_user,
    proposals_for_user,
)
from .archived import refuse_if_archived
from .participants import expected_version, form_errors_to


@login_required
@require_safe
def home(request):
    proposals = list(proposals_for_user(user=request.user))
    # With none active, whether archived ones exist: "no proposals yet" was wrong after archiving the last.
    every = proposals_for_user(user=request.user, include_archived=True)
    has_archived = not proposals and every.filter(archived_at__isnull=False).exists()
    return render(request, "alliances/home.html", {"proposals": proposals, "has_archived": has_archived})


@login_required
@require_safe
def organisation_detail(request, pk):
    organisation = get_object_or_404(Organisation, pk=pk)
    return organisation_page(request, organisation)


def organisation_page(request, organisation, *, correction_form=None, status=200):
    from .curation import correction_form as new_correction_form

    organisation = Organisation.objects.select_related("country", "type", "created_by").get(
        pk=organisation.pk
    )
    # What the user's corrections still waiting for a curator ask for, as the curator sees them.
    pending = [
        change_request_rows(change_request=change_request)
        for change_request in corrections_pending_for(user=request.user, organisation=organisation)
    ]
    participations = organisation_participations_for_user(organisation=organisation, user=request.user)
    if correction_form is None and participations:
        correction_form = new_correction_form(user=request.user, organisation=organisation)
    context = {
        "organisation": organisation,
        "participations": participations,
        "correction_form": correction_form,
        "pending_corrections": pending,
    }
    return render(request, "alliances/organisation_detail.html", context, status=status)


@login_required
@require_safe
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
                "Proposal %(acronym)s created. Now add its participants: the eligibility checklist "
                "shows what is still missing."
            )
            % {"acronym": proposal.acronym},
        )
        return redirect("alliances:builder", pk=proposal.pk)
    return render(request, "alliances/proposal_form.html", {"form": form}, status=400 if form.errors else 200)


@login_required
@require_http_methods(["GET", "POST"])
@refuse_if_archived
def proposal_update(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    form = ProposalForm(request.POST or None, instance=proposal)
    stale = None
    if request.method == "POST" and form.is_valid():
        saved = _("Proposal details saved.")
        try:
            _save_details(request, proposal, form, form.cleaned_data["version"])
        except services.StaleProposal as exc:
            # Merged with what others saved since, and saved, unless both changed a field or the page
            # claims a version still to come (a tampered form, rendered from nothing).
            fresh = proposal_get_for_user(user=request.user, pk=pk)
            form, both_changed = _over_what_others_saved(form, exc, fresh)
            stale, saved = exc, _("Proposal details saved, with the changes others made meanwhile.")
            if exc.expected_version < exc.current_version and not both_changed and form.is_valid():
                try:
                    _save_details(request, fresh, form, fresh.version)
                    stale = None
                except services.StaleProposal as again:
                    stale = again
        if stale is None:
            messages.success(request, saved)
            return redirect("alliances:builder", pk=proposal.pk)
    status = 409 if stale else (400 if form.errors else 200)
    if request.method == "POST":
        # Validation wrote what was typed into the form's instance: the page's title, breadcrumb and summary
        # show what is stored (a refused acronym was the page's title).
        proposal = proposal_get_for_user(user=request.user, pk=pk)
    return _render_proposal_form(request, proposal, form, stale=stale, status=status)


def _save_details(request, proposal, form: ProposalForm, expected_version: int) -> None:
    services.proposal_update(
        proposal=proposal, actor=request.user, expected_version=expected_version, **form.service_kwargs()
    )


def _over_what_others_saved(form: ProposalForm, stale: services.StaleProposal, fresh) -> tuple:
    """The user's form laid over what others saved since their page was rendered: each field another
    editor changed and the user left as their page showed it takes the stored value (a "Save again" put
    back the co-editor's 36 months with the 24 still ticked). Returns the new form and the fields both
    changed, which only the user can settle."""
    data = form.data.copy()
    data["version"] = str(fresh.version)
    stored = ProposalForm(instance=fresh)
    both = []
    for name, was in stale.details_shown().items():
        typed, now = services.recorded(form.cleaned_data.get(name)), services.recorded(getattr(fresh, name))
        if typed == now:
            continue
        if was is not services.UNKNOWN and typed == was:  # left alone: theirs
            value = stored[name].value()
            data.setlist(name, [str(each) for each in (value if isinstance(value, list) else [value or ""])])
        else:
            both.append(name)
    return ProposalForm(data, instance=fresh), both


def _render_proposal_form(request, proposal, form, *, coeditor_form=None, stale=None, status=200):
    """The details page: the proposal's form, its co-editors and its history."""
    coeditor_form = coeditor_form or CoeditorForm(initial={"version": proposal.version})
    context = {
        "form": form,
        "proposal": proposal,
        "stale": stale,
        "stale_changes": stale.changes if stale else [],
        "coeditor_form": coeditor_form,
        "error_forms": [each for each in (form, coeditor_form) if each.errors],
        "co_editors": list(proposal.co_editors.order_by("email")),
        "is_owner": proposal.owner_id == request.user.pk,
        "activities": proposal_activities(proposal=proposal),
    }
    return render(request, "alliances/proposal_form.html", context, status=status)


@login_required
@require_POST
def proposal_archive(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if proposal.owner_id != request.user.pk:
        messages.error(request, _("Only the proposal's owner can archive it: nothing was changed."))
        return redirect("alliances:builder", pk=proposal.pk)
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
    if proposal.owner_id != request.user.pk:
        messages.error(request, _("Only the proposal's owner can restore it: nothing was changed."))
        return redirect("alliances:builder", pk=proposal.pk)
    services.proposal_restore(proposal=proposal, actor=request.user)
    messages.success(request, _("%(acronym)s restored.") % {"acronym": proposal.acronym})
    return redirect("alliances:builder", pk=proposal.pk)


@login_required
@require_POST
@refuse_if_archived
def coeditor_add(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if proposal.owner_id != request.user.pk:
        raise PermissionDenied
    form = CoeditorForm(request.POST)
    if form.is_valid():
        try:
            user = coeditors.coeditor_add(
                proposal=proposal,
                email=form.cleaned_data["email"],
                actor=request.user,
                expected_version=form.cleaned_data["version"],
            )
        except ValidationError as exc:
            form_errors_to(form, exc)
        except services.StaleProposal:
            messages.warning(request, _("Nothing was saved: the proposal changed meanwhile. Try again."))
            return redirect("alliances:proposal_update", pk=pk)
        else:
            messages.success(request, _("%(email)s can now edit this proposal.") % {"email": user.email})
            return redirect("alliances:proposal_update", pk=pk)
    if is_tampered(form, ["version"]) or form.has_error("version"):
        raise BadRequest("version")
    # The page again, the address kept and its error beside the field and in the summary on top.
    return _render_proposal_form(
        request, proposal, ProposalForm(instance=proposal), coeditor_form=form, status=400
    )


@login_required
@require_POST
@refuse_if_archived
def coeditor_remove(request, pk, user_id):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if proposal.owner_id != request.user.pk:
        raise PermissionDenied
    user = get_object_or_404(proposal.co_editors.all(), pk=user_id)
    try:
        coeditors.coeditor_remove(
            proposal=proposal, user=user, actor=request.user, expected_version=expected_version(request)
        )
    except services.StaleProposal:
        messages.warning(request, _("Nothing was saved: the proposal changed meanwhile. Try again."))
    else:
        messages.success(request, _("%(email)s can no longer edit this proposal.") % {"email": user.email})
    return redirect("alliances:proposal_update", pk=pk)


@login_required
@require_POST
def coeditor_leave(request, pk):
    """A co-editor stops editing: at any time, archived proposals included (it changes nothing in them)."""
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    if proposal.owner_id == request.user.pk:
        raise PermissionDenied  # an owner has no one to leave it to
    coeditors.coeditor_leave(proposal=proposal, user=request.user)
    messages.success(request, _("You no longer edit “%(title)s”.") % {"title": proposal.title})
    return redirect("home")
