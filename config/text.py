"""Text shown to others as typed: what it may not hold. The bottom floor, so that accounts (user names) and
the apps above them (organisation names, proposals' titles, contacts' names) check the same way."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that hide part of a text, make it look like another, or reorder what follows it on screen: the
# Unicode categories of controls (Cc), format characters (Cf: bidirectional marks, embeddings, overrides and
# isolates, zero-width characters, the soft hyphen, invisible operators, tags), surrogates (Cs), line and
# paragraph separators (Zl, Zp).
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
# And the characters of other categories that show as nothing: the Hangul fillers (letters), the combining
# grapheme joiner, Khmer's inherent vowels, Mongolian's variation selectors, the braille blank, and the
# variation selectors, but for the emoji and text ones (U+FE0F, U+FE0E) after a symbol that has both forms (a
# heart) and in a keycap (after a digit, # or *, and before the enclosing keycap U+20E3 only: "2" U+FE0F
# "025" would split a number with nothing to see).
_EMOJI_BASES = "\u00a9\u00ae\u203c-\u2bff\u3030\u303d\u3297\u3299\U0001f000-\U0001faff"
_INVISIBLE = re.compile(
    "[\u115f\u1160\u3164\uffa0\u034f\u17b4\u17b5\u180b-\u180d\u180f\u2800\ufe00-\ufe0d\U000e0100-\U000e01ef]"
    f"|(?<![{_EMOJI_BASES}0-9#*])[\ufe0e\ufe0f]"
    "|(?<=[0-9#*])[\ufe0e\ufe0f](?!\u20e3)"
)
# More combining marks on one character than any script writes: stacked marks ("Zalgo") hide the line above.
MAX_MARKS_ON_ONE_CHARACTER = 4


def refused_character(value: str) -> str | None:
    """The first refused character of the text, or None."""
    if not value.isprintable():  # the rare text with anything but letters, marks, digits, symbols, spaces
        for character in value:
            if unicodedata.category(character) in REFUSED_CATEGORIES:
                return character
    found = _INVISIBLE.search(value)
    return found.group() if found else None


def stacked_mark(value: str) -> str | None:
    """The first combining mark beyond MAX_MARKS_ON_ONE_CHARACTER on one character, or None."""
    marks = 0
    for character in value:
        marks = marks + 1 if unicodedata.category(character) in {"Mn", "Me"} else 0
        if marks > MAX_MARKS_ON_ONE_CHARACTER:
            return character
    return None


# What a text of several lines (a summary, a reason) holds between its lines, and nothing else of the refused.
_LINE_BREAKS = re.compile("\r\n|[\r\n\t]")


def validate_plain_text(value: str) -> None:
    """Refuse control, format (bidirectional, zero-width, soft hyphen...), separator and other invisible
    characters, and stacked marks, in a text shown to others: a name, an acronym, a city, a proposal's title,
    a contact's name.

    Such characters hide or reorder what people see (and break exports).
    """
    _refuse(value or "")


def validate_plain_paragraphs(value: str) -> None:
    """The same for a text of several lines (a proposal's summary, a partner's reason for declining): line
    breaks and tabs are its own."""
    _refuse(_LINE_BREAKS.sub(" ", value or ""))


# What a browser's bytes that were no UTF-8 (or an encoded lone surrogate) arrive as: Django decodes a
# request's form with `errors="replace"`. Kept, it showed as "�" on pages, in exports and in curators' queue.
REPLACEMENT_CHARACTER = "\ufffd"


def _refuse(value: str) -> None:
    if REPLACEMENT_CHARACTER in value:
        raise ValidationError(
            _("Type this text again: a character of it could not be read (it would show as “�”)."),
            code="unreadable_character",
        )
    if bad := refused_character(value):
        raise ValidationError(
            _(
                "Remove the invisible or control character (U+%(code)s) from this text: it is shown to "
                "others as typed, and such characters hide or reorder it."
            ),
            code="invisible_character",
            params={"code": f"{ord(bad):04X}"},
        )
    if mark := stacked_mark(value):
        raise ValidationError(
            _(
                "Remove some of the marks stacked on one letter (U+%(code)s): this text is shown to others "
                "as typed, and more than %(n)d marks on a letter hide the text around it."
            ),
            code="invisible_character",
            params={"code": f"{ord(mark):04X}", "n": MAX_MARKS_ON_ONE_CHARACTER},
        )
