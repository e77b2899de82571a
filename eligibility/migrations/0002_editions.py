"""The six editions of ELIGIBILITY.md, 2022 to 2027, frozen here as they were specified.

Rows are only ever created, never updated: an admin's later corrections survive every migration.
"""

from django.db import migrations

ALL_AIMS = [
    "teaching-learning",
    "deep-tech",
    "incubators",
    "social-responsibility",
    "entrepreneurship",
    "skills-relevance",
    "knowledge-flow",
    "connected-systems",
]
COMMON = {
    "min_full_partners": 8,
    "min_countries": 4,
    "min_labour_market_actors": 3,
    "min_education_providers": 3,
    "require_hei_and_vet": True,
    "durations": [24, 36],
    "max_grant_24_months": 1_000_000,
    "max_grant_36_months": 1_500_000,
}
EDITIONS = {
    2022: {
        "excluded": ["BY"],
        "allowed_regions": None,
        "aims": [aim for aim in ALL_AIMS if aim not in ("deep-tech", "incubators")],
        "overrides": {},
        "notes": "Programme Guide 2022, the primary source.",
    },
    2023: {"excluded": ["BY", "RU"], "allowed_regions": None, "aims": ALL_AIMS, "overrides": {}, "notes": ""},
    2024: {"excluded": ["BY", "RU"], "allowed_regions": None, "aims": ALL_AIMS, "overrides": {}, "notes": ""},
    2025: {"excluded": ["BY", "RU"], "allowed_regions": [1, 2, 3], "aims": ALL_AIMS, "overrides": {}, "notes": ""},
    2026: {
        "excluded": ["BY", "RU"],
        "allowed_regions": [1, 2, 3],
        "aims": ALL_AIMS,
        "overrides": {},
        "notes": "Repeats 2025 where no source for 2026 was found.",
    },
    2027: {
        "excluded": ["BY", "RU"],
        "allowed_regions": [1, 2, 3],
        "aims": ALL_AIMS,
        "overrides": {"CH": "associated", "GB": "associated"},
        "notes": "Provisional: 2026 plus the association of Switzerland and the United Kingdom announced for 2027.",
        "provisional": True,
    },
}


def load(apps, schema_editor):
    Edition = apps.get_model("eligibility", "Edition")
    EditionCountryStatus = apps.get_model("eligibility", "EditionCountryStatus")
    for year, spec in EDITIONS.items():
        edition, created = Edition.objects.get_or_create(
            year=year,
            defaults={
                **COMMON,
                "name": f"{year} call" + (" (provisional)" if spec.get("provisional") else ""),
                "provisional": spec.get("provisional", False),
                "allowed_regions": spec["allowed_regions"],
                "aims": spec["aims"],
                "notes": spec["notes"],
            },
        )
        if not created:
            continue
        edition.excluded_countries.set(spec["excluded"])
        for code, status in spec["overrides"].items():
            EditionCountryStatus.objects.create(edition=edition, country_id=code, programme_status=status)


class Migration(migrations.Migration):
    dependencies = [
        ("eligibility", "0001_initial"),
        ("partners", "0002_reference_data"),
    ]

    operations = [migrations.RunPython(load, migrations.RunPython.noop)]
