from django.db import migrations, models

INDEX = "search_word_trgm"


def create_index(apps, schema_editor):
    """A trigram index on the words (PostgreSQL only: elsewhere the search tolerates no typo). The words
    themselves come with the first refresh: after the next ECHE import, or within the refresh period."""
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"CREATE INDEX {INDEX} ON partners_searchword USING gin (word gin_trgm_ops)")


def drop_index(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(f"DROP INDEX IF EXISTS {INDEX}")


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0011_eche_matched_by_labels"),
    ]

    operations = [
        migrations.CreateModel(
            name="SearchWord",
            fields=[
                (
                    "word",
                    models.CharField(max_length=100, primary_key=True, serialize=False, verbose_name="word"),
                ),
            ],
            options={
                "verbose_name": "search word",
                "verbose_name_plural": "search words",
            },
        ),
        migrations.RunPython(create_index, drop_index),
    ]
