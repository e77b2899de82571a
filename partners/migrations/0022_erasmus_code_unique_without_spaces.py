"""An Erasmus code is unique with or without its spaces (`F  RACE10` is `FRACE10`), as every lookup compares
it: two records saved at once could each pass the forms' check with one of the two spellings."""

import django.db.models.functions.text
from django.conf import settings
from django.db import migrations, models
from django.db.models import Count, Value
from django.db.models.functions import Replace


def refuse_codes_held_twice(apps, schema_editor):
    """The index cannot be built while two records hold one code: name them, for an admin to correct one
    (an identifier never changes silently, so this migration does not choose)."""
    Organisation = apps.get_model("partners", "Organisation")
    held_twice = (
        Organisation.objects.exclude(erasmus_code="")
        .annotate(compact=Replace("erasmus_code", Value(" "), Value("")))
        .values("compact")
        .annotate(records=Count("pk"))
        .filter(records__gt=1)
        .values_list("compact", flat=True)
    )
    if held_twice:
        records = Organisation.objects.annotate(
            compact=Replace("erasmus_code", Value(" "), Value(""))
        ).filter(compact__in=list(held_twice))
        listed = "; ".join(f"{o.erasmus_code!r}: record {o.pk} ({o.legal_name})" for o in records)
        raise RuntimeError(
            f"Several directory records hold one Erasmus code, written with and without spaces: {listed}. "
            "Correct all but one in the admin, then migrate again."
        )


class Migration(migrations.Migration):
    dependencies = [
        ("partners", "0021_change_requests_keep_their_organisation"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RunPython(refuse_codes_held_twice, migrations.RunPython.noop),
        migrations.RemoveConstraint(
            model_name="organisation",
            name="organisation_erasmus_code_unique",
        ),
        migrations.AddConstraint(
            model_name="organisation",
            constraint=models.UniqueConstraint(
                django.db.models.functions.text.Replace("erasmus_code", models.Value(" "), models.Value("")),
                condition=models.Q(("erasmus_code", ""), _negated=True),
                name="organisation_erasmus_code_unique",
                violation_error_message="Another organisation already has this Erasmus code.",
            ),
        ),
    ]
