import re

from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from .codes import ERASMUS_CODE_ACCEPTED_RE, OID_RE, PIC_RE

validate_pic = RegexValidator(
    PIC_RE, _("Enter the PIC as exactly 9 digits, for example 999999999."), code="invalid_pic"
)
validate_oid = RegexValidator(
    OID_RE,
    _("Enter the OID as the letter E followed by 8 digits, for example E10000001."),
    code="invalid_oid",
)
validate_erasmus_code = RegexValidator(
    ERASMUS_CODE_ACCEPTED_RE,
    _(
        "Enter the Erasmus code as its country part (1 to 3 letters) and the institution's letters and "
        "number, for example “D  BERLIN01” or “IRLDUBLIN01”."
    ),
    code="invalid_erasmus_code",
)


# Characters that make a name look like another, hide part of it, or reorder what follows it on screen:
# controls (C0, DEL, C1), bidirectional marks, embeddings, overrides and isolates, zero-width characters.
_REFUSED = re.compile(
    "[\x00-\x1f\x7f-\x9f\u200e\u200f\u061c\u202a-\u202e\u2066-\u2069\u200b-\u200d\u2060\ufeff]"
)


def validate_plain_text(value: str) -> None:
    """Refuse control, bidirectional-override and zero-width characters in a name, acronym or city.

    A name is shown to every coordinator: such characters hide or reorder what they see (and break exports).
    """
    found = _REFUSED.search(value or "")
    if found is not None:
        bad = found.group()
        raise ValidationError(
            _(
                "Remove the invisible or control character (U+%(code)s) from this text: names are shown to "
                "everyone as typed, and such characters hide or reorder them."
            ),
            code="invisible_character",
            params={"code": f"{ord(bad):04X}"},
        )
