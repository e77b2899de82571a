"""Identifiers of organisations: normalisation and format checks, shared by forms, models and importers.

Pure functions only (no ORM), so the ECHE importer, the models and the eligibility command agree.
"""

import re
import unicodedata

PIC_RE = re.compile(r"^[0-9]{9}\Z")  # ASCII digits, as the database constraint: not "٩٨٧٦٥٤٣٢١"
OID_RE = re.compile(r"^E[0-9]{8}\Z")
# Canonical Erasmus code: a country part of one to three letters padded with spaces to three characters,
# then the institution part: letters (a few real ones carry '-' or '.'), ending in two or three digits.
ERASMUS_CODE_RE = re.compile(r"^(?=.{3}[A-Z])[A-Z]{1,3} {0,2}[A-Z][A-Z.\-]*[0-9]{2,3}$")
# What a form accepts: the usual pattern, and the few codes of the official lists that end in one digit
# ("F  VERDUN1"). The import still warns about those (``is_valid_erasmus_code``: the usual pattern).
ERASMUS_CODE_ACCEPTED_RE = re.compile(r"^(?=.{3}[A-Z])[A-Z]{1,3} {0,2}[A-Z][A-Z.\-]*[0-9]{1,3}$")

_WHITESPACE = re.compile(r"\s+")
_NOT_WORD = re.compile(r"[^\w]+")


def _without_accents(text: str) -> str:
    """Decomposed, combining marks dropped (plain ASCII, most official names, is left as it is)."""
    if text.isascii():
        return text
    return "".join(ch for ch in unicodedata.normalize("NFKD", text) if not unicodedata.combining(ch))


def normalise_erasmus_code(value: str | None) -> str:
    """Return the canonical form of an Erasmus code, as ELIGIBILITY.md defines it.

    NFKC (so non-breaking spaces become spaces), upper case, trimmed; the characters before the first
    whitespace are the country part, padded with spaces to three characters; all other whitespace is
    removed. ``"d berlin01"`` gives ``"D  BERLIN01"``; a code without whitespace stays as it is.
    """
    if not value:
        return ""
    text = unicodedata.normalize("NFKC", value).upper().strip()
    parts = _WHITESPACE.split(text, maxsplit=1)
    if len(parts) == 1:
        return text
    country, rest = parts
    return country.ljust(3) + _WHITESPACE.sub("", rest)


def is_valid_erasmus_code(canonical: str) -> bool:
    return bool(ERASMUS_CODE_RE.match(canonical))


def normalise_pic(value) -> str:
    """PICs arrive as text or as numbers (spreadsheets); keep the nine digits as text."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return unicodedata.normalize("NFKC", str(value)).strip()


def normalise_oid(value: str | None) -> str:
    if not value:
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip().upper()


def _plain_words(value: str | None) -> str:
    """Case-, accent-, punctuation- and spacing-insensitive: the first step of `fold_for_search`."""
    if not value:
        return ""
    return " ".join(_NOT_WORD.sub(" ", _without_accents(value).casefold()).split())


# Letters that Unicode decomposition leaves as they are, written as people type them without the key: the
# same table as PostgreSQL's `unaccent` rules for these letters (a test compares the two on the ECHE list).
_FOLDED_LETTERS = str.maketrans(
    {
        "ł": "l", "ø": "o", "đ": "d", "ð": "d", "ı": "i", "ħ": "h", "ŧ": "t", "ŋ": "n", "ĸ": "k", "ŀ": "l",
        "æ": "ae", "œ": "oe", "þ": "th", "ß": "ss", "ſ": "s",
    }
)  # fmt: skip


# German umlauts written out, as the official lists often do (``UNIVERSITAET``), folded as the umlaut
# without its dots (``Universität``, ``Universitat``): ``ae`` and ``oe`` to ``a`` and ``o``, ``ue`` to ``u``
# but after a vowel or a q (``neue``, ``quelle``). Lucene's German normalisation does the same.
_UMLAUT_WRITTEN_OUT = re.compile("([ao])e+|(?<![aeiouq])(u)e+")


def fold_for_search(value: str | None) -> str:
    """Text as the directory search compares it: without case, accents, punctuation or extra spaces, with
    the letters decomposition leaves alone folded too (``Łódź`` gives ``lodz``, ``Øresund`` ``oresund``) and
    umlauts written out folded as the umlaut (``MUENCHEN``, ``München`` and ``Munchen`` all give
    ``munchen``)."""
    folded = _plain_words(value).translate(_FOLDED_LETTERS)
    return _UMLAUT_WRITTEN_OUT.sub(lambda match: match.group(1) or match.group(2), folded)


def normalise_legal_name(value: str | None) -> str:
    """Key for duplicate detection: the name as the search compares it, so that whatever finds a record as
    the same name is refused as a duplicate of it (``Politechnika Łódzka`` of ``POLITECHNIKA LODZKA``,
    ``Technische Universitaet Berlin`` of ``Technische Universität Berlin``)."""
    return fold_for_search(value)


def compact_erasmus_code(value: str) -> str:
    """An Erasmus code without its spaces: how records are told apart by it (``PLLODZ02`` is ``PL LODZ02``, as
    people type it). `partners.models.compact_erasmus_code_sql` is the same in SQL."""
    return "".join((value or "").split())


def search_text_of(*, legal_name="", acronym="", city="", erasmus_code="", pic="", oid="") -> str:
    """What the directory search finds a record by, folded: its names, city and identifiers, and its Erasmus
    code without its spaces too, as people often type it (``PLLODZ02`` for ``PL LODZ02``)."""
    erasmus_code = erasmus_code or ""
    compact_code = compact_erasmus_code(erasmus_code)
    words = [legal_name, acronym, city, erasmus_code, pic, oid]
    if compact_code != erasmus_code:
        words.append(compact_code)
    return fold_for_search(" ".join(word or "" for word in words))
