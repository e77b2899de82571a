"""Text shown to others as typed: what it may not hold. The bottom floor, so that accounts (user names) and
the apps above them (organisation names, proposals' titles, contacts' names) check the same way."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# Characters that hide part of a text, make it look like another, or reorder what follows it on screen: the
# Unicode categories of controls (Cc), format characters (Cf: bidirectional marks, embeddings, overrides and
# isolates, zero-width characters, the soft hyphen, invisible operators, tags), surrogates (Cs), line and
# paragraph separators (Zl, Zp); and the Hangul fillers, letters that show as nothing.
REFUSED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Zl", "Zp"})
_FILLERS = re.compile("[\u115f\u1160\u3164\uffa0]")


def refused_character(value: str) -> str | None:
    """The first refused character of the text, or None."""
    if not value.isprintable():  # the rare text with anything but letters, marks, digits, symbols, spaces
        for character in value:
            if unicodedata.category(character) in REFUSED_CATEGORIES:
                return character
    found = _FILLERS.search(value)
    return found.group() if found else None


# What a text of several lines (a summary, a reason) holds between its lines, and nothing else of the refused.
_LINE_BREAKS = re.compile("\r\n|[\r\n\t]")


def validate_plain_text(value: str) -> None:
    """Refuse control, format (bidirectional, zero-width, soft hyphen...) and separator characters in a
    text shown to others: a name, an acronym, a city, a proposal's title, a contact's name.

    Such characters hide or reorder what people see (and break exports).
    """
    _refuse(refused_character(value or ""))


def validate_plain_paragraphs(value: str) -> None:
    """The same for a text of several lines (a proposal's summary, a partner's reason for declining): line
    breaks and tabs are its own."""
    _refuse(refused_character(_LINE_BREAKS.sub(" ", value or "")))


def _refuse(bad: str | None) -> None:
    if bad is not None:
        raise ValidationError(
            _(
                "Remove the invisible or control character (U+%(code)s) from this text: it is shown to "
                "others as typed, and such characters hide or reorder it."
            ),
            code="invisible_character",
            params={"code": f"{ord(bad):04X}"},
        )
