"""Writes of the organisation directory."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.utils.translation import gettext as _

from .models import Country, Organisation, SearchWord
from .selectors import organisations_with_same_name

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


class SameNameExists(Exception):
    """An organisation of that name in that country was added since the form checked (`existing`)."""

    def __init__(self, existing: Organisation):
        super().__init__(f"an organisation named so exists: {existing.pk}")
        self.existing = existing


def organisation_create(*, created_by=None, same_name_confirmed: bool = False, **fields) -> Organisation:
    """Add an organisation to the directory (fields as OrganisationForm cleans them).

    The form finds duplicates first; here, unless the user confirmed it is another organisation of the same
    name, the check is made again under a lock on the country's row, so two people creating the same
    organisation at once make one record (SameNameExists for the second). The database constraints are the
    last line: a PIC, OID or Erasmus code taken by a concurrent request becomes a ValidationError.
    """
    unknown = set(fields) - set(ORGANISATION_FIELDS)
    if unknown:
        raise TypeError(f"unknown organisation fields: {sorted(unknown)}")
    organisation = Organisation(created_by=created_by, **fields)
    try:
        with transaction.atomic():
            if not same_name_confirmed:
                # NO KEY UPDATE: creations in one country wait for each other; records pointing at the
                # country (an import's inserts) do not wait.
                list(Country.objects.select_for_update(no_key=True).filter(pk=organisation.country_id))
                existing = organisations_with_same_name(
                    legal_name=organisation.legal_name, country_id=organisation.country_id
                ).first()
                if existing is not None:
                    raise SameNameExists(existing)
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
