"""Names' duplicate-detection key folded as the search folds them (ł, ø, ß..., umlauts written out), so a name
the search takes for an existing one is refused as its duplicate."""

from django.db import migrations

from partners.codes import fold_for_search

BATCH = 2000


def refold(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    changed = []
    for organisation in Organisation.objects.only("pk", "legal_name", "legal_name_key").iterator(chunk_size=BATCH):
        key = fold_for_search(organisation.legal_name)
        if key != organisation.legal_name_key:
            organisation.legal_name_key = key
            changed.append(organisation)
    Organisation.objects.bulk_update(changed, ["legal_name_key"], batch_size=BATCH)


class Migration(migrations.Migration):
    dependencies = [("partners", "0015_import_job_refused")]

    operations = [migrations.RunPython(refold, migrations.RunPython.noop)]
