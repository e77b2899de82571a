"""The directory's change log, written by triggers on organisations, countries and organisation types.

PostgreSQL: one row per statement (AFTER ... FOR EACH STATEMENT, TRUNCATE included). SQLite (the embedded
development database) has row triggers only: one row per row written, which is as exact, only longer.
"""

import django.db.models.functions.datetime
from django.db import migrations, models

TABLES = ["partners_organisation", "partners_country", "partners_organisationtype"]

POSTGRESQL_FORWARD = [
    """
    CREATE FUNCTION partners_directory_changed() RETURNS trigger AS $$
    BEGIN
        INSERT INTO partners_directorychange DEFAULT VALUES;
        RETURN NULL;
    END;
    $$ LANGUAGE plpgsql
    """,
    *(
        f"CREATE TRIGGER {table}_directory_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION partners_directory_changed()"
        for table in TABLES
    ),
]
POSTGRESQL_BACKWARD = [
    *(f"DROP TRIGGER IF EXISTS {table}_directory_changed ON {table}" for table in TABLES),
    "DROP FUNCTION IF EXISTS partners_directory_changed()",
]
SQLITE_EVENTS = ["INSERT", "UPDATE", "DELETE"]
SQLITE_FORWARD = [
    f"CREATE TRIGGER {table}_directory_{event.lower()} AFTER {event} ON {table} BEGIN "
    "INSERT INTO partners_directorychange (changed_at) VALUES (CURRENT_TIMESTAMP); END"
    for table in TABLES
    for event in SQLITE_EVENTS
]
SQLITE_BACKWARD = [
    f"DROP TRIGGER IF EXISTS {table}_directory_{event.lower()}" for table in TABLES for event in SQLITE_EVENTS
]


def run(statements: dict[str, list[str]]):
    def operation(apps, schema_editor):
        for statement in statements.get(schema_editor.connection.vendor, []):
            schema_editor.execute(statement)

    return operation


class Migration(migrations.Migration):
    dependencies = [("partners", "0003_eche_registry")]

    operations = [
        migrations.CreateModel(
            name="DirectoryChange",
            fields=[
                ("id", models.BigAutoField(primary_key=True, serialize=False)),
                (
                    "changed_at",
                    models.DateTimeField(
                        db_default=django.db.models.functions.datetime.Now(),
                        editable=False,
                        verbose_name="changed",
                    ),
                ),
            ],
            options={"verbose_name": "directory change", "verbose_name_plural": "directory changes"},
        ),
        migrations.RunPython(
            run({"postgresql": POSTGRESQL_FORWARD, "sqlite": SQLITE_FORWARD}),
            run({"postgresql": POSTGRESQL_BACKWARD, "sqlite": SQLITE_BACKWARD}),
        ),
    ]
