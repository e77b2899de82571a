"""Changing the consortium from the builder page: the directory search, adding (an existing organisation or
a new one), changing and removing participants.

After a change an htmx request gets the participants table, the new version and the messages, and an event
that makes the eligibility panel refresh itself; other requests are redirected to the builder page.
"""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import BadRequest, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget, trigger_client_event

from partners.forms import OrganisationForm, OrganisationSearchForm
from partners.models import Organisation
from partners.selectors import organisation_search
from partners.services import SameNameExists, organisation_create

from .. import services
from ..forms import ParticipationAddForm, ParticipationChangeForm, ParticipationForm, is_tampered
from ..models import Participation, ParticipationStatus, Role, role_in_a_sentence
from ..selectors import builder_participations, in_consortium, proposal_get_for_user
from .archived import refuse_forms_if_archived, refuse_if_archived
from .builder import ELIGIBILITY_EVENT, participants_with_version_html, participation_or_404, rows_context

SEARCH_RESULTS = 20
# What a result shows (search_results.html), and only that: the look-up is most of the fragment's cost.
SEARCH_RESULT_FIELDS = (
    "legal_name",
    "acronym",
    "verified",
    "pic",
    "oid",  # the ECHE badge tells an HEI with nothing to look up by (`eche_check_awaited`)
    "erasmus_code",
    "eche_status",
    "country__name",
    "type__name",
    "type__higher_education",
)


def expected_version(request) -> int:
    """The version the page was rendered from. Missing or malformed means a tampered request: 400."""
    try:
        version = int(request.POST.get("version", ""))
    except (TypeError, ValueError):
        raise BadRequest("version") from None
    if version < 1:
        raise BadRequest("version")
    return version


def form_errors_to(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc)


def _change_response(request, proposal, *, extra_html: str = "") -> HttpResponse:
    """After a change: the participants table, the new version and the messages, in place."""
    html = participants_with_version_html(request, proposal)
    html += render_to_string(
        "alliances/partials/messages_oob.html", {"extra_html": extra_html}, request=request
    )
    response = reswap(retarget(HttpResponse(html), "#participants"), "outerHTML")
    return trigger_client_event(response, ELIGIBILITY_EVENT)


def _after_change(request, proposal_pk, message):
    proposal = proposal_get_for_user(user=request.user, pk=proposal_pk)
    if message:
        messages.success(request, message)
    if request.htmx:
        return _change_response(request, proposal)
    return redirect("alliances:builder", pk=proposal.pk)


def _after_stale(request, proposal_pk, exc: services.StaleProposal):
    proposal = proposal_get_for_user(user=request.user, pk=proposal_pk)
    if request.htmx:
        stale = render_to_string(
            "alliances/partials/stale_alert.html", {"changes": exc.changes}, request=request
        )
        return _change_response(request, proposal, extra_html=stale)
    messages.warning(request, _("Nothing was saved: someone changed the proposal since you opened the page."))
    return redirect("alliances:builder", pk=proposal.pk)


def participant_gone(request, proposal_pk):
    """An action from the builder on a participant someone removed meanwhile: nothing changed, and the table
    as it is now (a bare 404 left the removed row on screen, and a race with the removal was a 500). Outside
    the builder (no htmx) a participant not in the consortium is a 404, as any other unknown address."""
    if not request.htmx:
        raise Http404
    messages.warning(
        request,
        _("Nothing was changed: this participant is no longer in the consortium (someone removed it)."),
    )
    return _after_change(request, proposal_pk, "")


def _int_or_404(value) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
@require_safe
def organisation_search_fragment(request, pk):
    proposal = proposal_get_for_user(user=request.user, pk=pk, related=())
    form = OrganisationSearchForm(request.GET)
    results = []
    searched = form.is_valid() and form.has_filters
    if searched:
        in_consortium = Participation.objects.filter(proposal=proposal, organisation=OuterRef("pk"))
        results = list(
            organisation_search(**form.filters())
            .only(*SEARCH_RESULT_FIELDS)
            .annotate(in_consortium=Exists(in_consortium))[: SEARCH_RESULTS + 1]
        )
    context = {
        "proposal": proposal,
        "results": results[:SEARCH_RESULTS],
        "more": len(results) > SEARCH_RESULTS,
        "searched": searched,
        "query": form.cleaned_data.get("q", "") if form.is_valid() else "",
        "form": form,
    }
    return render(request, "alliances/partials/search_results.html", context)


def _render_add_form(request, proposal, form, organisation, status=200):
    context = {"proposal": proposal, "form": form, "organisation": organisation, "roles": Role}
    return render(request, "alliances/partials/add_participant_form.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
@refuse_forms_if_archived
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
            **form.service_kwargs(),
            actor=request.user,
            expected_version=data["version"],
        )
    except services.StaleProposal as exc:
        return _after_stale(request, pk, exc)
    except ValidationError as exc:
        form_errors_to(form, exc)
        if form.has_error("organisation") and request.htmx:
            messages.warning(request, form.errors["organisation"][0])
            return _change_response(request, proposal)
        return _render_add_form(request, proposal, form, organisation)
    return _after_change(
        request,
        pk,
        _("%(name)s added as %(role)s.")
        % {"name": organisation.display_name, "role": role_in_a_sentence(data["role"])},
    )


@login_required
@require_http_methods(["GET", "POST"])
@refuse_forms_if_archived
def organisation_create_in_place(request, pk):
    """A new organisation, validated like the admin does, added to the consortium in the same step."""
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    org_form = OrganisationForm(request.POST or None, prefix="org")
    part_form = ParticipationForm(request.POST or None, proposal=proposal, prefix="part")
    context = {"proposal": proposal, "org_form": org_form, "part_form": part_form}
    if request.method == "GET":
        return render(request, "alliances/partials/organisation_create.html", context)
    org_valid, part_valid = org_form.is_valid(), part_form.is_valid()
    version = expected_version(request)
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
                    same_name_confirmed=org_form.cleaned_data.get("confirm_not_duplicate", False),
                    **{name: org_form.cleaned_data[name] for name in org_form.Meta.fields},
                )
                services.participation_add(
                    proposal=proposal,
                    organisation=organisation,
                    **part_form.service_kwargs(),
                    actor=request.user,
                    expected_version=version,
                )
        except services.StaleProposal as exc:
            return _after_stale(request, pk, exc)
        except SameNameExists as exc:  # created by someone else since the form checked
            org_form.refuse_same_name(exc.existing)
        except ValidationError as exc:
            form_errors_to(part_form, exc)
        else:
            return _after_change(
                request,
                pk,
                _("%(name)s added to the directory and to the consortium as %(role)s.")
                % {"name": organisation.display_name, "role": role_in_a_sentence(data["role"])},
            )
    duplicate_of = context["duplicate_of"] = getattr(org_form, "duplicate_of", None)
    if duplicate_of is not None and in_consortium(proposal=proposal, organisation=duplicate_of):
        # Said so, with no button to add it a second time, nor "use it instead".
        context["duplicate_in_consortium"] = True
        org_form.refuse_same_name(duplicate_of, in_use_here=True)
    return render(request, "alliances/partials/organisation_create.html", context)


def _render_edit_row(request, proposal, participation, form):
    context = {"proposal": proposal, "participation": participation, "form": form}
    return render(request, "alliances/partials/participant_edit_row.html", context)


@login_required
@require_http_methods(["GET", "POST"])
@refuse_forms_if_archived
def participation_edit(request, pk, participation_id):
    """The row's edit form, rendered only when asked for (GET), and its save (POST)."""
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    try:
        participation = participation_or_404(proposal, participation_id)
    except Http404:
        return participant_gone(request, pk)
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
        return _render_edit_row(request, proposal, participation, form)
    form = ParticipationChangeForm(request.POST, proposal=proposal, participation=participation)
    if not form.is_valid():
        if is_tampered(form, form.tamper_fields) or form.has_error("version"):
            raise BadRequest("tampered participation")
        return _render_edit_row(request, proposal, participation, form)
    data = form.cleaned_data
    try:
        updated = services.participation_update(
            participation=participation,
            **form.service_kwargs(),
            actor=request.user,
            expected_version=data["version"],
        )
    except services.StaleProposal as exc:
        return _after_stale(request, pk, exc)
    except Participation.DoesNotExist:
        return participant_gone(request, pk)
    except ValidationError as exc:
        form_errors_to(form, exc)
        return _render_edit_row(request, proposal, participation, form)
    message = _("%(name)s saved as %(role)s.") % {
        "name": participation.organisation.display_name,
        "role": role_in_a_sentence(data["role"]),
    }
    if participation.status == ParticipationStatus.CONFIRMED != updated.status:  # the service withdrew it
        message += " " + _(
            "It had confirmed as %(role)s, so it is proposed again: invite it to confirm its new role."
        ) % {"role": role_in_a_sentence(participation.role)}
    old_email, new_email = participation.contact_email, data.get("contact_email") or ""
    if participation.status == ParticipationStatus.INVITED and old_email.lower() != new_email.lower():
        # The invitations app revoked the link to the old address as the new one was saved.
        message += " " + _("The invitation sent to %(old)s no longer works: invite %(new)s when ready.") % {
            "old": old_email,
            "new": new_email or _("the new contact"),
        }
    return _after_change(request, pk, message)


@login_required
@require_safe
def participation_row(request, pk, participation_id):
    """One row of the table (the edit form's Cancel), from the same template as the whole table's rows."""
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    row = next((p for p in builder_participations(proposal=proposal) if p.pk == participation_id), None)
    if row is None:
        return participant_gone(request, pk)
    return render(request, "alliances/partials/participant_rows.html", rows_context(proposal, [row]))


@login_required
@require_POST
@refuse_if_archived
def participation_remove(request, pk, participation_id):
    proposal = proposal_get_for_user(user=request.user, pk=pk)
    try:
        participation = participation_or_404(proposal, participation_id)
        names = services.participation_remove(
            participation=participation, actor=request.user, expected_version=expected_version(request)
        )
    except (Http404, Participation.DoesNotExist):
        return participant_gone(request, pk)
    except services.StaleProposal as exc:
        return _after_stale(request, pk, exc)
    return _after_change(
        # No full stop after the names: many end with one ("Polmetal Sp. z o.o.").
        request,
        pk,
        _("Removed from the consortium: %(names)s") % {"names": ", ".join(names)},
    )
