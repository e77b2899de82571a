"""What the directory says to people about its records, shared by its forms (the builder, the admin, the
partner's page) and the code that writes records (curation, the ECHE list's import): plain text, no form."""

from django.utils.translation import gettext_lazy as _

IDENTIFIER_LABELS = {"pic": _("PIC"), "oid": _("OID"), "erasmus_code": _("Erasmus code")}


def shared_identifier_message(field: str, value: str) -> str:
    return _(
        "%(identifier)s %(value)s belongs to several organisations of the official ECHE list, so it tells "
        "none of them apart: leave it out. A curator can correct the record if it is one of them."
    ) % {"identifier": IDENTIFIER_LABELS[field], "value": value}


def describe(organisation) -> str:
    """A record as a sentence names it: its legal name, with its country and city."""
    place = ", ".join(part for part in (organisation.country_id, organisation.city) if part)
    return f"{organisation.legal_name} ({place})"
