from django.core.exceptions import ValidationError
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from config import text

from .codes import ERASMUS_CODE_ACCEPTED_RE, OID_RE, PIC_RE, normalise_legal_name

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


def validate_plain_text(value: str) -> None:
    """The directory's (and the proposals') text fields refuse what hides or reorders text; the check is
    `config.text`'s, which accounts use too (this name is the one the models' migrations record)."""
    text.validate_plain_text(value)


def validate_legal_name(value: str) -> None:
    """Plain text, with something to tell it by: a name of emoji or punctuation alone ("😀😀😀", "!!!") had
    an empty key, the directory found it by nothing, and every other such name was refused as its
    duplicate."""
    validate_plain_text(value)
    if value and not normalise_legal_name(value):
        raise ValidationError(_("Enter the name in letters or digits."), code="no_letters")
