"""Writes of the organisation directory."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import Organisation

ORGANISATION_FIELDS = (
    "legal_name",
    "acronym",
    "country",
    "city",
    "website",
    "type",
    "pic",
    "oid",
    "erasmus_code",
)


def organisation_create(*, created_by=None, **fields) -> Organisation:
    """Add an organisation to the directory (fields as OrganisationForm cleans them).

    Duplicate detection is the form's job; the database constraints are the last line: a PIC, OID or
    Erasmus code taken by a concurrent request becomes a ValidationError, not a server error.
    """
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    organisation = Organisation(created_by=created_by, **fields)
    try:
        with transaction.atomic():
            organisation.save()
    except IntegrityError as exc:
        raise ValidationError(
            _(
                "Another organisation with the same PIC, OID or Erasmus code was just added. "
                "Search for it instead."
            )
        ) from exc
    return organisation
