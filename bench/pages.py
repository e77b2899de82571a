"""Builder page benchmark: throughput and latency of a 50-participant builder page vs a bare Django view.

Both served by the same gunicorn (2 workers, gthread with keep-alive so connections persist, no control
socket) in the same run, on PostgreSQL, loaded with wrk for a bounded time each. Prints one JSON object.

The two are measured in alternating rounds (bare, builder, bare, builder, ...), and each ratio is the median
of the rounds' ratios: on a shared two-core machine a single long run of each can land one of them in a busy
moment, and the ratio then measures the neighbours rather than the page (single runs gave 0.3 to 0.56).
The builder is requested with a signed-in browser's cookies: the session and the CSRF cookie.

    make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_builder .venv/bin/python bench/pages.py

Runs on a throw-away database (`<name>_bench_pages`), created and dropped by the run.
Budgets (issue #5): builder throughput ≥ 25 % of the bare view's; builder p95 ≤ 5 × the bare view's p95.
"""

import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import urllib.request
from importlib import import_module
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_builder")
BASE_URL = os.environ["DATABASE_URL"]
BENCH_DB = BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_bench_pages"
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BENCH_DB
DURATION = int(os.environ.get("BENCH_SECONDS", "15"))  # per page, over all rounds
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "5"))
CONNECTIONS = int(os.environ.get("BENCH_CONNECTIONS", "4"))
PARTICIPANTS = 50

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
    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.core.management import call_command
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

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
    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    from django.db import connection, connections

    # Statistics for the planner now, and the data on disk now: otherwise autovacuum and the checkpointer
    # get to the fresh rows (and to what earlier benchmarks wrote) in the middle of the measurement.
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE")
        cursor.execute("CHECKPOINT")
    connections.close_all()
    csrf_secret = get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS)
    cookies = {settings.SESSION_COOKIE_NAME: session.session_key, settings.CSRF_COOKIE_NAME: csrf_secret}
    return proposal.pk, "; ".join(f"{name}={value}" for name, value in cookies.items())


def start_gunicorn(port: int, log) -> subprocess.Popen:
    env = {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "DJANGO_SETTINGS_MODULE": "bench.pages_settings",
        "CONN_MAX_AGE": "600",
        "PYTHONPATH": str(ROOT),
    }
    env.pop("CELERY_BROKER_URL", None)
    options = ["--worker-class", "gthread", "--threads", "1", "--keep-alive", "30"]
    return common.start_gunicorn(env, port, log, options=options, ready_path="/bench/bare/")


def check_page(url: str, cookies: str) -> int:
    request = urllib.request.Request(url, headers={"Cookie": cookies})
    with urllib.request.urlopen(request, timeout=10) as response:
        body = response.read().decode()
        assert "Benchmark Organisation 49" in body or "/bench/bare/" in url or body == "ok", "wrong page"
        # Django renews the CSRF cookie on every page with a form, with the secret the browser sent.
        renewed = [cookie.split(";")[0] for cookie in response.headers.get_all("Set-Cookie") or []]
        assert all(cookie in cookies.split("; ") for cookie in renewed), "the browser's cookies were refused"
        return response.status


def wrk(url: str, cookies: str | None, script: Path, seconds: int) -> dict:
    command = ["wrk", "-t", "2", "-c", str(CONNECTIONS), "-d", f"{seconds}s", "-s", str(script), url]
    if cookies:
        command[1:1] = ["-H", f"Cookie: {cookies}"]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
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


def ratios(bare: dict, builder: dict) -> dict:
    throughput = builder["requests_per_second"] / bare["requests_per_second"]
    p95 = builder["p95_ms"] / bare["p95_ms"] if bare["p95_ms"] else float("inf")
    return {"throughput_ratio": round(throughput, 3), "p95_ratio": round(p95, 2)}


def main():
    if not shutil.which("wrk"):
        raise SystemExit("wrk is not installed (apt-get install wrk)")
    common.recreate_database(BASE_URL, BENCH_DB)
    log = tempfile.NamedTemporaryFile(prefix="bench-pages-", suffix=".log", delete=False)  # noqa: SIM115
    process = None
    try:
        proposal_id, cookies = prepare()
        port = common.free_port()
        process = start_gunicorn(port, log)
        base = f"http://127.0.0.1:{port}"
        builder_url = f"{base}/proposals/{proposal_id}/"
        bare_url = f"{base}/bench/bare/"
        assert check_page(builder_url, cookies) == 200
        with tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False) as script:
            script.write(WRK_SCRIPT)
        script_path = Path(script.name)
        # Warm both (templates compiled, pages cached, connections open), then measure.
        wrk(builder_url, cookies, script_path, 3)
        wrk(bare_url, None, script_path, 1)
        seconds = max(1, round(DURATION / ROUNDS))
        rounds = []
        for _ in range(ROUNDS):
            bare = wrk(bare_url, None, script_path, seconds)
            builder = wrk(builder_url, cookies, script_path, seconds)
            rounds.append({"bare_view": bare, "builder_page": builder, **ratios(bare, builder)})
        script_path.unlink()
        throughput_ratio = statistics.median(one["throughput_ratio"] for one in rounds)
        p95_ratio = statistics.median(one["p95_ratio"] for one in rounds)

        def each(page: str, figure: str) -> list:
            return [one[page][figure] for one in rounds]

        result = {
            "benchmark": "builder-page",
            "participants": PARTICIPANTS,
            "server": "gunicorn 2 workers (gthread, keep-alive), PostgreSQL",
            "rounds": ROUNDS,
            "seconds_each_round": seconds,
            "connections": CONNECTIONS,
            "bare_view_requests_per_second": each("bare_view", "requests_per_second"),
            "builder_page_requests_per_second": each("builder_page", "requests_per_second"),
            "bare_view_p95_ms": each("bare_view", "p95_ms"),
            "builder_page_p95_ms": each("builder_page", "p95_ms"),
            "throughput_ratio": throughput_ratio,
            "p95_ratio": p95_ratio,
            "per_round": rounds,
            "budgets": {
                "throughput_vs_bare": {
                    "value": throughput_ratio,
                    "budget": ">= 0.25",
                    "holds": throughput_ratio >= 0.25,
                },
                "p95_vs_bare": {"value": p95_ratio, "budget": "<= 5", "holds": p95_ratio <= 5},
            },
        }
        result["budgets_hold"] = all(budget["holds"] for budget in result["budgets"].values())
        print(json.dumps(result, indent=2))
    finally:
        if process is not None:
            common.stop(process)
        log.close()
        if sys.exc_info()[0] is None:  # kept when something failed: gunicorn's output is in it
            os.unlink(log.name)
        common.recreate_database(BASE_URL, BENCH_DB, create=False)


if __name__ == "__main__":
    main()
