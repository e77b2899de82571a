"""The search text again, now that it folds umlauts written out (UNIVERSITAET finds Universität) and holds
each Erasmus code without its spaces too (PLLODZ02 finds PL LODZ02)."""

from django.db import migrations

from partners.codes import search_text_of

SEARCHED_FIELDS = ("legal_name", "acronym", "city", "erasmus_code", "pic", "oid")
BATCH = 2000


def refill_search_text(apps, schema_editor):
    Organisation = apps.get_model("partners", "Organisation")
    batch = []
    for organisation in Organisation.objects.only("pk", *SEARCHED_FIELDS).order_by("pk").iterator(BATCH):
        organisation.search_text = search_text_of(**{name: getattr(organisation, name) for name in SEARCHED_FIELDS})
        batch.append(organisation)
        if len(batch) == BATCH:
            Organisation.objects.bulk_update(batch, ["search_text"])
            batch = []
    Organisation.objects.bulk_update(batch, ["search_text"])


class Migration(migrations.Migration):
    dependencies = [("partners", "0009_directory_search")]

    operations = [migrations.RunPython(refill_search_text, migrations.RunPython.noop, elidable=True)]
