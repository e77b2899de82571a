"""Writes of proposals and their consortia.

Every change locks the proposal row (select_for_update), compares the version the user's page was rendered
from with the stored one, and bumps the version with an activity that says what changed, all in one
transaction. A stale page therefore never overwrites someone else's change: it gets `StaleProposal`, which
carries the changes it missed. Eligibility is re-evaluated by the signals when the transaction commits.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from eligibility.rules import FULL_PARTNER_ROLES
from partners.models import Organisation

from .models import (
    PARTNER_ACTIONS,
    ActivityAction,
    Participation,
    ParticipationStatus,
    Proposal,
    ProposalActivity,
    Role,
)
from .selectors import in_consortium
from .signals import confirmation_withdrawn

PROPOSAL_FIELDS = (
    "title",
    "acronym",
    "edition",
    "duration_months",
    "aims",
    "economic_sectors",
    "summary",
    "deadline",
)


class StaleProposal(Exception):
    """The page the change was made from shows an older version of the proposal than the stored one."""

    def __init__(self, *, proposal_id: int, expected_version: int, current_version: int):
        super().__init__(f"proposal {proposal_id} is at version {current_version}, not {expected_version}")
        self.proposal_id = proposal_id
        self.expected_version = expected_version
        self.current_version = current_version

    @property
    def changes(self):
        """What happened since the page was rendered (read after the refused transaction rolled back)."""
        return list(
            ProposalActivity.objects.filter(proposal_id=self.proposal_id, version__gt=self.expected_version)
            .select_related("actor", "proposal")
            .order_by("version", "id")
        )

    def details_shown(self) -> dict:
        """The details others changed since the page was rendered, each with the value the page showed
        (`recorded`; UNKNOWN from a change logged before values were kept)."""
        shown = {}
        for activity in self.changes:
            if activity.action == ActivityAction.UPDATED:
                before = activity.detail.get("before") or {}
                for name in activity.detail.get("fields", []):
                    shown.setdefault(name, before.get(name, UNKNOWN))
        return shown


UNKNOWN = object()


# What an editor's change made from an older page conflicts with, among the changes recorded since: versions
# from `proposal_touch` (an invitation's progress) and partners' answers conflict with no one's edit.
AN_EDITORS_CHANGE = ~Q(action__in=PARTNER_ACTIONS)
NOTHING = Q(pk__in=[])


def _changes_of(participation_id: int) -> Q:
    """What an edit or a removal of one participant conflicts with: a change of that participant (an
    editor's, or its own answer, which may have corrected its contact) or a removal (it, or the partner it
    is affiliated to). A co-editor's work elsewhere, or another partner confirming, threw away what was
    being typed into its row."""
    return Q(detail__participation=participation_id) | Q(action=ActivityAction.PARTICIPANT_REMOVED)


def lock_proposal(
    *, proposal_id: int, expected_version: int | None, conflicting: Q = AN_EDITORS_CHANGE
) -> Proposal:
    """The proposal's row, locked; StaleProposal when a change `conflicting` with this one was recorded
    since the page (at `expected_version`) was rendered."""
    proposal = Proposal.objects.select_for_update().get(pk=proposal_id)
    if expected_version is not None and proposal.version != expected_version:
        missed = ProposalActivity.objects.filter(proposal_id=proposal_id, version__gt=expected_version)
        if expected_version > proposal.version or missed.filter(conflicting).exists():
            raise StaleProposal(
                proposal_id=proposal_id, expected_version=expected_version, current_version=proposal.version
            )
    return proposal


def record_activity(
    *, proposal: Proposal, actor, action: str, subject: str = "", detail: dict | None = None
) -> None:
    """Bump the version (in the database, from the locked row) and log what this version changed."""
    proposal.version = F("version") + 1
    proposal.save(update_fields=["version", "updated_at"])
    proposal.refresh_from_db(fields=["version"])
    ProposalActivity.objects.create(
        proposal=proposal,
        version=proposal.version,
        actor=actor if getattr(actor, "pk", None) else None,
        action=action,
        subject=subject[:255],
        detail=detail or {},
    )


def proposal_touch(*, proposal_id: int) -> None:
    """A new version for something the builder shows that changed outside the consortium's edits (an
    invitation sent, opened, answered...), so every page rendered before it is rendered again.

    No activity is recorded, so no one's edit is refused for it (see `lock_proposal`). An update() without
    signals is enough: the version is not something eligibility reads.
    """
    Proposal.objects.filter(pk=proposal_id).update(version=F("version") + 1)


def proposal_partner_answered(*, participation: Participation, confirmed: bool) -> None:
    """A partner confirmed or declined through its invite link: a new version with an activity naming the
    partner, so a page rendered before it says who changed what (and no editor's save is refused for it)."""
    proposal = Proposal.objects.select_for_update().get(pk=participation.proposal_id)
    record_activity(
        proposal=proposal,
        actor=None,
        action=ActivityAction.PARTNER_CONFIRMED if confirmed else ActivityAction.PARTNER_DECLINED,
        subject=participation.organisation.display_name,
        detail={"participation": participation.pk},
    )


# --- Proposals -----------------------------------------------------------------------------------------


@transaction.atomic
def proposal_create(
    *,
    owner,
    title: str,
    acronym: str,
    edition,
    duration_months: int,
    aims: list[str],
    economic_sectors: str = "",
    summary: str = "",
    deadline=None,
) -> Proposal:
    proposal = Proposal.objects.create(
        owner=owner,
        title=title,
        acronym=acronym,
        edition=edition,
        duration_months=duration_months,
        aims=list(aims),
        economic_sectors=economic_sectors,
        summary=summary,
        deadline=deadline,
    )
    ProposalActivity.objects.create(
        proposal=proposal,
        version=proposal.version,
        actor=owner,
        action=ActivityAction.CREATED,
        subject=proposal.acronym,
    )
    return proposal


@transaction.atomic
def proposal_update(*, proposal: Proposal, actor, expected_version: int, **fields) -> Proposal:
    """Change the proposal's details; only the fields given, and a new version only if something changed."""
    unknown = set(fields) - set(PROPOSAL_FIELDS)
    if unknown:
        raise TypeError(f"unknown proposal fields: {sorted(unknown)}")
    locked = lock_proposal(proposal_id=proposal.pk, expected_version=expected_version)
    changed = [name for name, value in fields.items() if not _same(name, getattr(locked, name), value)]
    if not changed:
        return locked
    # What each field held before: a page rendered from then tells a field its user left alone from one they
    # changed (`views.proposals`: an edit of other fields is merged rather than refused).
    before = {name: recorded(getattr(locked, name)) for name in changed}
    for name in changed:
        setattr(locked, name, fields[name])
    locked.save(update_fields=[*changed, "updated_at"])
    record_activity(
        proposal=locked,
        actor=actor,
        action=ActivityAction.UPDATED,
        detail={"fields": changed, "before": before},
    )
    return locked


def recorded(value):
    """A proposal field's value as an activity records it (JSON): an edition by its pk, a date in ISO form,
    aims sorted."""
    if hasattr(value, "pk"):
        return value.pk
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, list | tuple):
        return sorted(value)
    return value


def _same(name: str, stored, given) -> bool:
    """Aims are a set: the same aims in another order are no change (a form lists them in its own order)."""
    if name == "aims":
        return sorted(stored or []) == sorted(given or [])
    return stored == given


@transaction.atomic
def proposal_archive(*, proposal: Proposal, actor, expected_version: int | None = None) -> Proposal:
    locked = lock_proposal(proposal_id=proposal.pk, expected_version=expected_version)
    if locked.archived_at is None:
        locked.archived_at = timezone.now()
        locked.save(update_fields=["archived_at", "updated_at"])
        record_activity(proposal=locked, actor=actor, action=ActivityAction.ARCHIVED)
    return locked


@transaction.atomic
def proposal_restore(*, proposal: Proposal, actor, expected_version: int | None = None) -> Proposal:
    locked = lock_proposal(proposal_id=proposal.pk, expected_version=expected_version)
    if locked.archived_at is not None:
        locked.archived_at = None
        locked.save(update_fields=["archived_at", "updated_at"])
        record_activity(proposal=locked, actor=actor, action=ActivityAction.RESTORED)
    return locked


# --- Participations ------------------------------------------------------------------------------------


def _check_role(
    *, proposal_id: int, role: str, affiliated_to: Participation | None, participation: Participation | None
) -> Participation | None:
    """The rules a role must meet, as field errors. Returns the partner to store (None unless affiliated)."""
    if role not in Role.values:
        raise ValidationError({"role": _("Choose one of the roles offered.")})
    others = Participation.objects.filter(proposal_id=proposal_id)
    if participation is not None:
        others = others.exclude(pk=participation.pk)
    if role == Role.APPLICANT:
        applicant = others.filter(role=Role.APPLICANT).select_related("organisation").first()
        if applicant is not None:
            if applicant.status == ParticipationStatus.DECLINED:
                message = _(
                    "%(name)s, the applicant, has declined but still has the role. Make it a full partner "
                    "or remove it first: a proposal has one applicant."
                )
            else:
                message = _(
                    "%(name)s is already the applicant. Change its role first: a proposal has one applicant."
                )
            raise ValidationError({"role": message % {"name": applicant.organisation.display_name}})
    if (
        participation is not None
        and role not in FULL_PARTNER_ROLES
        and participation.affiliated_entities.exists()
    ):
        raise ValidationError(
            {
                "role": _(
                    "Its affiliated entities need it to stay a full partner or the applicant. "
                    "Change or remove them first."
                )
            }
        )
    if role != Role.AFFILIATED_ENTITY:
        return None
    if affiliated_to is None:
        raise ValidationError(
            {"affiliated_to": _("Choose the full partner this affiliated entity belongs to.")}
        )
    if (
        affiliated_to.proposal_id != proposal_id
        or (participation is not None and affiliated_to.pk == participation.pk)
        or affiliated_to.role not in FULL_PARTNER_ROLES
    ):
        raise ValidationError(
            {
                "affiliated_to": _(
                    "An affiliated entity belongs to a full partner or the applicant of this proposal."
                )
            }
        )
    return affiliated_to


@transaction.atomic
def participation_add(
    *,
    proposal: Proposal,
    organisation,
    role: str,
    actor,
    expected_version: int,
    affiliated_to: Participation | None = None,
    contact_name: str = "",
    contact_email: str = "",
) -> Participation:
    # An addition conflicts with no other change: what it could clash with (the same organisation, a second
    # applicant) is checked below, under the lock, against the consortium as it is.
    locked = lock_proposal(proposal_id=proposal.pk, expected_version=expected_version, conflicting=NOTHING)
    # Held until commit (PostgreSQL checks the foreign key only then): a correction deciding whether only one
    # proposal uses the record waits for this one (alliances.curation). Proposal, then organisation.
    list(Organisation.objects.select_for_update(no_key=True).filter(pk=organisation.pk).values_list("pk"))
    if in_consortium(proposal=locked, organisation=organisation):
        raise ValidationError(
            {
                "organisation": _("%(name)s is already in the consortium.")
                % {"name": organisation.display_name}
            }
        )
    partner = _check_role(proposal_id=locked.pk, role=role, affiliated_to=affiliated_to, participation=None)
    try:
        with transaction.atomic():
            participation = Participation.objects.create(
                proposal=locked,
                organisation=organisation,
                role=role,
                affiliated_to=partner,
                status=ParticipationStatus.PROPOSED,
                contact_name=contact_name,
                contact_email=contact_email,
            )
    except IntegrityError as exc:  # a concurrent request won the race for the same constraint
        raise ValidationError(_("The consortium changed meanwhile. Reload the page and try again.")) from exc
    record_activity(
        proposal=locked,
        actor=actor,
        action=ActivityAction.PARTICIPANT_ADDED,
        subject=organisation.legal_name,
        detail={"role": role},
    )
    return participation


@transaction.atomic
def participation_update(
    *,
    participation: Participation,
    actor,
    expected_version: int,
    role: str,
    affiliated_to: Participation | None = None,
    contact_name: str | None = None,
    contact_email: str | None = None,
) -> Participation:
    """Change a participant's role (and the partner it is affiliated to) and contact."""
    locked = lock_proposal(
        proposal_id=participation.proposal_id,
        expected_version=expected_version,
        conflicting=_changes_of(participation.pk),
    )
    current = (
        Participation.objects.select_for_update().select_related("organisation").get(pk=participation.pk)
    )
    partner = _check_role(
        proposal_id=locked.pk, role=role, affiliated_to=affiliated_to, participation=current
    )
    before = {
        "role": current.role,
        "affiliated_to": current.affiliated_to_id,
        "contact_name": current.contact_name,
        "contact_email": current.contact_email,
    }
    current.role = role
    current.affiliated_to = partner
    if contact_name is not None:
        current.contact_name = contact_name
    if contact_email is not None:
        current.contact_email = contact_email
    after = {
        "role": current.role,
        "affiliated_to": current.affiliated_to_id,
        "contact_name": current.contact_name,
        "contact_email": current.contact_email,
    }
    changed = [name for name in before if before[name] != after[name]]
    if not changed:
        return current
    # A partner confirms the role its page showed: a confirmation of another role no longer holds.
    withdrawn = "role" in changed and current.status == ParticipationStatus.CONFIRMED
    if withdrawn:
        current.status = ParticipationStatus.PROPOSED
    try:
        with transaction.atomic():
            current.save(update_fields=[*changed, *(["status"] if withdrawn else []), "updated_at"])
    except IntegrityError as exc:
        raise ValidationError(_("The consortium changed meanwhile. Reload the page and try again.")) from exc
    if withdrawn:
        confirmation_withdrawn.send(
            sender=Participation, participation=current, actor=actor, from_role=before["role"]
        )
    record_activity(
        proposal=locked,
        actor=actor,
        action=ActivityAction.PARTICIPANT_CHANGED,
        subject=current.organisation.legal_name,
        detail={
            "participation": current.pk,
            "fields": changed,
            "from_role": before["role"],
            "role": current.role,
        },
    )
    return current


@transaction.atomic
def participation_remove(*, participation: Participation, actor, expected_version: int) -> list[str]:
    """Remove a participant (and the affiliated entities that belong to it). Returns the names removed."""
    locked = lock_proposal(
        proposal_id=participation.proposal_id,
        expected_version=expected_version,
        conflicting=_changes_of(participation.pk),
    )
    current = Participation.objects.select_related("organisation").get(pk=participation.pk)
    names = [current.organisation.legal_name]
    names += [
        entity.organisation.legal_name
        for entity in current.affiliated_entities.select_related("organisation")
    ]
    # Affiliated entities go first, one by one, so each delete sends its signal.
    for entity in list(current.affiliated_entities.all()):
        entity.delete()
    current.delete()
    record_activity(
        proposal=locked,
        actor=actor,
        action=ActivityAction.PARTICIPANT_REMOVED,
        subject=names[0],
        detail={"with": names[1:]} if len(names) > 1 else {},
    )
    return names
