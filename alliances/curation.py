"""Corrections of a directory record asked for from a proposal: its editors' (the organisation page) and its
invited partner's (the invite link, through `invitations.services`).

A record is the proposal's own when it is unverified, no other proposal has it in its consortium, and no
other user created it (a record someone else added to the directory is theirs as much as ours, even while
no proposal uses it). A correction of the proposal's own record is applied at once; any other correction
becomes a change request that a curator reviews (`partners.curation`), so nothing another coordinator sees
changes meanwhile. Identifiers never move to a record another organisation holds, in either case.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from partners import curation
from partners.models import Organisation, OrganisationChangeRequest

from .models import ActivityAction, Participation, Proposal
from .selectors import undisclosed_outcomes
from .services import proposal_touch, record_activity


@dataclass
class Correction:
    """What became of a correction: applied at once (`applied`), or a request awaiting review."""

    changes: dict
    applied: bool = False
    change_request: OrganisationChangeRequest | None = None


def organisation_is_own(*, organisation: Organisation, proposal: Proposal, actor=None) -> bool:
    """Whether the proposal's editors (and its invited partner) may change the record at once: an unverified
    record no other proposal uses, added by no one (an import, an admin) or by the proposal's owner, or by
    the one correcting it. A record a co-editor added is not the owner's to change: an owner adds co-editors
    without asking them, so anyone could otherwise make another user's records theirs."""
    if organisation.verified:
        return False
    if Participation.objects.filter(organisation=organisation).exclude(proposal=proposal).exists():
        return False
    return organisation.created_by_id in {None, proposal.owner_id, getattr(actor, "pk", None)}


def organisation_correct(
    *,
    organisation_id: int,
    proposal: Proposal,
    values: dict,
    origin: str,
    actor=None,
    requester_email="",
    context="",
) -> Correction:
    """Apply the correction, or ask for it. ValidationError for a correction that could never be made."""
    with transaction.atomic():
        # The proposal, then the organisation, as `participation_add` locks them: that lock makes this wait
        # for a participation being added to the record elsewhere, so "no other proposal uses it" holds.
        locked = Proposal.objects.select_for_update(no_key=True).get(pk=proposal.pk)
        organisation = Organisation.objects.select_for_update(no_key=True).get(pk=organisation_id)
        changes = curation.organisation_changes(organisation=organisation, values=values)
        if not changes:
            return Correction(changes={})
        if organisation_is_own(organisation=organisation, proposal=locked, actor=actor):
            curation.organisation_apply_changes(organisation=organisation, changes=changes)
            if getattr(actor, "pk", None):
                # Never silent: the proposal's change log says who corrected what (a partner's correction
                # is in the invitation's audit trail instead).
                record_activity(
                    proposal=locked,
                    actor=actor,
                    action=ActivityAction.PARTICIPANT_CHANGED,
                    subject=organisation.legal_name,
                    detail={"organisation_corrected": changes},
                )
            else:
                proposal_touch(proposal_id=proposal.pk)
            return Correction(changes=changes, applied=True)
        change_request = curation.change_request_create(
            organisation=organisation,
            changes=changes,
            origin=origin,
            requested_by=actor,
            requester_email=requester_email,
            context=context,
        )
        # Its builder says "correction pending review"; the builders of other proposals with the record do
        # not (a request is not a change, and anyone may ask for one).
        locked.corrections_requested.add(change_request)
        return Correction(changes=changes, change_request=change_request)


def proposals_touch_for_organisations(organisation_ids: list[int]) -> None:
    """A new version for every proposal with these organisations (their pages show the requests), one row at a
    time in id order, so two of these running at once never deadlock."""
    proposal_ids = (
        Participation.objects.filter(organisation_id__in=organisation_ids)
        .values_list("proposal_id", flat=True)
        .distinct()
        .order_by("proposal_id")
    )
    for proposal_id in list(proposal_ids):
        proposal_touch(proposal_id=proposal_id)


def outcomes_to_tell(*, user) -> list[OrganisationChangeRequest]:
    """The user's decided corrections not yet told, marked told now: in the builder they open first (even if
    the organisation has left the proposal since; the message names it).

    Every builder page asks, and almost always there are none: a plain look-up says so before any lock."""
    from django.utils import timezone

    if not undisclosed_outcomes(user=user).exists():
        return []
    with transaction.atomic():
        decided = list(
            undisclosed_outcomes(user=user)
            .select_for_update(of=("self",))
            .select_related("organisation")
            .order_by("reviewed_at", "pk")
        )
        if decided:
            OrganisationChangeRequest.objects.filter(pk__in=[r.pk for r in decided]).update(
                outcome_notified_at=timezone.now()
            )
    return decided
