"""Builder page benchmark: throughput and latency of a 50-participant builder page against a bare Django view,
with the builder's cache warm and with nothing cached.

Two gunicorns (2 workers, gthread with keep-alive so connections persist, no control socket) on the same
database: one with the project's caches, one whose every cache alias is a DummyCache (BENCH_NOTHING_CACHED,
read by bench/pages_settings.py). Each builder figure is compared with the bare view served by the same
gunicorn, in the same round, loaded with wrk for a bounded time each. Prints one JSON object.

A page view is the page plus the fragments it requests as it loads: every element whose hx-trigger has a
`load` event and an hx-get, found in the page (so the benchmark follows the templates). Each request of a page
view is measured on its own (wrk saturates the server with it), and the page view is combined from them:
throughput = 1 / Σ(1 / throughput_i), since 1 / throughput_i is the server time one request of kind i costs
and a page view costs them all; p95 = p95(page) + max p95(fragment), since htmx sends the load-triggered
fragments together once the page has arrived.

Two floors are measured in the same rounds, with the same cookies, and given beside the budgets (not
budgeted): a signed-in view that answers "ok" (the session and the user, from the database: what every
signed-in page does first) and a signed-in page with the layout and no content. The builder page does all of
that and more, so its ratios to the bare view cannot be better than theirs.

Rounds alternate (bare, page view, on each gunicorn, ..., the floors), and each ratio is the median of the
rounds' ratios: on a shared two-core machine a single long run of each can land one of them in a busy moment,
and the ratio then measures the neighbours rather than the page (single runs gave 0.3 to 0.56). The builder
is requested with a signed-in browser's cookies: the session and the CSRF cookie.

    make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_builder .venv/bin/python bench/pages.py

Runs on a throw-away database (`<name>_bench_pages`), created and dropped by the run.
Budgets (issue #11): nothing cached, page-view throughput ≥ 0.10 × the bare view's; cache warm, throughput
≥ 0.20 × the bare view's and p95 ≤ 6 × the bare view's p95.
"""

import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.parse
import urllib.request
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_builder")
BASE_URL = os.environ["DATABASE_URL"]
BENCH_DB, BENCH_URL = common.throw_away_database(BASE_URL, "pages")
DURATION = int(os.environ.get("BENCH_SECONDS", "15"))  # per page, over all rounds
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
PARTICIPANTS = 50
PAGES = ("bare_view", "builder_page_view")
# Not budgeted: what any signed-in page costs before its own work, against the same bare view
# (bench/pages_urls.py). A builder page does all of it and more, so its ratios cannot be better than these.
FLOORS = {
    "signed-in": "a signed-in view that answers 'ok': the session and the user, from the database",
    "layout": "a signed-in page with the layout every page has (base.html) and no content",
}

WRK_SCRIPT = """
done = function(summary, latency, requests)
  local errors = summary.errors.connect + summary.errors.read + summary.errors.write + summary.errors.timeout
  io.write(string.format(
    "JSON{\\"requests\\": %d, \\"duration_us\\": %d, \\"p50_us\\": %d, \\"p95_us\\": %d, \\"p99_us\\": %d, "
    .. "\\"errors\\": %d, \\"non_2xx\\": %d}\\n",
    summary.requests, summary.duration,
    latency:percentile(50), latency:percentile(95), latency:percentile(99), errors, summary.errors.status))
end
"""


def prepare() -> tuple[int, str]:
    """Migrate, build a 50-participant proposal, and sign its owner in: (proposal id, Cookie header).

    The cookies are a signed-in browser's: the session, and the CSRF cookie that the first page a browser
    visits sets (without it every request would mint a new CSRF secret and set the cookie again).
    """
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.pages_settings"
    os.environ.pop("CELERY_BROKER_URL", None)  # tasks in-process: the benchmark needs no worker
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from alliances.models import Participation, ParticipationStatus, Proposal, Role
    from eligibility.models import Edition
    from eligibility.services import reevaluate
    from partners.models import Country, Organisation, OrganisationType

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
    countries = list(Country.objects.filter(programme_status="eu_member").order_by("code")[:12])
    types = list(OrganisationType.objects.filter(eligible=True).exclude(higher_education=True).order_by("pk"))
    hei = OrganisationType.objects.get(slug="higher-education-institution")
    roles = [Role.FULL_PARTNER, Role.FULL_PARTNER, Role.ASSOCIATED_PARTNER]
    applicant = None
    for index in range(PARTICIPANTS):
        organisation = Organisation.objects.create(
            legal_name=f"Benchmark Organisation {index:02d}",
            acronym=f"BO{index:02d}",
            country=countries[index % len(countries)],
            type=hei if index % 10 == 0 else types[index % len(types)],
            city="Brussels",
            pic=f"{900000000 + index}",
        )
        role = Role.APPLICANT if index == 0 else roles[index % len(roles)]
        participation = Participation.objects.create(
            proposal=proposal,
            organisation=organisation,
            role=role,
            status=ParticipationStatus.CONFIRMED,
            contact_name=f"Contact {index}",
            contact_email=f"contact{index}@example.org",
        )
        applicant = applicant or participation
    # Directory organisations not in the consortium, for the search and suggestions.
    for index in range(200):
        Organisation.objects.create(
            legal_name=f"Directory Organisation {index:03d}",
            country=countries[index % len(countries)],
            type=types[index % len(types)],
        )
    Organisation.objects.filter(type=hei).update(eche_status="valid")
    reevaluate([proposal.pk])
    cookies = common.signed_in_cookies(user)
    from django.db import connection, connections

    # Statistics for the planner now, and the data on disk now: otherwise autovacuum and the checkpointer
    # get to the fresh rows (and to what earlier benchmarks wrote) in the middle of the measurement.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    connections.close_all()
    return proposal.pk, cookies


def start_gunicorn(port: int, log, *, nothing_cached: bool) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
        "CONN_MAX_AGE": "600",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    env.pop("BENCH_NOTHING_CACHED", None)
    if nothing_cached:
        env["BENCH_NOTHING_CACHED"] = "1"
    options = ["--worker-class", "gthread", "--threads", "1", "--keep-alive", "30"]
    return common.start_gunicorn(env, port, log, options=options, ready_path="/bench/bare/")


class LoadTriggeredFragments(HTMLParser):
    """The hx-get URLs of the elements whose hx-trigger has a `load` event (`load`, `load delay:1s`,
    `load, eligibility-changed from:body`): what htmx requests as soon as the page is in."""

    def __init__(self):
        super().__init__()
        self.urls: list[str] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        triggers = (attrs.get("hx-trigger") or "").split(",")
        events = [re.split(r"[\s\[]", part.strip())[0] for part in triggers]  # `load[filter] delay:1s`
        if "load" in events and attrs.get("hx-get"):
            self.urls.append(attrs["hx-get"])


def fetch(url: str, headers: dict) -> tuple[str, list[str]]:
    """The body of `url` and the cookies it set; anything but 200 fails the run."""
    request = urllib.request.Request(url, headers=headers)
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 200, f"{url}: {response.status}"
        cookies = [cookie.split(";")[0] for cookie in response.headers.get_all("Set-Cookie") or []]
        return response.read().decode(), cookies


def page_view(page_url: str, cookies: str) -> list[tuple[str, dict]]:
    """The requests of one page view, each (URL, headers): the page, then its load-triggered fragments as htmx
    sends them. Checks that the page shows the proposal and that the browser's cookies are kept."""
    page_headers = {"Cookie": cookies}
    body, renewed = fetch(page_url, page_headers)
    finder = LoadTriggeredFragments()
    finder.feed(body)
    fragment_headers = {**page_headers, "HX-Request": "true", "HX-Current-URL": page_url}
    requests = [(page_url, page_headers)]
    requests += [
        (urllib.parse.urljoin(page_url, url), fragment_headers) for url in dict.fromkeys(finder.urls)
    ]
    for url, headers in requests[1:]:
        fragment, more = fetch(url, headers)
        body += fragment
        renewed += more
    assert "Benchmark Organisation 49" in body, "wrong page"
    # Django renews the CSRF cookie on every page with a form, with the secret the browser sent.
    assert all(cookie in cookies.split("; ") for cookie in renewed), "the browser's cookies were refused"
    return requests


def wrk(url: str, headers: dict, script: Path, seconds: int) -> dict:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "-s", str(script)]
    for name, value in headers.items():
        command += ["-H", f"{name}: {value}"]
    output = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in output.splitlines() if line.startswith("JSON"))
    figures = json.loads(line[4:])
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "requests_per_second": round(figures["requests"] / seconds, 1),
        "p50_ms": round(figures["p50_us"] / 1000, 2),
        "p95_ms": round(figures["p95_us"] / 1000, 2),
        "p99_ms": round(figures["p99_us"] / 1000, 2),
        "errors": figures["errors"],
        "non_2xx": figures["non_2xx"],
    }


def measure_page_view(requests: list[tuple[str, dict]], script: Path, seconds: int) -> dict:
    """Each request of the page view under wrk, combined as the module's docstring says."""
    each = [wrk(url, headers, script, seconds) for url, headers in requests]
    page, fragments = each[0], each[1:]
    return {
        "requests_per_second": round(1 / sum(1 / one["requests_per_second"] for one in each), 1),
        "p95_ms": round(page["p95_ms"] + max((one["p95_ms"] for one in fragments), default=0), 2),
        "errors": sum(one["errors"] for one in each),
        "non_2xx": sum(one["non_2xx"] for one in each),
        "page": page,
        "fragments": fragments,
    }


def ratios(bare: dict, builder: dict) -> dict:
    throughput = builder["requests_per_second"] / bare["requests_per_second"]
    p95 = builder["p95_ms"] / bare["p95_ms"] if bare["p95_ms"] else float("inf")
    return {"throughput_ratio": round(throughput, 3), "p95_ratio": round(p95, 2)}


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    common.recreate_database(BASE_URL, BENCH_DB)
    log = tempfile.NamedTemporaryFile(prefix="bench-pages-", suffix=".log", delete=False)  # noqa: SIM115
    servers = {}
    try:
        proposal_id, cookies = prepare()
        for state in ("cache_warm", "nothing_cached"):
            port = common.free_port()
            servers[state] = (start_gunicorn(port, log, nothing_cached=state == "nothing_cached"), port)
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        script_path = Path(script.name)
        views, bare_urls, bases = {}, {}, {}
        for state, (_process, port) in servers.items():
            base = bases[state] = f"http://127.0.0.1:{port}"
            views[state] = page_view(f"{base}/proposals/{proposal_id}/", cookies)
            bare_urls[state] = f"{base}/bench/bare/"
            # Warm up (templates compiled, pages cached where they are, connections open), then measure.
            measure_page_view(views[state], script_path, 3 if state == "cache_warm" else 1)
            wrk(bare_urls[state], {}, script_path, 1)
        floor_urls = {name: f"{bases['cache_warm']}/bench/{name}/" for name in FLOORS}
        for url in floor_urls.values():
            wrk(url, {"Cookie": cookies}, script_path, 1)
        seconds = max(1, round(DURATION / ROUNDS))
        rounds = []
        for _ in range(ROUNDS):
            one = {}
            for state in servers:
                bare = wrk(bare_urls[state], {}, script_path, seconds)
                builder = measure_page_view(views[state], script_path, seconds)
                one[state] = {"bare_view": bare, "builder_page_view": builder, **ratios(bare, builder)}
            # The floors, on the gunicorn with the caches (they use none), against its bare view this round.
            bare = one["cache_warm"]["bare_view"]
            for name, url in floor_urls.items():
                floor = wrk(url, {"Cookie": cookies}, script_path, seconds)
                one[name] = {"page": floor, **ratios(bare, floor)}
            rounds.append(one)
        script_path.unlink()

        def median(state: str, figure: str) -> float:
            return round(statistics.median(one[state][figure] for one in rounds), 3)

        def each(state: str, page: str, figure: str) -> list:
            return [one[state][page][figure] for one in rounds]

        figures = {
            state: {
                "fragments_loaded_with_the_page": [url for url, _headers in views[state][1:]],
                "bare_view_requests_per_second": each(state, "bare_view", "requests_per_second"),
                "builder_page_views_per_second": each(state, "builder_page_view", "requests_per_second"),
                "bare_view_p95_ms": each(state, "bare_view", "p95_ms"),
                "builder_page_view_p95_ms": each(state, "builder_page_view", "p95_ms"),
                "throughput_ratio": median(state, "throughput_ratio"),
                "p95_ratio": median(state, "p95_ratio"),
            }
            for state in servers
        }
        figures["floors"] = {
            name: {
                "what": what,
                "requests_per_second": [one[name]["page"]["requests_per_second"] for one in rounds],
                "p95_ms": [one[name]["page"]["p95_ms"] for one in rounds],
                "throughput_ratio": median(name, "throughput_ratio"),
                "p95_ratio": median(name, "p95_ratio"),
            }
            for name, what in FLOORS.items()
        }
        cold, warm = figures["nothing_cached"], figures["cache_warm"]
        measured = [one[state][page] for one in rounds for state in servers for page in PAGES]
        measured += [one[name]["page"] for one in rounds for name in FLOORS]
        errors = sum(each_run["errors"] + each_run["non_2xx"] for each_run in measured)
        result = {
            "benchmark": "builder-page",
            "participants": PARTICIPANTS,
            "server": "gunicorn 2 workers (gthread, keep-alive), PostgreSQL; one with the project's caches, "
            "one with every cache alias a DummyCache",
            "rounds": ROUNDS,
            "seconds_each_request_kind_each_round": seconds,
            "connections": CONNECTIONS,
            **figures,
            "errors_and_non_2xx": errors,
            "per_round": rounds,
            "budgets": {
                "nothing_cached_throughput_vs_bare": {
                    "value": cold["throughput_ratio"],
                    "budget": ">= 0.10",
                    "holds": cold["throughput_ratio"] >= 0.10,
                },
                "cache_warm_throughput_vs_bare": {
                    "value": warm["throughput_ratio"],
                    "budget": ">= 0.20",
                    "holds": warm["throughput_ratio"] >= 0.20,
                },
                "cache_warm_p95_vs_bare": {
                    "value": warm["p95_ratio"],
                    "budget": "<= 6",
                    "holds": warm["p95_ratio"] <= 6,
                },
                "no_errors": {"value": errors, "budget": "0 (errors and non-2xx)", "holds": errors == 0},
            },
        }
        result["budgets_hold"] = all(budget["holds"] for budget in result["budgets"].values())
        print(json.dumps(result, indent=2))
    finally:
        for process, _port in servers.values():
            common.stop(process)
        log.close()
        if sys.exc_info()[0] is None:  # kept when something failed: gunicorn's output is in it
            os.unlink(log.name)
        common.recreate_database(BASE_URL, BENCH_DB, create=False)


if __name__ == "__main__":
    main()
