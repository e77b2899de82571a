"""Mixed-load run: 20 simulated coordinators and partners against gunicorn (2 workers, no control socket) and
a real Celery worker, on PostgreSQL and Redis, for a bounded time; then the database is reconciled against
what the clients were told. Prints one JSON object with the budgets and whether each holds.

    make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_builder \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 REDIS_CACHE_URL=redis://127.0.0.1:6379/13 \\
    BENCH_LOAD_SECONDS=20 .venv/bin/python bench/load.py
    .venv/bin/python bench/load.py --record-baseline 3  # same environment; rewrites load_baseline.json

Coordinators (one proposal each) open the builder page and its fragments, search the directory, add and
remove participants and send invitations, always with the version their page showed (so a partner's answer
in between makes a save stale, as in the browser). Partners open the emailed links (the worker writes the
emails to files) and confirm or decline. A light client requests the bare view of bench/pages_urls.py under
the same gunicorn, so that each action's p95 is also given as a multiple of the bare view's p95 (a ratio that
stays meaningful on a busy machine, where milliseconds do not). Runs on a throw-away database
(`<name>_bench_load`) and its own queue and cache prefix; everything targets 127.0.0.1. Budgets (issue #7):
no 5xx and no failed request; nothing lost (every save the server confirmed is there, every removal gone,
every answer recorded); no duplicate participation; every stored eligibility report equals a fresh
evaluation of the final data.
Issue #11: the builder page's, the add's and the remove's p95-to-bare ratio each at most half of its before
figure, the median of three runs on the code before that change, kept in bench/load_baseline.json.
"""

import datetime
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402
from bench.load_clients import BARE_VIEW, BareViewClient, Coordinator, Mailbox, Partner, Recorder  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_builder")
BASE_URL = os.environ["DATABASE_URL"]
BENCH_DB, BENCH_URL = common.throw_away_database(BASE_URL, "load")
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
COORDINATORS = int(os.environ.get("BENCH_LOAD_COORDINATORS", "14"))
PARTNERS = int(os.environ.get("BENCH_LOAD_PARTNERS", "6"))
QUEUE = "alliance-builder-bench-load"
# The before figure of issue #11 (each action's p95 as a multiple of the bare view's, median of three runs on
# the code before the change) and the actions whose budget is half of it.
BASELINE = Path(__file__).with_name("load_baseline.json")
HALVED_ACTIONS = ("builder page", "add", "remove")


def percentile(values, fraction):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(fraction * (len(ordered) - 1)))] if ordered else None


# --- The world ------------------------------------------------------------------------------------------


def prepare(email_dir: str) -> dict:
    """Migrate; a directory of 300 organisations; one proposal with six participants per coordinator."""
    os.environ["DATABASE_URL"] = BENCH_URL
    os.environ["DJANGO_SETTINGS_MODULE"] = "bench.load_settings"
    os.environ["BENCH_EMAIL_DIR"] = email_dir
    import django

    django.setup()
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY, get_user_model
    from django.core.management import call_command
    from django.db import connections
    from django.utils import timezone

    from alliances.models import Participation, ParticipationStatus, Proposal, Role
    from eligibility.models import Edition
    from eligibility.services import reevaluate
    from partners.models import Country, Organisation, OrganisationType

    call_command("migrate", verbosity=0)
    countries = list(Country.objects.filter(programme_status="eu_member").order_by("code")[:12])
    types = list(OrganisationType.objects.filter(eligible=True).order_by("pk"))
    hei = OrganisationType.objects.get(slug="higher-education-institution")
    directory = []
    for index in range(300):
        kind = types[index % len(types)]
        directory.append(
            Organisation.objects.create(
                legal_name=f"Directory Organisation {index:03d}",
                acronym=f"DO{index:03d}",
                country=countries[index % len(countries)],
                type=kind,
                city="Berlin" if index % 7 == 0 else "Lyon",
                erasmus_code=f"D  DIRECT{index:02d}"[:12] if kind == hei else "",
            ).pk
        )
    edition = Edition.objects.order_by("-year").first()
    store = import_module(settings.SESSION_ENGINE).SessionStore
    confirmed = timezone.now()  # an address proven, as an inviting account's must be
    coordinators = []
    for index in range(COORDINATORS):
        user = get_user_model().objects.create_user(
            f"coordinator{index}@bench.example", "bench-password-2026", email_confirmed_at=confirmed
        )
        proposal = Proposal.objects.create(
            owner=user,
            title=f"Load alliance {index}",
            acronym=f"LOAD{index}",
            edition=edition,
            duration_months=24,
            aims=["skills-relevance"],
        )
        participations = {}
        for slot in range(6):
            organisation = Organisation.objects.create(
                legal_name=f"Member {index}-{slot}",
                country=countries[(index + slot) % len(countries)],
                type=hei if slot == 0 else types[slot % len(types)],
                eche_status="valid" if slot == 0 else "not_required",
            )
            participation = Participation.objects.create(
                proposal=proposal,
                organisation=organisation,
                role=Role.APPLICANT if slot == 0 else Role.FULL_PARTNER,
                status=ParticipationStatus.CONFIRMED,
            )
            participations[participation.pk] = organisation.pk
        session = store()
        session[SESSION_KEY] = str(user.pk)
        session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend (axes' first)
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.create()
        applicant = min(participations)
        coordinators.append(
            {
                "proposal": proposal.pk,
                "session": session.session_key,
                "members": participations,
                "keep": applicant,
            }
        )
    reevaluate([c["proposal"] for c in coordinators])
    connections.close_all()
    return {"coordinators": coordinators, "directory": directory}


# --- Processes ------------------------------------------------------------------------------------------


def process_env(email_dir: str, site_url: str) -> dict:
    return {
        **os.environ,
        "DATABASE_URL": BENCH_URL,
        "DJANGO_SETTINGS_MODULE": "bench.load_settings",
        "BENCH_EMAIL_DIR": email_dir,
        "SITE_URL": site_url,
        "CONN_MAX_AGE": "600",
        "PYTHONPATH": str(ROOT),
        "PYTHONUNBUFFERED": "1",
    }


def start_gunicorn(env: dict, port: int, log) -> subprocess.Popen:
    options = ["--worker-class", "gthread", "--threads", "4"]
    return common.start_gunicorn(env, port, log, options=options, ready_path="/accounts/login/")


def start_worker(env: dict, log) -> subprocess.Popen:
    command = [
        str(Path(sys.executable).with_name("celery")),
        "-A",
        "config",
        "worker",
        "--pool=solo",
        "--without-gossip",
        "--without-mingle",
        "--loglevel=WARNING",
        "-Q",
        QUEUE,
        "-n",
        f"bench-load-{os.getpid()}@localhost",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)


# --- Reconciliation -------------------------------------------------------------------------------------


def drain(broker_url: str, timeout: float = 90) -> bool:
    """Wait for the worker to finish what the run queued (the queue empty, no check asked for unanswered)."""
    import redis

    from partners.models import Organisation

    client = redis.Redis.from_url(broker_url)
    deadline = time.monotonic() + timeout
    quiet_since = None
    while time.monotonic() < deadline:
        busy = client.llen(QUEUE) or Organisation.objects.filter(eche_requested_at__isnull=False).exists()
        if busy:
            quiet_since = None
        elif quiet_since is None:
            quiet_since = time.monotonic()
        elif time.monotonic() - quiet_since > 2:
            return True
        time.sleep(0.3)
    return False


def reconcile(world, coordinators, partners) -> dict:
    from django.db import connection

    from alliances.models import Participation
    from eligibility import rules, snapshot
    from eligibility.models import EligibilityReport
    from invitations.models import Invitation

    lost, phantom = [], []
    for client in coordinators:
        proposal = client.world["proposal"]
        actual = set(Participation.objects.filter(proposal_id=proposal).values_list("pk", flat=True))
        expected = set(client.members)
        lost += [f"proposal {proposal}: participation {pk} missing" for pk in expected - actual]
        phantom += [f"proposal {proposal}: participation {pk} unexpected" for pk in actual - expected]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT proposal_id, organisation_id, COUNT(*) FROM alliances_participation "
            "GROUP BY proposal_id, organisation_id HAVING COUNT(*) > 1"
        )
        duplicates = cursor.fetchall()
    answers = {pk: answer for partner in partners for pk, answer in partner.answers.items()}
    recorded = dict(Invitation.objects.filter(pk__in=answers).values_list("pk", "status"))
    # An invitation whose participation was removed afterwards is gone with it; any other must say the answer.
    wrong_answers = [
        f"invitation {pk}: {answer} but {recorded[pk]}"
        for pk, answer in answers.items()
        if pk in recorded and recorded[pk] != answer
    ]
    stale_reports = []
    proposal_ids = [client.world["proposal"] for client in coordinators]
    reports = {r.proposal_id: r for r in EligibilityReport.objects.filter(proposal_id__in=proposal_ids)}
    for proposal_id in proposal_ids:
        fresh = snapshot.build(proposal_id)
        report = reports.get(proposal_id)
        for mode in rules.MODES:
            evaluation = json.loads(json.dumps(rules.evaluate(fresh.snapshot, fresh.edition, mode).as_dict()))
            if report is None or getattr(report, mode) != evaluation:
                stale_reports.append(f"proposal {proposal_id} ({mode})")
    anomalies = [a for client in coordinators for a in client.anomalies]
    return {
        "participations_confirmed_by_server": sum(len(c.members) for c in coordinators),
        "lost": lost + wrong_answers + anomalies,
        "unexpected": phantom,
        "duplicate_participations": [list(row) for row in duplicates],
        "answers_recorded": len(answers),
        "answers_matching": len(answers) - len(wrong_answers),
        "reports_checked": len(proposal_ids) * len(rules.MODES),
        "reports_not_matching_fresh_evaluation": stale_reports,
    }


# --- Main -----------------------------------------------------------------------------------------------


def measure() -> dict:
    broker_url = os.environ.get("CELERY_BROKER_URL", "")
    if not broker_url.startswith("redis"):
        raise SystemExit("bench/load.py needs CELERY_BROKER_URL (Redis) and a PostgreSQL DATABASE_URL")
    import redis

    redis.Redis.from_url(broker_url).delete(QUEUE)
    common.recreate_database(BASE_URL, BENCH_DB)
    email_dir = Path(tempfile.mkdtemp(prefix="bench-load-mail-"))
    port = common.free_port()
    base = f"http://127.0.0.1:{port}"
    log = open(email_dir.parent / f"bench-load-{os.getpid()}.log", "wb")  # noqa: SIM115
    processes = []
    try:
        world = prepare(str(email_dir))
        env = process_env(str(email_dir), base)
        processes.append(start_worker(env, log))
        processes.append(start_gunicorn(env, port, log))
        idle_bare_p95 = bare_view_p95_idle(base)
        recorder = Recorder()
        started = time.monotonic()
        deadline = started + SECONDS
        mailbox = Mailbox(email_dir)
        coordinators = [
            Coordinator(base, w, world["directory"], recorder, deadline, seed=i)
            for i, w in enumerate(world["coordinators"])
        ]
        partners = [Partner(base, mailbox, recorder, deadline, seed=100 + i) for i in range(PARTNERS)]
        threads = [*coordinators, *partners, BareViewClient(base, recorder, deadline)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=SECONDS + 60)
        elapsed = time.monotonic() - started
        drained = drain(broker_url)
        figures = reconcile(world, coordinators, partners)
    finally:
        for process in reversed(processes):
            common.stop(process)
        log.close()
        from django.db import connections

        connections.close_all()
        common.recreate_database(BASE_URL, BENCH_DB, create=False)
    requests_total = sum(len(v) for v in recorder.latencies.values())
    actions = {
        action: {
            "requests": len(samples),
            "p50_ms": round(percentile(samples, 0.50), 1),
            "p95_ms": round(percentile(samples, 0.95), 1),
            "p99_ms": round(percentile(samples, 0.99), 1),
            "statuses": {str(code): count for code, count in sorted(recorder.by_action[action].items())},
        }
        for action, samples in sorted(recorder.latencies.items())
    }
    bare_p95 = actions.get("bare view", {}).get("p95_ms")
    for latency in actions.values():
        latency["p95_vs_bare"] = round(latency["p95_ms"] / bare_p95, 2) if bare_p95 else None
        latency["p95_vs_idle_bare"] = round(latency["p95_ms"] / idle_bare_p95, 1)
    errors = len(recorder.server_errors) + len(recorder.failures)
    stale = figures["reports_not_matching_fresh_evaluation"]
    nothing_lost = not figures["lost"] and not figures["unexpected"] and drained
    result = {
        "benchmark": "mixed-load",
        "server": "gunicorn 2 workers (gthread, 4 threads, no control socket), Celery worker (solo), "
        "PostgreSQL, Redis",
        "product_commit": product_commit(),
        "seconds": round(elapsed, 1),
        "clients": {"coordinators": COORDINATORS, "partners": PARTNERS, "bare_view": 1},
        "requests": requests_total,
        "throughput_rps": round(requests_total / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(recorder.statuses.items())},
        "bare_view_p95_ms_before_the_load": idle_bare_p95,
        "actions": actions,
        "server_errors": recorder.server_errors[:20],
        "failed_requests": recorder.failures[:20],
        "worker_drained": drained,
        "reconciliation": figures,
        "budgets": {
            "zero_5xx": {"value": errors, "budget": "0 (5xx and failed requests)", "holds": errors == 0},
            "nothing_lost": {
                "value": len(figures["lost"]) + len(figures["unexpected"]),
                "budget": "0 missing or unexpected rows, every answer recorded",
                "holds": nothing_lost,
            },
            "no_duplicate_participation": {
                "value": len(figures["duplicate_participations"]),
                "budget": "0",
                "holds": not figures["duplicate_participations"],
            },
            "reports_match_fresh_evaluation": {
                "value": f"{figures['reports_checked'] - len(stale)}/{figures['reports_checked']}",
                "budget": "all",
                "holds": not stale,
            },
            **halved_p95_budgets(actions),
        },
    }
    result["budgets_hold"] = all(budget["holds"] for budget in result["budgets"].values())
    return result


def bare_view_p95_idle(base: str, requests: int = 200) -> float:
    """The bare view's p95 on the same gunicorn just before the load starts: what a request costs there with
    no queue; a second yardstick beside the bare view under load, which waits in the queue every action waits
    in, so that each action's ratio to it stays near 1 to 3 however fast or slow the actions are."""
    import requests as http

    session, samples = http.Session(), []
    for _ in range(requests):
        started = time.perf_counter()
        session.get(base + BARE_VIEW, timeout=10).raise_for_status()
        samples.append((time.perf_counter() - started) * 1000)
    return round(percentile(samples, 0.95), 2)


def halved_p95_budgets(actions: dict) -> dict:
    """Issue #11: the builder page's, the add's and the remove's p95, as multiples of the bare view's p95,
    each at most half of the before figure recorded in bench/load_baseline.json."""
    before = json.loads(BASELINE.read_text())["p95_vs_bare_median"] if BASELINE.exists() else {}
    budgets = {}
    for action in HALVED_ACTIONS:
        value = actions.get(action, {}).get("p95_vs_bare")
        if action not in before:
            budget, holds = f"no before figure in {BASELINE.name}", False
        else:
            budget = f"<= {before[action] / 2:.2f} (half of {before[action]}, {BASELINE.name})"
            holds = value is not None and value <= before[action] / 2
        name = action.replace(" ", "_") + "_p95_vs_bare"
        budgets[name] = {"value": value, "budget": budget, "holds": holds}
    return budgets


def product_commit() -> str:
    """The last commit of the code measured: the benchmarks' own changes do not count."""
    command = ["git", "log", "-1", "--format=%h", "--", ".", ":(exclude)bench"]
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True).stdout.strip()


def record_baseline(runs: int) -> dict:
    """Run the benchmark `runs` times (each in a fresh process, as `make bench` does) and keep, per action,
    the median of the runs' p95-to-bare ratios: the before figure."""
    results = []
    for _ in range(runs):
        completed = subprocess.run([sys.executable, __file__], capture_output=True, text=True, check=True)
        results.append(json.loads(completed.stdout))
    actions = sorted(set.intersection(*(set(result["actions"]) for result in results)))
    baseline = {
        "recorded": datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds"),
        "product_commit": results[0]["product_commit"],
        "seconds_each_run": SECONDS,
        "clients": results[0]["clients"],
        "p95_vs_bare_median": {
            action: statistics.median(result["actions"][action]["p95_vs_bare"] for result in results)
            for action in actions
        },
        # Not budgeted: the same p95s as multiples of the bare view's p95 before the load (see measure()).
        "p95_vs_idle_bare_median": {
            action: statistics.median(result["actions"][action]["p95_vs_idle_bare"] for result in results)
            for action in actions
        },
        "runs": [
            {
                "requests": result["requests"],
                "throughput_rps": result["throughput_rps"],
                "bare_view_p95_ms_before_the_load": result["bare_view_p95_ms_before_the_load"],
                "budgets_hold": {name: budget["holds"] for name, budget in result["budgets"].items()},
                "actions": {
                    action: {
                        key: figures[key]
                        for key in ("requests", "p50_ms", "p95_ms", "p95_vs_bare", "p95_vs_idle_bare")
                    }
                    for action, figures in result["actions"].items()
                },
            }
            for result in results
        ],
    }
    BASELINE.write_text(json.dumps(baseline, indent=2, ensure_ascii=False) + "\n")
    return baseline


if __name__ == "__main__":
    if sys.argv[1:2] == ["--record-baseline"]:
        print(json.dumps(record_baseline(int((sys.argv[2:] or ["3"])[0])), indent=2))
    else:
        print(json.dumps(measure(), indent=2))
