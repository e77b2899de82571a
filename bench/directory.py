"""Directory search benchmark: the builder's search fragment on a directory of 2,500 organisations, then of
250,000, against a bare Django view served by the same gunicorn.

The organisations have names as the directory has them, in many languages and with accents ("Politechnika
Łódzka …", "Hochschule für Musik Köln", "Universidad de Málaga", firms with GmbH, S.A., A/S …), a unique PIC
each, many an OID, and many HEIs an Erasmus code; some are verified. They are built in memory, saved with
`bulk_create` (after `normalise_identifiers()`, which fills the searched text); the directory's words are
rebuilt (as after an import, and every few minutes), and the tables vacuumed and analysed before each
measurement.

The queries are a fixed mix, chosen among the first 2,500 organisations, so that the same ones run at both
sizes: the exact legal name; the name without accents and in lower case; the name with one typo (a letter
dropped or two swapped in a word of six letters or more); a prefix (the first two words, or the first word
and four letters of the second); an Erasmus code; a PIC. Each is requested once to warm up (and to check that
the response lists the organisation it was chosen from), then several times in a shuffled order, one request
at a time over a kept-alive connection, each search request followed by a request of the bare view: both
under the same conditions, a busy moment of the machine falls on both. A signed-in view that answers "ok"
follows each pair (not budgeted): its p95 is the part of the search's that any signed-in request spends on its
session and user before its own work.

    make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_builder .venv/bin/python bench/directory.py

Runs on a throw-away database (`<name>_bench_directory`), created and dropped by the run. Budgets: the
search's p95 at 250,000 organisations ≤ 2 × its p95 at 2,500, and ≤ 10 × the bare view's p95.
"""

import http.client
import json
import os
import random
import statistics
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402
from bench.directory_names import SEED, Directory  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_builder")
BASE_URL = os.environ["DATABASE_URL"]
BENCH_DB, BENCH_URL = common.throw_away_database(BASE_URL, "directory")
SIZES = tuple(int(size) for size in os.environ.get("BENCH_SIZES", "2500,250000").split(","))
QUERIES_PER_KIND = int(os.environ.get("BENCH_QUERIES_PER_KIND", "10"))
REPEATS = int(os.environ.get("BENCH_REPEATS", "5"))  # measured requests of each query, per size
SECONDS_PER_SIZE = int(os.environ.get("BENCH_SECONDS", "90"))  # the measurement stops early past this
KINDS = ("exact", "folded", "typo", "prefix", "erasmus_code", "pic")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))]


def grow(directory: Directory, up_to: int) -> dict:
    """Add organisations up to `up_to`, in one transaction, then vacuum, analyse and checkpoint."""
    from django.db import connection, transaction

    from partners.models import Organisation
    from partners.services import search_words_refresh

    started = time.perf_counter()
    first = None
    with transaction.atomic():
        while directory.made < up_to:
            chunk = directory.make(min(10_000, up_to - directory.made))
            first = first or chunk
            Organisation.objects.bulk_create(chunk, batch_size=2000)
    generated = time.perf_counter() - started
    # The directory's words rebuilt, as after an import and every few minutes (partners.tasks).
    search_words_refresh()
    words = time.perf_counter() - started - generated
    # The statistics for the planner, the trigram indexes' pending lists merged, and the data on disk now:
    # otherwise autovacuum and the checkpointer get to the fresh rows in the middle of the measurement.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE partners_organisation")
        cursor.execute("VACUUM ANALYZE partners_searchword")
        cursor.execute("CHECKPOINT")
    return {
        "first": first,
        "seconds": round(generated, 1),
        "search_words_seconds": round(words, 1),
        "vacuum_seconds": round(time.perf_counter() - started - generated - words, 1),
    }


def with_typo(name: str, rng: random.Random) -> str | None:
    words = name.split(" ")
    long_words = [index for index, word in enumerate(words) if len(word) >= 6 and word.isalpha()]
    if not long_words:
        return None
    index = rng.choice(long_words)
    word = words[index]
    position = rng.randrange(1, len(word) - 1)
    if rng.random() < 0.5 and word[position].lower() != word[position + 1].lower():
        word = word[:position] + word[position + 1] + word[position] + word[position + 2 :]  # swapped
    else:
        word = word[:position] + word[position + 1 :]  # dropped
    words[index] = word
    return " ".join(words)


def with_prefix(name: str, rng: random.Random) -> str | None:
    words = name.split(" ")
    if len(words) < 2:
        return None
    if rng.random() < 0.5 and len(words[1]) > 4:
        return f"{words[0]} {words[1][:4]}"
    return f"{words[0]} {words[1]}"


def query_mix(organisations: list) -> list[dict]:
    """QUERIES_PER_KIND queries of each kind, each from a different organisation of the first size."""
    from partners.codes import fold_for_search

    rng = random.Random(SEED + 1)
    pool = list(organisations)
    rng.shuffle(pool)
    makers = {
        "exact": lambda o: o.legal_name,
        "folded": lambda o: (
            fold_for_search(o.legal_name) if fold_for_search(o.legal_name) != o.legal_name else None
        ),
        "typo": lambda o: with_typo(o.legal_name, rng),
        "prefix": lambda o: with_prefix(o.legal_name, rng),
        "erasmus_code": lambda o: o.erasmus_code or None,
        "pic": lambda o: o.pic or None,
    }
    mix = []
    used = set()
    for kind, maker in makers.items():
        count = 0
        for organisation in pool:
            if count == QUERIES_PER_KIND:
                break
            if organisation.pic in used:
                continue
            query = maker(organisation)
            if query:
                used.add(organisation.pic)
                mix.append({"kind": kind, "query": query, "legal_name": organisation.legal_name})
                count += 1
    return mix


def prepare() -> tuple[int, str, Directory]:
    """Migrate, create the owner and a proposal, sign the owner in, generate the first size."""
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages_settings"
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: the benchmark needs no worker
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from alliances.models import Proposal
    from eligibility.models import Edition

    call_command("migrate", verbosity=0)
    user = get_user_model().objects.create_user("bench@example.org", "bench-password-2026")
    proposal = Proposal.objects.create(
        owner=user,
        title="Benchmark alliance",
        acronym="BENCH",
        edition=Edition.objects.order_by("-year").first(),
        duration_months=24,
        aims=["skills-relevance"],
    )
    return proposal.pk, common.signed_in_cookies(user), Directory(SIZES[-1])


def start_gunicorn(port: int, log):
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
        "CONN_MAX_AGE": "600",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("BENCH_NOTHING_CACHED", None)
    options = ["--worker-class", "gthread", "--threads", "1", "--keep-alive", "30"]
    return common.start_gunicorn(env, port, log, options=options, ready_path="/bench/bare/")


class Client:
    """One kept-alive connection, requests one at a time; reconnects when the server closed it."""

    def __init__(self, port: int):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)

    def get(self, path: str, headers: dict) -> tuple[int, str, float]:
        for attempt in (1, 2):
            try:
                started = time.perf_counter()
                self.connection.request("GET", path, headers=headers)
                response = self.connection.getresponse()
                body = response.read()
                elapsed = (time.perf_counter() - started) * 1000
                return response.status, body.decode(), elapsed
            except (http.client.HTTPException, ConnectionError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")


def measure(client: Client, search_path: str, cookies: str, mix: list[dict], size: int) -> dict:
    from django.utils.html import escape

    search_headers = {"Cookie": cookies, "HX-Request": "true"}
    bare_headers = {}
    errors = 0
    misses = []
    for item in mix:  # warm-up, and the check that each query finds its organisation
        status, body, _elapsed = client.get(
            search_path + "?" + urllib.parse.urlencode({"q": item["query"]}), search_headers
        )
        if status != 200:
            errors += 1
            misses.append({**item, "status": status})
        elif escape(item["legal_name"]) not in body:
            misses.append({**item, "results_shown": body.count('class="list-group-item')})
        client.get("/bench/bare/", bare_headers)
    plan = [item for item in mix for _ in range(REPEATS)]
    random.Random(SEED + size).shuffle(plan)
    search_ms = {kind: [] for kind in KINDS}
    per_query: dict[str, list[float]] = {}
    bare_ms, signed_in_ms = [], []
    deadline = time.monotonic() + SECONDS_PER_SIZE
    for item in plan:
        if time.monotonic() > deadline:
            break
        path = search_path + "?" + urllib.parse.urlencode({"q": item["query"]})
        status, _body, elapsed = client.get(path, search_headers)
        errors += status != 200
        search_ms[item["kind"]].append(elapsed)
        per_query.setdefault(item["query"], []).append(elapsed)
        status, _body, elapsed = client.get("/bench/bare/", bare_headers)
        errors += status != 200
        bare_ms.append(elapsed)
        status, _body, elapsed = client.get("/bench/signed-in/", {"Cookie": cookies})
        errors += status != 200
        signed_in_ms.append(elapsed)
    every = [value for values in search_ms.values() for value in values]
    slowest = sorted(per_query.items(), key=lambda pair: -statistics.median(pair[1]))[:5]
    kind_of = {item["query"]: item["kind"] for item in mix}
    return {
        "organisations": size,
        "search_requests": len(every),
        "search_p50_ms": round(statistics.median(every), 2),
        "search_p95_ms": round(percentile(every, 0.95), 2),
        "search_p95_ms_by_kind": {kind: round(percentile(v, 0.95), 2) for kind, v in search_ms.items() if v},
        "search_p50_ms_by_kind": {kind: round(statistics.median(v), 2) for kind, v in search_ms.items() if v},
        "slowest_queries_median_ms": [
            {"kind": kind_of[query], "query": query, "median_ms": round(statistics.median(values), 2)}
            for query, values in slowest
        ],
        "bare_requests": len(bare_ms),
        "bare_p50_ms": round(statistics.median(bare_ms), 2),
        "bare_p95_ms": round(percentile(bare_ms, 0.95), 2),
        # Not budgeted: what any signed-in request costs before its own work (bench/pages_urls.py).
        "signed_in_floor_p95_ms": round(percentile(signed_in_ms, 0.95), 2),
        "signed_in_floor_p95_vs_bare": round(percentile(signed_in_ms, 0.95) / percentile(bare_ms, 0.95), 2),
        "found": f"{len(mix) - len(misses)}/{len(mix)}",
        "misses": misses,
        "errors_and_non_200": errors,
    }


def in_process(mix: list[dict]) -> dict:
    """Where a search's time goes, measured in this process on the same database (no HTTP, no template):
    the selector alone (the rows the fragment lists), and the search form alone (it lists the countries that
    have organisations). Medians of three runs, in ms."""
    from partners.forms import OrganisationSearchForm
    from partners.selectors import organisation_search

    def timed(function) -> float:
        runs = []
        for _ in range(3):
            started = time.perf_counter()
            function()
            runs.append((time.perf_counter() - started) * 1000)
        return statistics.median(runs)

    selector = {kind: [] for kind in KINDS}
    for item in mix:
        selector[item["kind"]].append(timed(lambda q=item["query"]: list(organisation_search(query=q)[:21])))
    form = timed(lambda: OrganisationSearchForm({"q": "x"}).is_valid())
    return {
        "selector_median_ms_by_kind": {k: round(statistics.median(v), 2) for k, v in selector.items() if v},
        "selector_max_ms_by_kind": {k: round(max(v), 2) for k, v in selector.items() if v},
        "search_form_ms": round(form, 2),
    }


def count_prefixed(misses: list[dict]) -> None:
    """For each miss, how many organisations the search had to choose among (the name's words all in)."""
    from partners.codes import fold_for_search
    from partners.models import Organisation

    for miss in misses:
        words = fold_for_search(miss["query"]).split()
        queryset = Organisation.objects.all()
        for word in words:
            queryset = queryset.filter(search_text__contains=word)
        miss["organisations_with_every_word"] = queryset.count()


def main():
    common.recreate_database(BASE_URL, BENCH_DB)
    log = tempfile.NamedTemporaryFile(prefix="bench-directory-", suffix=".log", delete=False)  # noqa: SIM115
    server = None
    started = time.monotonic()
    try:
        proposal_id, cookies, directory = prepare()
        from django.db import connections
        from django.urls import reverse

        search_path = reverse("alliances:organisation_search", args=[proposal_id])
        generation = {}
        sizes = {}
        mix = None
        for size in SIZES:
            grown = grow(directory, size)
            generation[str(size)] = {
                "seconds": grown["seconds"],
                "search_words_seconds": grown["search_words_seconds"],
                "vacuum_analyze_seconds": grown["vacuum_seconds"],
            }
            print(f"{size} organisations in {grown['seconds']} s", file=sys.stderr, flush=True)
            if mix is None:
                mix = query_mix(grown["first"])
            connections.close_all()
            if server is None:
                port = common.free_port()
                server = start_gunicorn(port, log)
            figures = measure(Client(port), search_path, cookies, mix, size)
            count_prefixed(figures["misses"])
            figures["in_process"] = in_process(mix)
            connections.close_all()
            sizes[str(size)] = figures
            print(f"{size}: search p95 {figures['search_p95_ms']} ms", file=sys.stderr, flush=True)
        small, large = sizes[str(SIZES[0])], sizes[str(SIZES[-1])]
        growth = large["search_p95_ms"] / small["search_p95_ms"]
        vs_bare = large["search_p95_ms"] / large["bare_p95_ms"]
        result = {
            "benchmark": "directory-search",
            "server": "gunicorn 2 workers (gthread, keep-alive), PostgreSQL, one request at a time",
            "view": "alliances:organisation_search (the builder's search fragment, HX-Request)",
            "queries": {kind: sum(item["kind"] == kind for item in mix) for kind in KINDS},
            "repeats_each_query": REPEATS,
            "generation": generation,
            "sizes": sizes,
            "found": {size: figures["found"] for size, figures in sizes.items()},
            "seconds": round(time.monotonic() - started, 1),
            "budgets": {
                "search_p95_250k_vs_2500": {
                    "value": round(growth, 2),
                    "budget": "<= 2",
                    "holds": growth <= 2,
                },
                "search_p95_250k_vs_bare": {
                    "value": round(vs_bare, 2),
                    "budget": "<= 10",
                    "holds": vs_bare <= 10,
                },
            },
        }
        result["budgets_hold"] = all(budget["holds"] for budget in result["budgets"].values())
        print(json.dumps(result, indent=2, ensure_ascii=False))
    finally:
        if server is not None:
            common.stop(server)
        log.close()
        if sys.exc_info()[0] is None:  # kept when something failed: gunicorn's output is in it
            os.unlink(log.name)
        from django.db import connections

        connections.close_all()
        common.recreate_database(BASE_URL, BENCH_DB, create=False)


if __name__ == "__main__":
    main()
