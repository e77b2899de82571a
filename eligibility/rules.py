"""The eligibility criteria of Alliances for Innovation, as pure functions.

Plain data in (a `Snapshot` of the proposal, the `EditionRules` of its call year, a mode), an `Evaluation`
out: no ORM, no settings, no I/O, so the web page, the admin and the command line all give the same answer
and the rules can be tested in isolation. ELIGIBILITY.md (the product's eligibility contract) decides what
they mean; the criteria below are in its order and carry its numbers.

Messages and hints are translated when the criterion is evaluated (the caller chooses the active language).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from functools import cached_property
from types import MappingProxyType
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

ROLES = ("applicant", "full_partner", "affiliated_entity", "associated_partner")
FULL_PARTNER_ROLES = frozenset({"applicant", "full_partner"})
STATUSES = ("proposed", "invited", "confirmed", "declined", "withdrawn")
MODES = ("confirmed", "projected")
CONSIDERED_STATUSES = {
    "confirmed": frozenset({"confirmed"}),
    "projected": frozenset({"proposed", "invited", "confirmed"}),
}
# Declined and withdrawn: no mode counts them.
NEVER_CONSIDERED = frozenset(STATUSES) - CONSIDERED_STATUSES["projected"]
PROGRAMME_STATUSES = ("eu_member", "associated", "third_not_associated")
ELIGIBLE_PROGRAMME_STATUSES = frozenset({"eu_member", "associated"})
ECHE_STATUSES = ("not_required", "pending", "valid", "expired", "not_found", "error")

# Lazy, so importing this module needs no configured settings; str() gives the label in the active language.
AIMS: dict[str, str] = {
    "teaching-learning": gettext_lazy(
        "New, innovative and multidisciplinary approaches to teaching and learning"
    ),
    "deep-tech": gettext_lazy("Skills development in deep tech"),
    "incubators": gettext_lazy("Incubators in education and training institutions"),
    "social-responsibility": gettext_lazy(
        "Corporate social responsibility: equity, inclusion, climate, environmental protection "
        "and sustainable development"
    ),
    "entrepreneurship": gettext_lazy(
        "A sense of initiative and entrepreneurial attitudes, mind-sets and skills (EntreComp)"
    ),
    "skills-relevance": gettext_lazy(
        "Quality and relevance of skills, including new skills and tackling skills mismatches"
    ),
    "knowledge-flow": gettext_lazy(
        "Flow and co-creation of knowledge between higher education, vocational education and training, "
        "research, the public sector and the business sector"
    ),
    "connected-systems": gettext_lazy(
        "Effective, efficient, connected and inclusive higher education and VET systems"
    ),
}


def aim_label(code: str) -> str:
    """An aim's words; an unknown code (an aim a later edition dropped) as it is."""
    return AIMS.get(code, code)


CRITERIA: tuple[str, ...] = (
    "applicant",
    "organisation-types",
    "excluded-countries",
    "third-country-roles",
    "eche",
    "full-partners",
    "countries",
    "labour-market-actors",
    "education-providers",
    "hei-and-vet",
    "duration",
    "aims",
)
# The one criterion that only editions restricting regions have.
REGION_CRITERION = "third-country-roles"

PASS, FAIL, PENDING = "pass", "fail", "pending"
ELIGIBLE, NOT_ELIGIBLE = "eligible", "not_eligible"


# --- Data in -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participant:
    name: str
    role: str
    status: str
    country: str  # effective country, already mapped by the caller (RE -> FR, GL -> DK)
    programme_status: str  # of the effective country, before edition overrides
    region: int | None  # 1-14 for third_not_associated countries, else None
    higher_education: bool
    vet_provider: bool
    labour_market_actor: bool
    eligible_type: bool
    type_name: str = ""
    eche: str = "pending"
    identified: bool = True  # has an Erasmus code, PIC or OID: something its charter can be looked up by

    @property
    def is_full_partner(self) -> bool:
        return self.role in FULL_PARTNER_ROLES

    @property
    def is_education_provider(self) -> bool:
        return self.higher_education or self.vet_provider


# The parameters an edition gives the rules: the keys `EditionRules.from_mapping` reads.
EDITION_FIELDS = (
    "min_full_partners",
    "min_countries",
    "min_labour_market_actors",
    "min_education_providers",
    "require_hei_and_vet",
    "durations",
    "excluded_countries",
    "allowed_regions",
    "programme_status_overrides",
    "aims",
)


@dataclass(frozen=True)
class EditionRules:
    year: int
    min_full_partners: int
    min_countries: int
    min_labour_market_actors: int
    min_education_providers: int
    require_hei_and_vet: bool
    durations: frozenset[int]
    excluded_countries: frozenset[str]
    allowed_regions: frozenset[int] | None  # None: every region allowed, and no `third-country-roles`
    programme_status_overrides: Mapping[str, str]
    aims: frozenset[str]

    @classmethod
    def from_mapping(cls, year: int, mapping: Mapping[str, Any]) -> EditionRules:
        """Build from plain data shaped like `EDITION_DEFAULTS[year]`; other keys are ignored."""
        regions = mapping["allowed_regions"]
        return cls(
            year=int(year),
            min_full_partners=int(mapping["min_full_partners"]),
            min_countries=int(mapping["min_countries"]),
            min_labour_market_actors=int(mapping["min_labour_market_actors"]),
            min_education_providers=int(mapping["min_education_providers"]),
            require_hei_and_vet=bool(mapping["require_hei_and_vet"]),
            durations=frozenset(int(months) for months in mapping["durations"]),
            excluded_countries=frozenset(mapping["excluded_countries"]),
            # An empty list restricts nothing, as no list (the edition admin's "empty means every region").
            allowed_regions=frozenset(int(region) for region in regions) if regions else None,
            # Read-only, so a frozen EditionRules cannot be changed through it.
            programme_status_overrides=MappingProxyType(dict(mapping["programme_status_overrides"] or {})),
            aims=frozenset(mapping["aims"]),
        )


@dataclass(frozen=True)
class Snapshot:
    duration_months: int | None
    aims: tuple[str, ...]
    participants: tuple[Participant, ...]


# --- Edition parameters (seed data for the Edition model) ----------------------------------------------


def _edition_parameters(year: int) -> dict[str, Any]:
    """The ELIGIBILITY.md table, column by column: each edition is the previous one plus what changed."""
    parameters: dict[str, Any] = {
        "min_full_partners": 8,
        "min_countries": 4,
        "min_labour_market_actors": 3,
        "min_education_providers": 3,
        "require_hei_and_vet": True,
        "durations": [24, 36],
        "excluded_countries": ["BY"],
        "allowed_regions": None,
        "programme_status_overrides": {},
        "aims": sorted(set(AIMS) - {"deep-tech", "incubators"}),
    }
    if year >= 2023:
        parameters.update(excluded_countries=["BY", "RU"], aims=sorted(AIMS))
    if year >= 2025:
        parameters.update(allowed_regions=[1, 2, 3])
    if year >= 2027:
        parameters.update(programme_status_overrides={"CH": "associated", "GB": "associated"})
    return parameters


EDITION_DEFAULTS: dict[int, dict[str, Any]] = {year: _edition_parameters(year) for year in range(2022, 2028)}


# --- Results out ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class CriterionResult:
    code: str
    status: str  # pass | fail | pending
    message: str
    observed: int | None = None  # counting criteria only
    required: int | None = None
    hint: str | None = None  # what would fix it; present iff the criterion does not pass
    pending: int | None = None  # confirmed mode, criteria 6-9: how many more if everyone invited confirmed
    counted: tuple[str, ...] | None = None  # criteria 6-10: the names (countries for 7) the count includes
    not_counted: tuple[dict[str, str], ...] | None = None  # criterion 7: countries left out, with the reason

    def as_dict(self) -> dict[str, Any]:
        data: dict[str, Any] = {"code": self.code, "status": self.status}
        if self.observed is not None:
            data["observed"] = self.observed
        if self.required is not None:
            data["required"] = self.required
        data["message"] = self.message
        if self.hint is not None:
            data["hint"] = self.hint
        if self.pending is not None:
            data["pending"] = self.pending
        if self.counted is not None:
            data["counted"] = list(self.counted)
        if self.not_counted is not None:
            data["not_counted"] = [dict(entry) for entry in self.not_counted]
        return data


@dataclass(frozen=True)
class Evaluation:
    edition: int
    mode: str
    status: str  # eligible | not_eligible | pending
    criteria: tuple[CriterionResult, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            "edition": self.edition,
            "mode": self.mode,
            "status": self.status,
            "criteria": [criterion.as_dict() for criterion in self.criteria],
        }


# --- Shared reading of the data ------------------------------------------------------------------------


@dataclass(frozen=True)
class Country:
    """A row of the country table, as the rules read it."""

    code: str
    programme_status: str  # before edition overrides
    region: int | None = None


def effective_country(country: Country, member_state: Country | None) -> Country:
    """The country an organisation counts as from: an overseas country or territory, or an outermost region,
    counts as its Member State (RE -> FR, GL -> DK)."""
    return member_state or country


def status_under(edition: EditionRules, code: str, programme_status: str) -> str:
    """A country's programme status under the edition: an override wins over the country table."""
    return edition.programme_status_overrides.get(code, programme_status)


def programme_status(participant: Participant, edition: EditionRules) -> str:
    """The participant's programme status under the edition (of its effective country)."""
    return status_under(edition, participant.country, participant.programme_status)


def member_or_associated(edition: EditionRules, code: str, programme_status: str) -> bool:
    """Whether the country is an EU Member State or associated to the Programme under the edition."""
    return status_under(edition, code, programme_status) in ELIGIBLE_PROGRAMME_STATUSES


def from_eligible_country(participant: Participant, edition: EditionRules) -> bool:
    """Whether the participant's effective country is a Member State or associated under the edition."""
    return member_or_associated(edition, participant.country, participant.programme_status)


def charter_required(country: Country, edition: EditionRules) -> bool:
    """Whether a higher education institution whose effective country this is needs a valid ECHE under the
    edition (criterion 5): a Member State or an associated country under it. Otherwise its ECHE status is
    `not_required`, whatever a check of it found."""
    return member_or_associated(edition, country.code, country.programme_status)


def eligible_country(country: Country, edition: EditionRules) -> bool:
    """Whether partners whose effective country this is may take any role and count for every criterion
    under the edition: a Member State or an associated country (criteria 1, 4, 5 and 7 treat the others
    apart) that the edition does not exclude (criterion 3)."""
    return country.code not in edition.excluded_countries and member_or_associated(
        edition, country.code, country.programme_status
    )


def considered(snapshot: Snapshot, mode: str) -> tuple[Participant, ...]:
    """The participants a mode looks at; declined and withdrawn ones never count."""
    try:
        statuses = CONSIDERED_STATUSES[mode]
    except KeyError:
        raise ValueError(f"unknown evaluation mode {mode!r}; expected one of {MODES}") from None
    return tuple(participant for participant in snapshot.participants if participant.status in statuses)


def criteria_for(edition: EditionRules) -> tuple[str, ...]:
    """The criterion codes an evaluation under this edition returns, in order."""
    if edition.allowed_regions is None:
        return tuple(code for code in CRITERIA if code != REGION_CRITERION)
    return CRITERIA


def overall_status(results: Iterable[CriterionResult]) -> str:
    statuses = {result.status for result in results}
    if FAIL in statuses:
        return NOT_ELIGIBLE
    if PENDING in statuses:
        return PENDING
    return ELIGIBLE


@dataclass(frozen=True)
class _Context:
    """What every check reads: the considered participants, the proposal, the edition."""

    participants: tuple[Participant, ...]
    snapshot: Snapshot
    edition: EditionRules

    def status_of(self, participant: Participant) -> str:
        return programme_status(participant, self.edition)

    def from_eligible_country(self, participant: Participant) -> bool:
        return from_eligible_country(participant, self.edition)

    def is_excluded(self, participant: Participant) -> bool:
        """From a country the edition excludes from every role (criterion 3)."""
        return participant.country in self.edition.excluded_countries

    def is_misplaced(self, participant: Participant) -> bool:
        """In a role its country's region may not have in this edition (criterion 4: only an associated
        partner from a non-associated third country outside the allowed regions, when the edition restricts
        them; a country without a region cannot be shown to be in an allowed one)."""
        allowed = self.edition.allowed_regions
        return (
            allowed is not None
            and self.status_of(participant) == "third_not_associated"
            and participant.region not in allowed
            and participant.role != "associated_partner"
        )

    def fails_for_itself(self, participant: Participant) -> bool:
        """Refused by a criterion of its own (its type, its country, its role there), whoever confirms."""
        return (
            not participant.eligible_type or self.is_excluded(participant) or self.is_misplaced(participant)
        )

    @cached_property
    def full_partners(self) -> tuple[Participant, ...]:
        return tuple(participant for participant in self.participants if participant.is_full_partner)

    @cached_property
    def counted_countries(self) -> dict[str, None]:
        """The effective countries criterion 7 counts, each once, in the order they first appear."""
        eligible = (p.country for p in self.full_partners if self.from_eligible_country(p))
        return dict.fromkeys(eligible)


def _label(participant: Participant) -> str:
    return _("%(name)s (%(country)s)") % {"name": participant.name, "country": participant.country}


def _and(items: Iterable[str]) -> str:
    """ "A", "A and B", "A, B and C"."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s and %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _or(items: Iterable[str]) -> str:
    """ "A", "A or B", "A, B or C"."""
    items = list(items)
    if len(items) < 2:
        return "".join(items)
    return _("%(items)s or %(last)s") % {"items": ", ".join(items[:-1]), "last": items[-1]}


def _labels(participants: Iterable[Participant]) -> str:
    return _and(_label(participant) for participant in participants)


def _passed(code: str, message: str, **details: Any) -> CriterionResult:
    return CriterionResult(code=code, status=PASS, message=message, **details)


def _failed(code: str, message: str, hint: str, **details: Any) -> CriterionResult:
    return CriterionResult(code=code, status=FAIL, message=message, hint=hint, **details)


# --- The criteria, one function each -------------------------------------------------------------------


def check_applicant(ctx: _Context) -> CriterionResult:
    """1. Exactly one applicant, established in an EU Member State or an associated country."""
    code = "applicant"
    applicants = [participant for participant in ctx.participants if participant.role == "applicant"]
    # One that declined or withdrew keeps the role (a proposal has one applicant) until it is changed.
    gone = not applicants and next(
        (p for p in ctx.snapshot.participants if p.role == "applicant" and p.status in NEVER_CONSIDERED), None
    )
    if gone:
        message = (
            _("The applicant %(applicant)s has declined.")
            if gone.status == "declined"
            else _("The applicant %(applicant)s has withdrawn.")
        )
        return _failed(
            code,
            message % {"applicant": _label(gone)},
            _(
                "Make %(name)s a full partner or remove it, then give the applicant role to one full partner "
                "from an EU Member State or associated country."
            )
            % {"name": gone.name},
        )
    # In confirmed mode one may have the role without having confirmed: it is named, never "no one" (in the
    # words `_awaiting_confirmations` gives it when confirming is all it lacks).
    unconfirmed = not applicants and next(
        (p for p in ctx.snapshot.participants if p.role == "applicant" and p.status not in NEVER_CONSIDERED),
        None,
    )
    if unconfirmed and ctx.from_eligible_country(unconfirmed):
        return _failed(
            code,
            _("The applicant has not confirmed yet: %(applicant)s.") % {"applicant": _label(unconfirmed)},
            _whom_to_ask([unconfirmed], ctx),
        )
    if unconfirmed:
        return _not_established(ctx, unconfirmed)
    if not applicants:
        return _failed(
            code,
            _("No participant has the applicant role."),
            _("Give the applicant role to one full partner from an EU Member State or associated country."),
        )
    if len(applicants) > 1:
        return _failed(
            code,
            _("%(n)d participants have the applicant role; exactly one must have it.")
            % {"n": len(applicants)},
            _("Keep the applicant role for only one of %(names)s; make the others full partners.")
            % {"names": _labels(applicants)},
        )
    applicant = applicants[0]
    if not ctx.from_eligible_country(applicant):
        return _not_established(ctx, applicant)
    return _passed(code, _("The applicant is %(applicant)s.") % {"applicant": _label(applicant)})


def _not_established(ctx: _Context, applicant: Participant) -> CriterionResult:
    """The applicant is from elsewhere (confirmed or not, in the mode's eyes): its hint asks for another one
    and says what the one there now may become in the same consortium: a full partner, an associated partner
    (outside the edition's regions, as criterion 4 says) or nothing (excluded)."""
    if applicant in ctx.participants:
        message = _(
            "The applicant %(applicant)s is not established in an EU Member State "
            "or a third country associated to the Programme."
        )
    else:
        message = _(
            "The applicant %(applicant)s has not confirmed yet, and is not established in an EU Member "
            "State or a third country associated to the Programme."
        )
    if ctx.is_excluded(applicant):
        text = _(
            "Give the applicant role to a full partner from an EU Member State or associated country, and "
            "remove %(name)s: organisations from %(country)s cannot take part in any role."
        )
    elif ctx.is_misplaced(applicant):
        text = _(
            "Give the applicant role to a full partner from an EU Member State or associated country, and "
            "make %(name)s an associated partner."
        )
    else:
        text = _(
            "Give the applicant role to a full partner from an EU Member State or associated country, and "
            "make %(name)s a full partner."
        )
    return _failed(
        "applicant",
        message % {"applicant": _label(applicant)},
        text % {"name": applicant.name, "country": applicant.country},
    )


def check_organisation_types(ctx: _Context) -> CriterionResult:
    """2. Every participant's organisation type is one the action admits."""
    code = "organisation-types"
    ineligible = [participant for participant in ctx.participants if not participant.eligible_type]
    if not ineligible:
        return _passed(code, _("Every participant has an eligible organisation type."))
    names = _and(
        _("%(name)s (%(type)s)") % {"name": participant.name, "type": participant.type_name}
        if participant.type_name
        else participant.name
        for participant in ineligible
    )
    return _failed(
        code,
        ngettext(
            "%(n)d participant has an organisation type that is not eligible: %(names)s.",
            "%(n)d participants have an organisation type that is not eligible: %(names)s.",
            len(ineligible),
        )
        % {"n": len(ineligible), "names": names},
        ngettext(
            "Remove %(names)s, or correct its organisation type if it is wrong.",
            "Remove %(names)s, or correct their organisation types if they are wrong.",
            len(ineligible),
        )
        % {"names": _and(participant.name for participant in ineligible)},
    )


def check_excluded_countries(ctx: _Context) -> CriterionResult:
    """3. Nobody, in any role, from a country the edition excludes (Belarus; Russia from 2023)."""
    code = "excluded-countries"
    excluded = [participant for participant in ctx.participants if ctx.is_excluded(participant)]
    if not excluded:
        return _passed(code, _("No participant is from a country excluded from this action."))
    labels = _labels(excluded)
    return _failed(
        code,
        ngettext(
            "%(names)s is from a country excluded from this action.",
            "%(names)s are from countries excluded from this action.",
            len(excluded),
        )
        % {"names": labels},
        _("Remove %(names)s: organisations from %(countries)s cannot take part in any role.")
        % {"names": labels, "countries": _and(sorted({participant.country for participant in excluded}))},
    )


def check_third_country_roles(ctx: _Context) -> CriterionResult:
    """4. Outside the allowed regions, non-associated third countries may only send associated partners.

    Evaluated only for editions that restrict regions (see `criteria_for`).
    """
    code = REGION_CRITERION
    allowed = ctx.edition.allowed_regions or frozenset()
    misplaced = [participant for participant in ctx.participants if ctx.is_misplaced(participant)]
    regions = _and(str(region) for region in sorted(allowed))
    if not misplaced:
        return _passed(
            code,
            _(
                "Every organisation from a non-associated third country outside regions %(regions)s "
                "is an associated partner."
            )
            % {"regions": regions},
        )
    labels = _labels(misplaced)
    return _failed(
        code,
        ngettext(
            "%(names)s is from a non-associated third country outside regions %(regions)s "
            "and may only be an associated partner.",
            "%(names)s are from non-associated third countries outside regions %(regions)s "
            "and may only be associated partners.",
            len(misplaced),
        )
        % {"names": labels, "regions": regions},
        ngettext(
            "Change the role of %(names)s to associated partner, or remove it.",
            "Change the roles of %(names)s to associated partner, or remove them.",
            len(misplaced),
        )
        % {"names": labels},
    )


def _eche_label(status: str) -> str:
    labels = {
        "expired": _("expired"),
        "not_found": _("not found in the ECHE list"),
        "pending": _("not checked yet"),
        "error": _("the check failed"),
        "not_required": _("not checked yet"),
    }
    return labels.get(status, status)


def check_eche(ctx: _Context) -> CriterionResult:
    """5. Every HEI from an EU Member State or associated country holds a valid ECHE."""
    code = "eche"
    needing_charter = [
        participant
        for participant in ctx.participants
        if participant.higher_education and ctx.from_eligible_country(participant)
    ]
    without = [participant for participant in needing_charter if participant.eche in {"expired", "not_found"}]
    # `not_required` on an HEI that needs a charter means its country became associated under this edition
    # after the charter check decided it needed none: the check is still to be done.
    unknown = [
        participant
        for participant in needing_charter
        if participant.eche in {"pending", "error", "not_required"}
    ]

    def described(participants: list[Participant]) -> str:
        return _and(
            _("%(name)s (%(status)s)") % {"name": participant.name, "status": _eche_label(participant.eche)}
            for participant in participants
        )

    if without:
        return _failed(
            code,
            ngettext(
                "%(n)d higher education institution has no valid ECHE: %(names)s.",
                "%(n)d higher education institutions have no valid ECHE: %(names)s.",
                len(without),
            )
            % {"n": len(without), "names": described(without)},
            ngettext(
                "Replace %(names)s with an institution holding a valid Erasmus Charter for Higher Education, "
                "or correct its Erasmus code, PIC or OID if it does hold one.",
                "Replace %(names)s with institutions holding a valid Erasmus Charter for Higher Education, "
                "or correct their Erasmus codes, PICs or OIDs if they do hold one.",
                len(without),
            )
            % {"names": _and(participant.name for participant in without)},
        )
    if unknown:
        return CriterionResult(
            code=code,
            status=PENDING,
            message=ngettext(
                "The ECHE of %(n)d higher education institution is not confirmed yet: %(names)s.",
                "The ECHE of %(n)d higher education institutions is not confirmed yet: %(names)s.",
                len(unknown),
            )
            % {"n": len(unknown), "names": described(unknown)},
            hint=_eche_pending_hint(unknown),
        )
    return _passed(
        code,
        _("Every higher education institution that needs an ECHE holds a valid one."),
    )


def _eche_pending_hint(unknown: list[Participant]) -> str:
    """What would settle the charters not confirmed yet: an identifier for those that have none (no check
    can look them up, so there is nothing to wait for), the check for the others."""
    unidentified = [p for p in unknown if p.eche == "pending" and not p.identified]
    awaited = [p for p in unknown if p not in unidentified]
    hints = []
    if unidentified:
        hints.append(
            ngettext(
                "Add the Erasmus code, PIC or OID of %(names)s: without one its ECHE cannot be checked",
                "Add the Erasmus codes, PICs or OIDs of %(names)s: without them their ECHE cannot be checked",
                len(unidentified),
            )
            % {"names": _and(participant.name for participant in unidentified)}
        )
    if awaited:
        hints.append(
            ngettext(
                "wait for the ECHE check of %(names)s, or make sure its Erasmus code, PIC or OID is right",
                "wait for the ECHE checks of %(names)s, or make sure their Erasmus codes, PICs or OIDs "
                "are right",
                len(awaited),
            )
            % {"names": _and(participant.name for participant in awaited)}
        )
    hint = "; ".join(hints)
    return hint[0].upper() + hint[1:] + "."


def _counted(
    code: str,
    counted: tuple[str, ...],
    required: int,
    message: str,
    hint: Callable[[int], str],
    **details: Any,
) -> CriterionResult:
    """A minimum-count criterion: passes with `required` or more counted; the hint is given the shortfall."""
    observed = len(counted)
    details |= {"observed": observed, "required": required, "counted": counted}
    if observed >= required:
        return _passed(code, message, **details)
    return _failed(code, message, hint(required - observed), **details)


def _names(participants: Iterable[Participant]) -> tuple[str, ...]:
    return tuple(participant.name for participant in participants)


def check_full_partners(ctx: _Context) -> CriterionResult:
    """6. Enough full partners (the applicant counts as one)."""
    counted, required = _names(ctx.full_partners), ctx.edition.min_full_partners
    observed = len(counted)
    return _counted(
        "full-partners",
        counted,
        required,
        ngettext(
            "%(observed)d full partner, at least %(required)d required.",
            "%(observed)d full partners, at least %(required)d required.",
            observed,
        )
        % {"observed": observed, "required": required},
        lambda n: ngettext("Add %(n)d more full partner.", "Add %(n)d more full partners.", n) % {"n": n},
    )


def check_countries(ctx: _Context) -> CriterionResult:
    """7. Full partners from enough distinct EU Member States or associated countries."""
    countries = tuple(ctx.counted_countries)
    left_out = dict.fromkeys(
        participant.country for participant in ctx.full_partners if not ctx.from_eligible_country(participant)
    )
    excluded = ctx.edition.excluded_countries
    not_counted = tuple(
        {"country": country, "reason": "excluded" if country in excluded else "third_not_associated"}
        for country in left_out
    )
    observed, required = len(countries), ctx.edition.min_countries
    return _counted(
        "countries",
        countries,
        required,
        ngettext(
            "The full partners cover %(observed)d EU Member State or associated country, "
            "at least %(required)d required.",
            "The full partners cover %(observed)d EU Member States or associated countries, "
            "at least %(required)d required.",
            observed,
        )
        % {"observed": observed, "required": required},
        lambda n: (
            ngettext(
                "Add full partners from %(n)d more EU Member State or associated country.",
                "Add full partners from %(n)d more EU Member States or associated countries.",
                n,
            )
            % {"n": n}
        ),
        not_counted=not_counted,
    )


def check_labour_market_actors(ctx: _Context) -> CriterionResult:
    """8. Enough labour market actors among the full partners."""
    counted = _names(participant for participant in ctx.full_partners if participant.labour_market_actor)
    observed, required = len(counted), ctx.edition.min_labour_market_actors
    return _counted(
        "labour-market-actors",
        counted,
        required,
        ngettext(
            "%(observed)d labour market actor among the full partners, at least %(required)d required.",
            "%(observed)d labour market actors among the full partners, at least %(required)d required.",
            observed,
        )
        % {"observed": observed, "required": required},
        lambda n: (
            ngettext(
                "Add %(n)d more labour market actor as a full partner: "
                "an enterprise, chamber, trade union or trade association.",
                "Add %(n)d more labour market actors as full partners: "
                "enterprises, chambers, trade unions or trade associations.",
                n,
            )
            % {"n": n}
        ),
    )


def check_education_providers(ctx: _Context) -> CriterionResult:
    """9. Enough education and training providers (HEIs or VET providers) among the full partners."""
    counted = _names(participant for participant in ctx.full_partners if participant.is_education_provider)
    observed, required = len(counted), ctx.edition.min_education_providers
    return _counted(
        "education-providers",
        counted,
        required,
        ngettext(
            "%(observed)d education and training provider among the full partners, "
            "at least %(required)d required.",
            "%(observed)d education and training providers among the full partners, "
            "at least %(required)d required.",
            observed,
        )
        % {"observed": observed, "required": required},
        lambda n: (
            ngettext(
                "Add %(n)d more education and training provider (a higher education institution "
                "or VET provider) as a full partner.",
                "Add %(n)d more education and training providers (higher education institutions "
                "or VET providers) as full partners.",
                n,
            )
            % {"n": n}
        ),
    )


def check_hei_and_vet(ctx: _Context) -> CriterionResult:
    """10. At least one HEI and one VET provider among the full partners, when the edition asks for it."""
    code = "hei-and-vet"
    counted = {"counted": _names(p for p in ctx.full_partners if p.higher_education or p.vet_provider)}
    if not ctx.edition.require_hei_and_vet:
        return _passed(code, _("This edition does not require both an HEI and a VET provider."), **counted)
    has_hei = any(participant.higher_education for participant in ctx.full_partners)
    has_vet = any(participant.vet_provider for participant in ctx.full_partners)
    if has_hei and has_vet:
        return _passed(
            code, _("The full partners include a higher education institution and a VET provider."), **counted
        )
    if has_hei:
        return _failed(
            code,
            _("No full partner is a VET provider."),
            _("Add 1 VET provider as a full partner."),
            **counted,
        )
    if has_vet:
        return _failed(
            code,
            _("No full partner is a higher education institution."),
            _("Add 1 higher education institution as a full partner."),
            **counted,
        )
    return _failed(
        code,
        _("No full partner is a higher education institution or a VET provider."),
        _("Add 1 higher education institution and 1 VET provider as full partners."),
        **counted,
    )


def check_duration(ctx: _Context) -> CriterionResult:
    """11. A duration the edition allows (24 or 36 months)."""
    code = "duration"
    months = ctx.snapshot.duration_months
    allowed = sorted(ctx.edition.durations)
    hint = _("Choose a duration of %(months)s months.") % {"months": _or(str(m) for m in allowed)}
    if months is None:
        return _failed(code, _("The proposal has no duration yet."), hint)
    if months not in ctx.edition.durations:
        return _failed(
            code,
            ngettext(
                "A duration of %(n)d month is not allowed.",
                "A duration of %(n)d months is not allowed.",
                months,
            )
            % {"n": months},
            hint,
        )
    return _passed(code, _("The duration of %(n)d months is allowed.") % {"n": months})


def check_aims(ctx: _Context) -> CriterionResult:
    """12. At least one aim, each of them an aim of the edition."""
    code = "aims"
    year = ctx.edition.year
    choose = _("Choose at least one aim of the %(year)d edition.") % {"year": year}
    if not ctx.snapshot.aims:
        return _failed(code, _("The proposal names no aim."), choose)
    # An unknown code is data, not a programming error: it simply fails here.
    foreign = list(dict.fromkeys(aim for aim in ctx.snapshot.aims if aim not in ctx.edition.aims))
    if foreign:
        names = _and(f"“{aim_label(aim)}”" for aim in foreign)
        hint = _("Remove %(aims)s from the proposal's aims.") % {"aims": names}
        if set(foreign) == set(ctx.snapshot.aims):  # removing them all leaves none, which the form refuses
            hint += " " + choose
        return _failed(
            code,
            ngettext(
                "%(aims)s is not an aim of the %(year)d edition.",
                "%(aims)s are not aims of the %(year)d edition.",
                len(foreign),
            )
            % {"aims": names, "year": year},
            hint,
        )
    n = len(set(ctx.snapshot.aims))
    return _passed(
        code,
        ngettext(
            "The proposal pursues %(n)d aim of the %(year)d edition.",
            "The proposal pursues %(n)d aims of the %(year)d edition.",
            n,
        )
        % {"n": n, "year": year},
    )


_CHECKS: tuple[tuple[str, Callable[[_Context], CriterionResult]], ...] = (
    ("applicant", check_applicant),
    ("organisation-types", check_organisation_types),
    ("excluded-countries", check_excluded_countries),
    (REGION_CRITERION, check_third_country_roles),
    ("eche", check_eche),
    ("full-partners", check_full_partners),
    ("countries", check_countries),
    ("labour-market-actors", check_labour_market_actors),
    ("education-providers", check_education_providers),
    ("hei-and-vet", check_hei_and_vet),
    ("duration", check_duration),
    ("aims", check_aims),
)


# --- Confirmed mode: what confirmations would fix ------------------------------------------------------

COUNTING_CRITERIA = ("full-partners", "countries", "labour-market-actors", "education-providers")


def _awaited(code: str, confirmed: _Context, projected: _Context) -> list[Participant]:
    """The invited or proposed participants whose confirmation would count for this criterion."""
    if code == "applicant":
        candidates = [p for p in projected.participants if p.role == "applicant"]
    elif code == "countries":
        covered = confirmed.counted_countries
        candidates = [
            p
            for p in projected.full_partners
            if projected.from_eligible_country(p) and p.country not in covered
        ]
    elif code == "labour-market-actors":
        candidates = [p for p in projected.full_partners if p.labour_market_actor]
    elif code == "education-providers":
        candidates = [p for p in projected.full_partners if p.is_education_provider]
    elif code == "hei-and-vet":
        has_hei = any(p.higher_education for p in confirmed.full_partners)
        has_vet = any(p.vet_provider for p in confirmed.full_partners)
        candidates = [
            p
            for p in projected.full_partners
            if (p.higher_education and not has_hei) or (p.vet_provider and not has_vet)
        ]
    else:
        candidates = list(projected.full_partners)
    return [p for p in candidates if p.status != "confirmed"]


_AWAITING_COUNTS = {
    "full-partners": lambda n: ngettext(
        "%(observed)d of %(required)d full partners confirmed; %(pending)d more is invited or proposed.",
        "%(observed)d of %(required)d full partners confirmed; %(pending)d more are invited or proposed.",
        n,
    ),
    "countries": lambda n: ngettext(
        "%(observed)d of %(required)d EU Member States or associated countries covered by confirmed full "
        "partners; %(pending)d more is covered by invited or proposed ones.",
        "%(observed)d of %(required)d EU Member States or associated countries covered by confirmed full "
        "partners; %(pending)d more are covered by invited or proposed ones.",
        n,
    ),
    "labour-market-actors": lambda n: ngettext(
        "%(observed)d of %(required)d full partners that are labour market actors confirmed; "
        "%(pending)d more is invited or proposed.",
        "%(observed)d of %(required)d full partners that are labour market actors confirmed; "
        "%(pending)d more are invited or proposed.",
        n,
    ),
    "education-providers": lambda n: ngettext(
        "%(observed)d of %(required)d full partners that are education and training providers confirmed; "
        "%(pending)d more is invited or proposed.",
        "%(observed)d of %(required)d full partners that are education and training providers confirmed; "
        "%(pending)d more are invited or proposed.",
        n,
    ),
}


def _whom_to_ask(awaited: list[Participant], ctx: _Context) -> str:
    """Invite the participants not invited yet (proposed); remind the invited ones; and say which of them
    another criterion refuses whatever they answer (a college from an excluded country was asked to confirm,
    as if that would do)."""
    to_invite = [p for p in awaited if p.status == "proposed"]
    to_remind = [p for p in awaited if p.status != "proposed"]
    if to_invite and to_remind:
        hint = _("Invite %(invite)s; remind %(remind)s to confirm.") % {
            "invite": _labels(to_invite),
            "remind": _labels(to_remind),
        }
    elif to_invite:
        hint = _("Invite %(names)s to confirm.") % {"names": _labels(to_invite)}
    else:
        hint = _("Remind %(names)s to confirm.") % {"names": _labels(to_remind)}
    refused = [p for p in awaited if ctx.fails_for_itself(p)]
    if refused:
        hint += " " + ngettext(
            "%(names)s also fails another criterion, which its confirmation does not fix.",
            "%(names)s also fail another criterion, which their confirmation does not fix.",
            len(refused),
        ) % {"names": _labels(refused)}
    return hint


def _awaiting_confirmations(
    result: CriterionResult, confirmed: _Context, projected: _Context
) -> CriterionResult:
    """A confirmed-mode failure that the projected consortium does not have: it fails for want of
    confirmations, and says whose."""
    awaited = _awaited(result.code, confirmed, projected)
    hint = _whom_to_ask(awaited, projected)
    if result.code == "applicant":
        message = _("The applicant has not confirmed yet: %(applicant)s.") % {"applicant": _labels(awaited)}
    elif result.code in _AWAITING_COUNTS:
        message = _AWAITING_COUNTS[result.code](result.pending) % {
            "observed": result.observed,
            "required": result.required,
            "pending": result.pending,
        }
    elif result.code == "hei-and-vet":
        message = ngettext(
            "The full partner that would complete the HEI and VET pair has not confirmed yet: %(names)s.",
            "The full partners that would complete the HEI and VET pair have not confirmed yet: %(names)s.",
            len(awaited),
        ) % {"names": _labels(awaited)}
    else:
        return result
    return dataclasses.replace(result, message=message, hint=hint)


def _awaited_if_counted(
    result: CriterionResult, confirmed: _Context, projected: _Context
) -> list[Participant]:
    """For a criterion that confirmations would not fix alone: the participants whose confirmation would
    still count for it (a count's pending ones; the HEIs or VET providers that would make one side of the
    pair, when the other is missing even from the projected consortium)."""
    if result.code == "hei-and-vet" or result.pending:
        return _awaited(result.code, confirmed, projected)
    return []


def _confirmed_mode(
    results: tuple[CriterionResult, ...],
    projected_results: tuple[CriterionResult, ...],
    confirmed: _Context,
    projected: _Context,
) -> tuple[CriterionResult, ...]:
    """Confirmed-mode results with `pending` on the counting criteria, and failures that confirmations
    alone would fix saying so. A count that confirmations would not fill either asks for what the projected
    consortium lacks and for the confirmations: "Add 2 more full partners. Invite Acme (IT) to confirm."
    (not "Add 3 more", which would leave the invited partner uncounted). So does the HEI and VET pair: "Add
    1 VET provider as a full partner. Remind TU Berlin (DE) to confirm." (not "Add 1 higher education
    institution and 1 VET provider", which asked for an HEI the consortium has, unconfirmed)."""
    adjusted = []
    for result, if_all_confirmed in zip(results, projected_results, strict=True):
        if result.code in COUNTING_CRITERIA:
            pending = max(0, (if_all_confirmed.observed or 0) - (result.observed or 0))
            result = dataclasses.replace(result, pending=pending)
        if result.status == FAIL and if_all_confirmed.status == PASS:
            result = _awaiting_confirmations(result, confirmed, projected)
        elif result.status == FAIL and (awaited := _awaited_if_counted(result, confirmed, projected)):
            hint = f"{if_all_confirmed.hint} {_whom_to_ask(awaited, projected)}"
            result = dataclasses.replace(result, hint=hint)
        adjusted.append(result)
    return tuple(adjusted)


def evaluate(snapshot: Snapshot, edition: EditionRules, mode: str) -> Evaluation:
    """Evaluate a proposal against its edition, looking only at the participants the mode considers."""
    return evaluate_modes(snapshot, edition, (mode,))[mode]


def evaluate_modes(
    snapshot: Snapshot, edition: EditionRules, modes: Iterable[str] = MODES
) -> dict[str, Evaluation]:
    """`evaluate` in each of the modes, by mode. The confirmed mode reads the projected results too, so
    evaluating both at once checks each mode once."""
    modes = tuple(modes)
    applicable = [check for code, check in _CHECKS if code in set(criteria_for(edition))]
    checked_modes = {*modes, "projected"} if "confirmed" in modes else set(modes)
    contexts = {
        mode: _Context(participants=considered(snapshot, mode), snapshot=snapshot, edition=edition)
        for mode in checked_modes
    }
    checked = {mode: tuple(check(ctx) for check in applicable) for mode, ctx in contexts.items()}
    evaluations = {}
    for mode in modes:
        results = checked[mode]
        if mode == "confirmed":
            results = _confirmed_mode(
                results, checked["projected"], contexts["confirmed"], contexts["projected"]
            )
        evaluations[mode] = Evaluation(
            edition=edition.year, mode=mode, status=overall_status(results), criteria=results
        )
    return evaluations
