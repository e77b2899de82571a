"""Writes of the organisation directory."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from .models import Organisation, SearchWord

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


# The words of the searched text, each once, that a misspelt word may have been meant to be: three letters
# or more (what a trigram index can look up), and no digits (identifiers are typed, not spelt).
SEARCH_WORDS = """
    WITH current AS (
        SELECT DISTINCT word FROM {organisations}, regexp_split_to_table(search_text, ' ') AS word
        WHERE length(word) BETWEEN 3 AND {longest} AND word !~ '[0-9]'
    ), added AS (
        INSERT INTO {words} (word) SELECT word FROM current ON CONFLICT DO NOTHING
    )
    DELETE FROM {words} WHERE word NOT IN (SELECT word FROM current)
"""


def search_words_refresh() -> None:
    """Rebuild the directory's words (`SearchWord`) from its records: new words added, gone ones removed, in
    one statement (one snapshot; concurrent refreshes cannot collide). PostgreSQL only: elsewhere the search
    tolerates no typo and needs no words. About a second for 250,000 records; a no-op write when nothing
    changed."""
    if connection.vendor != "postgresql":
        return
    sql = SEARCH_WORDS.format(
        organisations=Organisation._meta.db_table,
        words=SearchWord._meta.db_table,
        longest=SearchWord._meta.get_field("word").max_length,
    )
    with connection.cursor() as cursor:
        cursor.execute(sql)
