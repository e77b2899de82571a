"""System checks for configuration mistakes an admin can make: `manage.py check --database default`."""

from django.core import checks
from django.core.exceptions import ValidationError
from django.db import DatabaseError

REQUIRED_NUMBERS = (
    "min_full_partners",
    "min_countries",
    "min_labour_market_actors",
    "min_education_providers",
)


def _edition_problems(edition) -> list[str]:
    from .models import validate_aims, validate_durations, validate_regions

    problems = [f"{field} is not set" for field in REQUIRED_NUMBERS if getattr(edition, field) is None]
    for field, validate in (("durations", validate_durations), ("aims", validate_aims)):
        value = getattr(edition, field)
        if not value:
            problems.append(f"{field} is empty")
            continue
        try:
            validate(value)
        except ValidationError as error:
            problems.append(f"{field}: {' '.join(error.messages)}")
    try:
        validate_regions(edition.allowed_regions)
    except ValidationError as error:
        problems.append(f"allowed_regions: {' '.join(error.messages)}")
    return problems


def check_editions(app_configs=None, databases=None, **kwargs):
    if not databases:
        return []
    from .models import Edition

    errors = []
    try:
        editions = list(Edition.objects.all())
        if not editions:
            errors.append(
                checks.Error(
                    "No call edition exists, so no proposal can be checked.",
                    hint="Run `manage.py migrate` (it seeds 2022 to 2027) or add an edition in the admin.",
                    id="eligibility.E001",
                )
            )
        for edition in editions:
            for problem in _edition_problems(edition):
                errors.append(
                    checks.Error(
                        f"Edition {edition.year} lacks a parameter: {problem}.",
                        hint="Correct the edition in the admin (Eligibility › Editions).",
                        obj=edition,
                        id="eligibility.E002",
                    )
                )
    except DatabaseError:  # tables not migrated yet: `migrate` itself runs the checks first
        return []
    return errors


def register() -> None:
    checks.register(check_editions, checks.Tags.database)
