"""Countries and organisation types from the reference CSVs shipped in partners/data/.

Rows are only ever created, never updated: an admin's later corrections survive every migration.
"""

import csv
from pathlib import Path

from django.db import migrations

DATA = Path(__file__).resolve().parent.parent / "data"


def _rows(name):
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        yield from csv.DictReader(handle)


def load(apps, schema_editor):
    Country = apps.get_model("partners", "Country")
    OrganisationType = apps.get_model("partners", "OrganisationType")

    rows = list(_rows("countries.csv"))
    for row in rows:
        Country.objects.get_or_create(
            code=row["iso2"],
            defaults={
                "name": row["name"],
                "programme_status": row["programme_status"],
                "region": int(row["region"]) if row["region"] else None,
                "notes": row["notes"],
            },
        )
    for row in rows:
        if row["member_state"]:
            Country.objects.filter(code=row["iso2"], member_state__isnull=True).update(
                member_state_id=row["member_state"]
            )

    for position, row in enumerate(_rows("organisation-types.csv"), start=1):
        OrganisationType.objects.get_or_create(
            slug=row["slug"],
            defaults={
                "name": row["name"],
                "higher_education": row["higher_education"] == "yes",
                "vet_provider": row["vet_provider"] == "yes",
                "labour_market_actor": row["labour_market_actor"] == "yes",
                "eligible": row["eligible"] == "yes",
                "description": row["note"],
                "position": position * 10,
            },
        )


class Migration(migrations.Migration):
    dependencies = [("partners", "0001_initial")]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
