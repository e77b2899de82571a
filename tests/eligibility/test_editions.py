"""The six editions of ELIGIBILITY.md arrive with `migrate`, with every parameter of the table."""

import pytest

from eligibility.models import Edition

pytestmark = pytest.mark.django_db
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


def test_six_editions_with_common_parameters():
    editions = Edition.objects.order_by("year")
    assert [edition.year for edition in editions] == [2022, 2023, 2024, 2025, 2026, 2027]
    for edition in editions:
        assert (edition.min_full_partners, edition.min_countries) == (8, 4)
        assert (edition.min_labour_market_actors, edition.min_education_providers) == (3, 3)
        assert edition.require_hei_and_vet is True
        assert edition.durations == [24, 36]
        assert (edition.max_grant_24_months, edition.max_grant_36_months) == (1_000_000, 1_500_000)


@pytest.mark.parametrize(
    ("year", "excluded", "regions", "aims", "overrides"),
    [
        (2022, {"BY"}, None, [a for a in ALL_AIMS if a not in ("deep-tech", "incubators")], {}),
        (2023, {"BY", "RU"}, None, ALL_AIMS, {}),
        (2024, {"BY", "RU"}, None, ALL_AIMS, {}),
        (2025, {"BY", "RU"}, [1, 2, 3], ALL_AIMS, {}),
        (2026, {"BY", "RU"}, [1, 2, 3], ALL_AIMS, {}),
        (2027, {"BY", "RU"}, [1, 2, 3], ALL_AIMS, {"CH": "associated", "GB": "associated"}),
    ],
)
def test_edition_specific_parameters(year, excluded, regions, aims, overrides):
    edition = Edition.objects.get(year=year)
    assert set(edition.excluded_countries.values_list("code", flat=True)) == excluded
    assert edition.allowed_regions == regions
    assert edition.aims == aims
    assert dict(edition.country_statuses.values_list("country_id", "programme_status")) == overrides
