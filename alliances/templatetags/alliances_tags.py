"""Presentation helpers for the builder: criterion titles, counters, roles and the change log, translated."""

from django import template
from django.utils.formats import number_format
from django.utils.translation import gettext as _

from alliances.labels import (
    aims_text,
    counted_text,
    criterion_title,
    eche_status_text,
    not_counted_text,
    participation_status_label,
    status_label,
)
from alliances.models import (
    PARTNER_ACTIONS,
    ActivityAction,
    Participation,
    ParticipationStatus,
    Proposal,
    Role,
    role_in_a_sentence,
)
from partners.selectors import field_label

register = template.Library()


register.filter("criterion_title", criterion_title)
register.filter("status_label", status_label)
register.filter("aims_text", aims_text)
register.filter("counted_text", counted_text)
register.filter("not_counted_text", not_counted_text)
register.filter("eche_status_text", eche_status_text)
register.filter("participation_status_label", participation_status_label)
register.filter("role_in_a_sentence", role_in_a_sentence)


@register.filter
def counter_text(criterion):
    """ "6 of 8 full partners": the counters of criteria 6 to 9."""
    observed, required = criterion.get("observed"), criterion.get("required")
    if observed is None or required is None:
        return ""
    values = {"observed": number_format(observed), "required": number_format(required)}
    if observed > required:
        texts = {
            "full-partners": _("%(observed)s full partners, %(required)s required"),
            "countries": _("%(observed)s countries, %(required)s required"),
            "labour-market-actors": _("%(observed)s labour market actors, %(required)s required"),
            "education-providers": _("%(observed)s education and training providers, %(required)s required"),
        }
    else:
        texts = {
            "full-partners": _("%(observed)s of %(required)s full partners"),
            "countries": _("%(observed)s of %(required)s countries"),
            "labour-market-actors": _("%(observed)s of %(required)s labour market actors"),
            "education-providers": _("%(observed)s of %(required)s education and training providers"),
        }
    return texts.get(criterion.get("code"), _("%(observed)s of %(required)s")) % values


@register.filter
def labelled(participations):
    """The participations, each with `role_label` and `status_label` in the active language: for a table,
    whose rows then read them instead of calling a filter each."""
    roles, statuses = dict(Role.choices), dict(ParticipationStatus.choices)
    for participation in participations:
        participation.role_label = roles.get(participation.role, participation.role)
        participation.status_label = statuses.get(participation.status, participation.status)
    return participations


@register.filter
def role_label(role):
    try:
        return Role(role).label
    except ValueError:
        return role


def _activity_who(activity, viewer) -> str:
    """Who made a change, as the person reading about it sees them: you, the coordinator, a co-editor."""
    actor = activity.actor
    if actor is None:
        return _("Someone")
    if viewer is not None and actor.pk == viewer.pk:
        return _("You")
    if actor.pk == activity.proposal.owner_id:
        return _("%(name)s (coordinator)") % {"name": actor.display_name}
    return _("%(name)s (co-editor)") % {"name": actor.display_name}


def _field_names(model, names) -> str:
    """ "contact name, contact email": fields as their model names them (an unknown one as it is)."""
    fields = {field.name: field for field in model._meta.get_fields()}
    return ", ".join(str(getattr(fields.get(name), "verbose_name", name)) for name in names)


@register.filter
def activity_text(activity, viewer=None):
    """One sentence per change, naming who made it for the viewer: "You added a participant: Polmetal
    (Full partner)", "Anna Keller (co-editor) removed a participant: …", "Partner Polmetal confirmed its
    participation"."""
    try:
        what = ActivityAction(activity.action).label
    except ValueError:
        what = activity.action
    if activity.action in PARTNER_ACTIONS:
        return _("Partner %(name)s %(what)s") % {"name": activity.subject, "what": what}
    text = _("%(who)s %(what)s") % {"who": _activity_who(activity, viewer), "what": what}
    details = []
    if activity.subject:
        details.append(activity.subject)
    detail = activity.detail or {}
    if activity.action == ActivityAction.PARTICIPANT_CHANGED and detail.get("from_role") != detail.get(
        "role"
    ):
        details.append(
            _("from %(before)s to %(after)s")
            % {"before": role_label(detail.get("from_role")), "after": role_label(detail.get("role"))}
        )
    elif activity.action == ActivityAction.PARTICIPANT_ADDED and detail.get("role"):
        details.append(_("as %(role)s") % {"role": role_in_a_sentence(detail["role"])})
    if activity.action == ActivityAction.PARTICIPANT_CHANGED:
        # Which of its fields besides the role: a refused edit of the row said only "changed a participant".
        others = [name for name in detail.get("fields", []) if name != "role"]
        if others:
            details.append(f"({_field_names(Participation, others)})")
    if activity.action == ActivityAction.UPDATED and detail.get("fields"):
        details.append(_field_names(Proposal, detail["fields"]))
    if detail.get("organisation_corrected"):  # a correction of its directory record, made at once
        fields = ", ".join(field_label(name) for name in detail["organisation_corrected"])
        details.append(_("(its directory record corrected: %(fields)s)") % {"fields": fields})
    if detail.get("with"):
        details.append(_("with %(names)s") % {"names": ", ".join(detail["with"])})
    return f"{text}: {' '.join(details)}" if details else text
