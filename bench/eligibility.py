"""Eligibility benchmark: evaluation time and queries for 8, 50 and 500 participants, and what eligibility
adds to saving one participation. Prints one JSON object.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_builder .venv/bin/python bench/eligibility.py

Runs on a throw-away database (`test_<name>`), created and dropped by the run.
Budgets (issue #11): save with evaluation / save without ≤ 5 for 50 participants; queries per evaluation
(as Django counts them: the lock included, BEGIN and COMMIT not) the same at every size and at most 5.
"""

import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_builder")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402

SIZES = (8, 50, 500)
REPEATS = int(os.environ.get("BENCH_REPEATS", "200"))
COUNTRIES = ["DE", "FR", "IT", "ES", "PL", "NL", "AT", "BE", "PT", "FI", "SE", "IE"]
TYPES = ["higher-education-institution", "vet-provider", "enterprise", "chamber", "ngo", "research-institute"]


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def build(size):
    from django.contrib.auth import get_user_model

    from alliances.models import Participation, Proposal
    from eligibility.models import Edition
    from partners.models import Organisation, OrganisationType

    types = {kind.slug: kind for kind in OrganisationType.objects.all()}
    owner = get_user_model().objects.create_user(email=f"bench{size}@example.org", password="x" * 12)
    with transaction.atomic():
        proposal = Proposal.objects.create(
            title=f"Bench {size}",
            acronym=f"B{size}",
            edition=Edition.objects.get(year=2026),
            duration_months=24,
            aims=["skills-relevance"],
            owner=owner,
        )
        for index in range(size):
            organisation = Organisation.objects.create(
                legal_name=f"Bench {size} organisation {index}",
                country_id=COUNTRIES[index % len(COUNTRIES)],
                type=types[TYPES[index % len(TYPES)]],
                eche_status="valid",
            )
            Participation.objects.create(
                proposal=proposal,
                organisation=organisation,
                role="applicant" if index == 0 else "full_partner",
                status="confirmed",
            )
    return proposal


def timed(function, repeats=REPEATS):
    function()  # warm up
    samples = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        samples.append((time.perf_counter() - start) * 1000)
    return samples


def save_once(participation):
    participation.contact_name = "Bench" if participation.contact_name != "Bench" else "Bench 2"
    with transaction.atomic():  # commits, so eligibility's on-commit evaluation runs (when connected)
        participation.save()


def count_statements(function) -> int:
    statements = []

    def record(execute, sql, params, many, context):
        statements.append(sql)
        return execute(sql, params, many, context)

    with connection.execute_wrapper(record):
        function()
    return len(statements)


def interleaved_saves(participation):
    """Alternate saves with and without eligibility's receivers, so drifting machine load hits both alike."""
    from eligibility import signals

    with_eligibility, without = [], []
    for _ in range(5):
        save_once(participation)
    for _ in range(REPEATS):
        for connected, samples in ((True, with_eligibility), (False, without)):
            (signals.connect if connected else signals.disconnect)()
            start = time.perf_counter()
            save_once(participation)
            samples.append((time.perf_counter() - start) * 1000)
    signals.connect()
    return with_eligibility, without


def main():
    from eligibility import services

    results = {"sizes": {}}
    for size in SIZES:
        proposal = build(size)
        statements = count_statements(lambda pk=proposal.pk: services.reevaluate([pk]))
        evaluation = timed(lambda pk=proposal.pk: services.reevaluate([pk]))
        participation = proposal.participations.order_by("pk").last()
        with_eligibility, without = interleaved_saves(participation)
        results["sizes"][str(size)] = {
            "evaluation_ms_median": round(statistics.median(evaluation), 3),
            "evaluation_ms_p95": round(percentile(evaluation, 0.95), 3),
            "queries_per_evaluation": statements,
            "statements_per_evaluation": statements + 2,  # + BEGIN and COMMIT, which bypass execute()
            "save_ms_median_with_eligibility": round(statistics.median(with_eligibility), 3),
            "save_ms_median_without_eligibility": round(statistics.median(without), 3),
            "save_cost_ratio": round(statistics.median(with_eligibility) / statistics.median(without), 2),
        }
    queries = {figures["queries_per_evaluation"] for figures in results["sizes"].values()}
    ratio_50 = results["sizes"]["50"]["save_cost_ratio"]
    results["budgets"] = {
        "save_cost_ratio_50": {"value": ratio_50, "budget": "<= 5", "holds": ratio_50 <= 5},
        "queries_per_evaluation": {
            "value": sorted(queries),
            "budget": "one value at 8, 50 and 500 participants, <= 5",
            "holds": len(queries) == 1 and max(queries) <= 5,
        },
    }
    results["database"] = connection.vendor
    return results


if __name__ == "__main__":
    creation = connection.creation
    name = creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
    try:
        output = main()
    finally:
        creation.destroy_test_db(name, verbosity=0)
    print(json.dumps(output, indent=2))
