"""Corrections of directory records from the organisation page, and their outcomes told in the builder."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import get_object_or_404, redirect
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from partners.models import ChangeRequestOrigin, ChangeRequestStatus, Organisation
from partners.selectors import field_label

from ..curation import organisation_correct, outcomes_to_tell
from ..forms import OrganisationCorrectionForm
from ..selectors import proposals_for_user


def editable_proposals(*, user, organisation):
    """The user's proposals (not archived) that have this organisation: the ones a correction is made for."""
    return proposals_for_user(user=user).filter(participations__organisation=organisation).order_by("acronym")


def correction_form(*, user, organisation, data=None) -> OrganisationCorrectionForm | None:
    proposals = editable_proposals(user=user, organisation=organisation)
    if not proposals.exists():
        return None
    # A fresh copy: a ModelForm writes what it cleans into its instance, and this one is never saved.
    instance = Organisation.objects.get(pk=organisation.pk)
    return OrganisationCorrectionForm(data, instance=instance, proposals=proposals)


@login_required
@require_http_methods(["GET", "POST"])
def organisation_correct_view(request, pk):
    from .proposals import organisation_page

    organisation = get_object_or_404(Organisation, pk=pk)
    if request.method == "GET":  # the address a refused correction leaves in the bar, opened again
        return redirect("organisation_detail", pk=pk)
    form = correction_form(user=request.user, organisation=organisation, data=request.POST)
    if form is None:
        raise PermissionDenied
    if form.is_valid():
        proposal = form.cleaned_data["proposal"]
        try:
            correction = organisation_correct(
                organisation_id=organisation.pk,
                proposal=proposal,
                values=form.changes(),
                origin=ChangeRequestOrigin.COORDINATOR,
                actor=request.user,
                context=_("Proposal “%(acronym)s”") % {"acronym": proposal.acronym},
            )
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            if not correction.changes:
                messages.info(request, _("Nothing to change: the record already says this."))
            elif correction.applied:
                messages.success(request, _("Saved: the directory record is corrected."))
            else:
                messages.success(
                    request,
                    _(
                        "Your correction is sent for review: this record is verified or used by others, so "
                        "it keeps its details until a curator approves the change. You will see the outcome "
                        "in the builder."
                    ),
                )
            return redirect("organisation_detail", pk=pk)
    return organisation_page(request, organisation, correction_form=form, status=400)


def tell_outcomes(request) -> None:
    """A message for each of the user's corrections decided since they last looked."""
    for change_request in outcomes_to_tell(user=request.user):
        what = {
            "name": change_request.organisation.legal_name,
            "fields": ", ".join(field_label(field) for field in change_request.changes or {}),
        }
        if change_request.status == ChangeRequestStatus.APPROVED:
            text = _("Your correction to %(name)s (%(fields)s) was approved.") % what
        else:
            text = _("Your correction to %(name)s (%(fields)s) was rejected.") % what
        if change_request.review_note:
            text = f"{text} {_('Note from the curator:')} {change_request.review_note}"
        level = (
            messages.SUCCESS if change_request.status == ChangeRequestStatus.APPROVED else messages.WARNING
        )
        messages.add_message(request, level, text)
