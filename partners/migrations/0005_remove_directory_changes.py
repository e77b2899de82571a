"""The directory's change log goes: the builder no longer caches anything drawn from the whole directory.

Drops the triggers and the function of 0004 (PostgreSQL; row triggers on SQLite), then the table. Going
back recreates both, so 0004 stays the one place that defines them.
"""

import importlib

from django.db import migrations

changes = importlib.import_module("partners.migrations.0004_directory_changes")


class Migration(migrations.Migration):
    dependencies = [("partners", "0004_directory_changes")]

    operations = [
        migrations.RunPython(
            changes.run({"postgresql": changes.POSTGRESQL_BACKWARD, "sqlite": changes.SQLITE_BACKWARD}),
            changes.run({"postgresql": changes.POSTGRESQL_FORWARD, "sqlite": changes.SQLITE_FORWARD}),
        ),
        migrations.DeleteModel(name="DirectoryChange"),
    ]
