"""The consortium file `check_eligibility` reads: a JSON document validated and turned into the plain data
the rules evaluate (an edition's rules and a snapshot), without writing to the database.

Every problem is collected (not only the first), each as `path: message`, e.g.
`participants[3].country: unknown country "ZZ"`.
"""

import json
import sys
import unicodedata
from dataclasses import dataclass

from partners.codes import normalise_erasmus_code, normalise_oid, normalise_pic
from partners.eche.services import registry_status
from partners.models import Country, OrganisationType

from . import rules
from .models import Edition
from .snapshot import edition_rules_from

# EU-style codes the Commission uses, besides ISO 3166-1.
COUNTRY_ALIASES = {"EL": "GR", "UK": "GB"}
INPUT_ECHE_STATUSES = ("valid", "expired", "not_found", "pending", "error")


class InvalidInput(Exception):
    def __init__(self, problems: list[str]):
        super().__init__("\n".join(problems))
        self.problems = problems


@dataclass(frozen=True)
class ConsortiumCheck:
    edition: rules.EditionRules
    snapshot: rules.Snapshot


def _type_name(value) -> str:
    return {
        bool: "a boolean",
        int: "an integer",
        float: "a number",
        str: "a string",
        list: "a list",
        dict: "an object",
        type(None): "null",
    }.get(type(value), type(value).__name__)


def _one_printable_line(text: str) -> str:
    """The text as one printable line whatever the input it quotes held: a line break, another control
    character or a line separator comes out escaped (\\n, \\x1b, \\u2028), a lone surrogate as \\ud800."""
    text = "".join(
        char.encode("unicode_escape").decode() if unicodedata.category(char) in {"Cc", "Zl", "Zp"} else char
        for char in text
    )
    return text.encode("utf-8", "backslashreplace").decode()


class _Reader:
    def __init__(self):
        self.problems: list[str] = []

    def problem(self, path: str, message: str) -> None:
        self.problems.append(_one_printable_line(f"{path}: {message}"))

    def field(self, data: dict, key: str, path: str, kind, *, required: bool, what: str):
        """The value of `key` if present and of the right type; None (and a problem if required) otherwise."""
        value = data.get(key)
        if value is None:  # absent, or null: an optional field given as null counts as absent
            if required:
                self.problem(path, "required field missing" if key not in data else "must not be null")
            return None
        if (isinstance(value, bool) and kind is not bool) or not isinstance(value, kind):
            self.problem(path, f"expected {what}, got {_type_name(value)}")
            return None
        return value


def _lone_surrogates(data) -> list[str]:
    """Paths of the strings and keys holding a lone surrogate (JSON allows "\\ud800"; nothing prints it)."""

    def bad(text: str) -> bool:
        return any("\ud800" <= ch <= "\udfff" for ch in text)

    found, stack = [], [("input", data)]
    while stack:  # a loop, not recursion: the parsed document may be as deep as json allows
        path, value = stack.pop()
        if isinstance(value, str) and bad(value):
            found.append(path)
        elif isinstance(value, dict):
            for key, item in value.items():
                if bad(key):
                    found.append(f"{path} (a key)")
                else:
                    stack.append((key if path == "input" else f"{path}.{key}", item))
        elif isinstance(value, list):
            stack.extend((f"{path}[{index}]", item) for index, item in enumerate(value))
    return sorted(found)


def parse(text: str) -> ConsortiumCheck:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(
            [f"input: malformed JSON at line {error.lineno}, column {error.colno}: {error.msg}"]
        ) from None
    except RecursionError:
        raise InvalidInput(["input: the JSON is nested too deeply"]) from None
    except ValueError:  # an integer of more digits than Python converts
        limit = sys.get_int_max_str_digits()
        raise InvalidInput([f"input: a number has more than {limit} digits"]) from None
    if not isinstance(data, dict):
        raise InvalidInput([f"input: expected a JSON object, got {_type_name(data)}"])

    reader = _Reader()
    for path in _lone_surrogates(data):  # reported, and the other checks still run
        reader.problem(path, "a string holds a lone surrogate (not valid Unicode)")
    editions = {edition.year: edition for edition in Edition.objects.all()}
    countries = {country.pk: country for country in Country.objects.select_related("member_state")}
    types = {kind.slug: kind for kind in OrganisationType.objects.all()}

    year = reader.field(data, "edition", "edition", int, required=False, what="an integer")
    edition = None
    if year is not None:
        edition = editions.get(year)
        if edition is None:
            reader.problem(
                "edition", f"unknown edition {year} (known: {', '.join(map(str, sorted(editions)))})"
            )
    elif "edition" not in data or data.get("edition") is None:
        edition = max(editions.values(), key=lambda e: e.year, default=None)
        if edition is None:
            reader.problem("edition", "no edition exists in the database")

    duration = reader.field(data, "duration_months", "duration_months", int, required=True, what="an integer")
    aims = reader.field(data, "aims", "aims", list, required=True, what="a list") or []
    for index, aim in enumerate(aims):
        if not isinstance(aim, str):
            reader.problem(f"aims[{index}]", f"expected a string, got {_type_name(aim)}")
        elif aim not in rules.AIMS:
            reader.problem(f"aims[{index}]", f'unknown aim "{aim}"')

    raw_participants = (
        reader.field(data, "participants", "participants", list, required=True, what="a list") or []
    )
    edition_rules = edition_rules_from(edition) if edition else None
    participants = []
    for index, item in enumerate(raw_participants):
        participant = _participant(reader, f"participants[{index}]", item, countries, types, edition_rules)
        if participant is not None:
            participants.append(participant)

    if reader.problems:
        raise InvalidInput(reader.problems)
    return ConsortiumCheck(
        edition=edition_rules,
        snapshot=rules.Snapshot(duration_months=duration, aims=tuple(aims), participants=tuple(participants)),
    )


def _participant(reader, path, item, countries, types, edition_rules):
    if not isinstance(item, dict):
        reader.problem(path, f"expected an object, got {_type_name(item)}")
        return None
    name = reader.field(item, "name", f"{path}.name", str, required=True, what="a string")

    country = None
    code = reader.field(item, "country", f"{path}.country", str, required=True, what="a string")
    if code is not None:
        normalised = code.strip().upper()
        country = countries.get(COUNTRY_ALIASES.get(normalised, normalised))
        if country is None:
            reader.problem(f"{path}.country", f'unknown country "{code}"')

    kind = None
    slug = reader.field(item, "type", f"{path}.type", str, required=True, what="a string")
    if slug is not None:
        kind = types.get(slug)
        if kind is None:
            reader.problem(f"{path}.type", f'unknown organisation type "{slug}"')

    role = reader.field(item, "role", f"{path}.role", str, required=True, what="a string")
    if role is not None and role not in rules.ROLES:
        reader.problem(f"{path}.role", f'unknown role "{role}" (one of {", ".join(rules.ROLES)})')

    status = (
        reader.field(item, "status", f"{path}.status", str, required=False, what="a string") or "confirmed"
    )
    if status not in rules.STATUSES:
        reader.problem(f"{path}.status", f'unknown status "{status}" (one of {", ".join(rules.STATUSES)})')

    eche_status = reader.field(item, "eche", f"{path}.eche", str, required=False, what="a string")
    if eche_status is not None and eche_status not in INPUT_ECHE_STATUSES:
        reader.problem(
            f"{path}.eche", f'unknown ECHE status "{eche_status}" (one of {", ".join(INPUT_ECHE_STATUSES)})'
        )

    identifiers = {}
    for key in ("erasmus_code", "pic", "oid"):
        kinds = (str, int) if key == "pic" else str
        value = reader.field(item, key, f"{path}.{key}", kinds, required=False, what="a string")
        identifiers[key] = "" if value is None else str(value)

    if reader.problems:  # the input is refused: nothing to look up (a lone surrogate cannot be queried)
        return None
    effective = rules.effective_country(_rules_country(country), _rules_country(country.member_state))
    participant = rules.Participant(
        name=name,  # as given: `counted` and the messages name participants as the input does
        role=role,
        status=status,
        country=effective.code,
        programme_status=effective.programme_status,
        region=effective.region,
        higher_education=kind.higher_education,
        vet_provider=kind.vet_provider,
        labour_market_actor=kind.labour_market_actor,
        eligible_type=kind.eligible,
        type_name=kind.name,
        identified=any(identifiers.values()),
    )
    return _with_eche(participant, eche_status, identifiers, edition_rules)


def _rules_country(country: Country | None) -> rules.Country | None:
    return country and rules.Country(country.pk, country.programme_status, country.region)


def _with_eche(participant, eche_status, identifiers, edition_rules):
    from dataclasses import replace

    if eche_status is not None:
        return replace(participant, eche=eche_status)
    needs_charter = (
        participant.higher_education
        and edition_rules is not None
        and rules.from_eligible_country(participant, edition_rules)
    )
    if not needs_charter:
        return replace(participant, eche="not_required")
    status = registry_status(
        erasmus_code=normalise_erasmus_code(identifiers["erasmus_code"]),
        pic=normalise_pic(identifiers["pic"]),
        oid=normalise_oid(identifiers["oid"]),
    )
    return replace(participant, eche=status)
