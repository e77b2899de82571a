import logging

from django.contrib.postgres.operations import TrigramExtension, UnaccentExtension
from django.db import DatabaseError, migrations, models, transaction

from partners.codes import fold_for_search

SEARCHED_FIELDS = ("legal_name", "acronym", "city", "erasmus_code", "pic", "oid")
INDEX = "organisation_search_trgm"
logger = logging.getLogger(__name__)


def fill_search_text(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    organisations = list(Organisation.objects.only("pk", *SEARCHED_FIELDS))
    for organisation in organisations:
        organisation.search_text = fold_for_search(
            " ".join(getattr(organisation, name) or "" for name in SEARCHED_FIELDS)
        )
    Organisation.objects.bulk_update(organisations, ["search_text"], batch_size=1000)


# pg_trgm declares its similarity functions as cheap as an addition (cost 1), so the planner scans a table
# of a few thousand rows rather than use the index, and each row's similarity then costs microseconds: a
# search took 50 ms instead of 1 on the 6,142 HEIs. Their real cost, declared, gives the index-backed plan.
COSTLY = ("word_similarity(text, text)", "word_similarity_commutator_op(text, text)")
# A word with a letter left out or two swapped ("vitanen" for "virtanen": 0.55) keeps about half its
# trigrams: pg_trgm's default threshold for `%>` (0.6) misses it. Set for the database, so every connection
# (and pooler) has it, and for this session, which may go on serving (the test run).
WORD_SIMILARITY_THRESHOLD = 0.4


def create_index(apps, schema_editor):
    """A trigram index for the search (substring, similarity); PostgreSQL only, SQLite scans its table."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(
            f"CREATE INDEX {INDEX} ON partners_organisation USING gin (search_text gin_trgm_ops)"
        )
        for function in COSTLY:
            tune(schema_editor, f"ALTER FUNCTION {function} COST 100")
        database = schema_editor.connection.ops.quote_name(schema_editor.connection.settings_dict["NAME"])
        threshold = f"pg_trgm.word_similarity_threshold = {WORD_SIMILARITY_THRESHOLD}"
        tune(schema_editor, f"ALTER DATABASE {database} SET {threshold}")
        schema_editor.execute(f"SET {threshold}")


def tune(schema_editor, statement: str) -> bool:
    """Tuning that needs the owner of the database or of the extension. A user without that right still
    migrates, with a warning: the search works, by scan on small tables and with the default threshold."""
    try:
        with transaction.atomic(using=schema_editor.connection.alias):
            schema_editor.execute(statement)
    except DatabaseError as error:
        logger.warning("Directory search tuning skipped (%s): %s", statement, str(error).strip())
        return False
    return True


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")
        for function in COSTLY:
            tune(schema_editor, f"ALTER FUNCTION {function} COST 1")
        database = schema_editor.connection.ops.quote_name(schema_editor.connection.settings_dict["NAME"])
        tune(schema_editor, f"ALTER DATABASE {database} RESET pg_trgm.word_similarity_threshold")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0008_erasmus_code_accepts_list_codes"),
    ]

    operations = [
        # Both ship with PostgreSQL; elsewhere these operations do nothing.
        TrigramExtension(),
        UnaccentExtension(),
        migrations.AddField(
            model_name="echelist",
            name="directory_report",
            field=models.JSONField(blank=True, default=dict, verbose_name="directory records"),
        ),
        migrations.AddField(
            model_name="organisation",
            name="listed",
            field=models.JSONField(
                blank=True, default=dict, editable=False, verbose_name="as the official list gave it"
            ),
        ),
        migrations.AddField(
            model_name="organisation",
            name="search_text",
            field=models.TextField(blank=True, default="", editable=False),
        ),
        migrations.RunPython(fill_search_text, migrations.RunPython.noop, elidable=True),
        migrations.RunPython(create_index, drop_index),
    ]
