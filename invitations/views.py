"""The partner's pages (no account) and the coordinator's invitation actions (builder page, htmx).

Partner: GET /invite/<token>/ finds the invitation, keeps the token's hash in the session and redirects to
/invite/answer/<id>/, a URL without the token, so it never reaches a Referer header, a log line or the page.
Every GET changes nothing but the "opened" bookkeeping; confirming and declining are CSRF-protected POSTs.
"""

import functools

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST, require_safe
from django_htmx.http import reswap, retarget

from alliances.models import Participation
from alliances.selectors import builder_participations, proposals_for_user
from alliances.views.archived import refuse_if_archived
from alliances.views.participants import participant_gone
from partners.models import Organisation

from . import ratelimit, selectors, services, tokens
from .forms import DeclineForm, PartnerContactForm, PartnerOrganisationForm
from .models import Invitation

SESSION_PREFIX = "invitation:"
DONE_KEY = "invitation:done"


def _private(response, *, carries_token=False):
    """Never indexed. A response to a URL with the token sends no Referer at all; the token-free pages keep
    the site's same-origin policy, because with no-referrer browsers send `Origin: null` with the form's POST,
    which CSRF protection rightly refuses."""
    if carries_token:
        response["Referrer-Policy"] = "no-referrer"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


def _unavailable(
    request, reason: str, invitation: Invitation | None = None, *, status: int, carries_token=False
):
    """A dead, unknown or refused link: what happened and whom to contact; nothing changed."""
    context = {"reason": reason, "invitation": invitation}
    if invitation is not None:
        context["proposal"] = invitation.participation.proposal
        context["coordinator"] = selectors.coordinator_of(invitation)
        context["newer_sent"] = reason in ("expired", "revoked") and selectors.newer_link_sent(invitation)
    response = render(request, "invitations/unavailable.html", context, status=status)
    return _private(response, carries_token=carries_token)


# --- Partner ---------------------------------------------------------------------------------------------


@never_cache
@require_GET  # not HEAD: a mail scanner's HEAD would count as the partner opening the link
def link(request, token):
    if ratelimit.blocked(request):
        return _unavailable(request, "rate_limited", status=429, carries_token=True)
    invitation = selectors.invitation_by_token(token=token)
    if invitation is None:
        ratelimit.record_failure(request)
        return _unavailable(request, "unknown", status=404, carries_token=True)
    request.session[SESSION_PREFIX + str(invitation.pk)] = tokens.token_hash(token)
    services.invitation_open(invitation=invitation)
    return _private(redirect("invitations:answer", pk=invitation.pk), carries_token=True)


def _from_session(request, pk) -> Invitation | None:
    return selectors.invitation_for_session(
        invitation_id=pk, token_hash=request.session.get(SESSION_PREFIX + str(pk))
    )


def _forms(invitation, data=None):
    participation = invitation.participation
    organisation = Organisation.objects.select_related("type").get(pk=participation.organisation_id)
    return {
        "organisation_form": PartnerOrganisationForm(data, instance=organisation, prefix="org"),
        "contact_form": PartnerContactForm(
            data,
            prefix="contact",
            initial={name: getattr(participation, name) for name in ("contact_name", "contact_email")},
        ),
        "decline_form": DeclineForm(data, prefix="decline"),
    }


def _answer_page(request, invitation, forms, *, status=200):
    proposal = invitation.participation.proposal
    consortium = selectors.partner_consortium(proposal=proposal)
    context = {
        "invitation": invitation,
        "participation": invitation.participation,
        "organisation": invitation.participation.organisation,
        "proposal": proposal,
        "coordinator": selectors.coordinator_of(invitation),
        "applicant": selectors.applicant_of(consortium),
        "consortium": consortium,
        "error_forms": [form for form in forms.values() if form.is_bound and form.errors],
        **forms,
    }
    return _private(render(request, "invitations/answer.html", context, status=status))


def _usable(request, pk):
    """(invitation, None) if the session holds a live link to it, else (None, the page to answer with)."""
    invitation = _from_session(request, pk)
    if invitation is None:
        if request.session.get(SESSION_PREFIX + str(pk)) and not selectors.invitation_exists(pk):
            # This browser opened its link, and it has gone since, with its participant.
            return None, _unavailable(request, "removed", status=410)
        return None, _unavailable(request, "session", status=404)
    state = services.answer_state(invitation)
    if state != "live":
        return None, _unavailable(request, state, invitation, status=410)
    return invitation, None


@never_cache
@require_safe
def answer(request, pk):
    invitation, refusal = _usable(request, pk)
    if refusal:
        return refusal
    return _answer_page(request, invitation, _forms(invitation))


def _answered(request, invitation):
    request.session[DONE_KEY] = invitation.pk
    return _private(redirect("invitations:done", pk=invitation.pk))


def _answer_if_get(view):
    """The confirm and decline addresses only take answers; opened (a bookmark, a reload) they show the
    invitation page rather than an empty 405."""

    @functools.wraps(view)
    def wrapper(request, pk):
        if request.method == "GET":
            return redirect("invitations:answer", pk=pk)
        return view(request, pk)

    return require_http_methods(["GET", "POST"])(wrapper)


@never_cache
@_answer_if_get
def confirm(request, pk):
    invitation, refusal = _usable(request, pk)
    if refusal:
        return refusal
    forms = _forms(invitation, request.POST)
    forms["decline_form"] = DeclineForm(prefix="decline")
    organisation_form, contact_form = forms["organisation_form"], forms["contact_form"]
    if organisation_form.is_valid() and contact_form.is_valid():
        try:
            invitation = services.invitation_confirm(
                invitation_id=invitation.pk,
                token_hash=request.session.get(SESSION_PREFIX + str(pk)),
                organisation=organisation_form.changes(),
                contact=contact_form.cleaned_data,
                role_shown=request.POST.get("role_shown"),
            )
        except services.InvitationUnavailable as exc:
            return _unavailable(request, exc.reason, exc.invitation or invitation, status=410)
        except ValidationError as exc:
            organisation_form.add_error(None, exc)
            invitation.participation.refresh_from_db(fields=["role"])  # the page shows the role as it is now
        else:
            if invitation.correction_sent_for_review:
                messages.info(
                    request,
                    _(
                        "Your corrections of the organisation's details are sent for review: the record "
                        "is in the shared directory, so a curator checks them first. You will get an email "
                        "with the outcome."
                    ),
                )
            elif invitation.correction_applied:
                messages.info(request, _("Your corrections of the organisation's details are saved."))
            return _answered(request, invitation)
    return _answer_page(request, invitation, forms, status=400)


@never_cache
@_answer_if_get
def decline(request, pk):
    invitation, refusal = _usable(request, pk)
    if refusal:
        return refusal
    forms = _forms(invitation)
    form = forms["decline_form"] = DeclineForm(request.POST, prefix="decline")
    if form.is_valid():
        try:
            invitation = services.invitation_decline(
                invitation_id=invitation.pk,
                token_hash=request.session.get(SESSION_PREFIX + str(pk)),
                reason=form.cleaned_data["reason"],
            )
        except services.InvitationUnavailable as exc:
            return _unavailable(request, exc.reason, exc.invitation or invitation, status=410)
        return _answered(request, invitation)
    return _answer_page(request, invitation, forms, status=400)


@never_cache
@require_safe
def done(request, pk):
    invitation = _from_session(request, pk)
    if invitation is None or request.session.get(DONE_KEY) != invitation.pk:
        return redirect("invitations:answer", pk=pk)
    context = {
        "invitation": invitation,
        "proposal": invitation.participation.proposal,
        "coordinator": selectors.coordinator_of(invitation),
    }
    return _private(render(request, "invitations/done.html", context))


# --- Coordinator ---------------------------------------------------------------------------------------


def _participation_for(user, pk, participation_id) -> Participation | None:
    """The participation, if the user may edit its proposal (not archived), else 404; None when it is no
    longer in that proposal (removed meanwhile)."""
    proposal = get_object_or_404(proposals_for_user(user=user), pk=pk)
    return (
        Participation.objects.select_related("organisation", "proposal")
        .filter(pk=participation_id, proposal=proposal)
        .first()
    )


def _coordinator_response(request, participation: Participation):
    proposal = participation.proposal
    if not request.htmx:
        builder = reverse("alliances:builder", args=[proposal.pk])
        return redirect(f"{builder}#participation-{participation.pk}")
    row = next((p for p in builder_participations(proposal=proposal) if p.pk == participation.pk), None)
    if row is None:  # removed as the action ran
        return participant_gone(request, proposal.pk)
    context = {"proposal": proposal, "participations": [row]}
    html = render_to_string("alliances/partials/participant_rows.html", context, request=request)
    html += render_to_string(
        "invitations/partials/audit_trail.html", {"proposal": proposal, "oob": True}, request=request
    )
    html += render_to_string("alliances/partials/messages_oob.html", {}, request=request)
    return reswap(retarget(HttpResponse(html), f"#participation-{participation.pk}"), "outerHTML")


def _run(request, pk, participation_id, action, success_message):
    """An invitation action on one participant (`action(participation)`), then its row as it is now, with
    the success message (which may name the contact's `%(email)s`) or the refusal. A participant removed
    meanwhile, before or while the action runs, is said so (`participant_gone`)."""
    participation = _participation_for(request.user, pk, participation_id)
    if participation is None:
        return participant_gone(request, pk)
    try:
        action(participation)
    except (Participation.DoesNotExist, Invitation.DoesNotExist):  # removed meanwhile, with its invitations
        return participant_gone(request, pk)
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    else:
        messages.success(request, success_message % {"email": participation.contact_email})
    return _coordinator_response(request, participation)


@login_required
@require_POST
@refuse_if_archived
def invitation_send(request, pk, participation_id):
    return _run(
        request,
        pk,
        participation_id,
        lambda participation: services.invitation_create(participation=participation, actor=request.user),
        _("Invitation to %(email)s is on its way."),
    )


@login_required
@require_POST
@refuse_if_archived
def invitation_resend(request, pk, participation_id):
    return _run(
        request,
        pk,
        participation_id,
        lambda participation: services.invitation_resend(participation=participation, actor=request.user),
        _("A new invitation is on its way to %(email)s; the previous link no longer works."),
    )


@login_required
@require_POST
@refuse_if_archived
def invitation_revoke(request, pk, participation_id):
    return _run(
        request,
        pk,
        participation_id,
        lambda participation: services.invitation_revoke_open(
            participation=participation, actor=request.user
        ),
        _("Invitation revoked: its link no longer works."),
    )


@login_required
@require_safe
def audit_trail_fragment(request, pk):
    proposal = get_object_or_404(proposals_for_user(user=request.user, include_archived=True), pk=pk)
    context = {"proposal": proposal, "everything": request.GET.get("all") == "1"}
    return render(request, "invitations/partials/audit_trail.html", context)
