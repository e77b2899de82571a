"""Mixed-load run: 20 simulated coordinators and partners against gunicorn (2 workers, no control socket) and
a real Celery worker, on PostgreSQL and Redis, for a bounded time; then the database is reconciled against
what the clients were told. Prints one JSON object with the budgets and whether each holds.

    make bench
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/alliance_builder \\
    CELERY_BROKER_URL=redis://127.0.0.1:6379/14 REDIS_CACHE_URL=redis://127.0.0.1:6379/13 \\
    BENCH_LOAD_SECONDS=20 .venv/bin/python bench/load.py

Coordinators (one proposal each) open the builder page and its fragments, search the directory, add and
remove participants and send invitations, always with the version their page showed (so a partner's answer
in between makes a save stale, as in the browser). Partners open the emailed links (the worker writes the
emails to files) and confirm or decline. Runs on a throw-away database (`<name>_bench_load`) and its own
queue and cache prefix; everything targets 127.0.0.1. Budgets (issue #7): no 5xx and no failed request;
nothing lost (every save the server confirmed is there, every removal gone, every answer recorded); no
duplicate participation; every stored eligibility report equals a fresh evaluation of the final data.
"""

import collections
import json
import os
import random
import re
import subprocess
import sys
import tempfile
import threading
import time
from html.parser import HTMLParser
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
from bench import common  # noqa: E402

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/alliance_builder")
BASE_URL = os.environ["DATABASE_URL"]
BENCH_DB = BASE_URL.rsplit("/", 1)[1].split("?")[0] + "_bench_load"
BENCH_URL = BASE_URL.rsplit("/", 1)[0] + "/" + BENCH_DB
SECONDS = float(os.environ.get("BENCH_LOAD_SECONDS", "60"))
COORDINATORS = int(os.environ.get("BENCH_LOAD_COORDINATORS", "14"))
PARTNERS = int(os.environ.get("BENCH_LOAD_PARTNERS", "6"))
QUEUE = "alliance-builder-bench-load"
SEARCH_WORDS = ["Directory", "Berlin", "Universit", "Skills", "VET", "Lab", "zz-nothing", "Org 1"]
HTMX = {"HX-Request": "true"}


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
    coordinators = []
    for index in range(COORDINATORS):
        user = get_user_model().objects.create_user(
            f"coordinator{index}@bench.example", "bench-password-2026"
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
        session[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
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


# --- Clients --------------------------------------------------------------------------------------------


class FormFields(HTMLParser):
    def __init__(self):
        super().__init__()
        self.fields: dict[str, str] = {}
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        name = attrs.get("name")
        if tag == "input" and name and attrs.get("type") not in {"submit", "button", "checkbox", "radio"}:
            self.fields[name] = attrs.get("value") or ""
        elif tag == "textarea" and name:
            self.fields[name] = ""
        elif tag == "select" and name:
            self._select = name
        elif tag == "option" and self._select and (self._select not in self.fields or "selected" in attrs):
            self.fields[self._select] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.latencies = collections.defaultdict(list)
        self.statuses = collections.Counter()
        self.by_action = collections.defaultdict(collections.Counter)
        self.server_errors: list[str] = []
        self.failures: list[str] = []  # connection errors, timeouts

    def call(self, session, action, method, url, **kwargs):
        import requests

        started = time.perf_counter()
        try:
            response = session.request(method, url, timeout=30, **kwargs)
        except requests.RequestException as error:
            with self.lock:
                self.failures.append(f"{action}: {error}")
            return None
        elapsed = (time.perf_counter() - started) * 1000
        with self.lock:
            self.latencies[action].append(elapsed)
            self.statuses[response.status_code // 100 * 100] += 1
            self.by_action[action][response.status_code] += 1
            if response.status_code >= 500:
                self.server_errors.append(f"{action} {method} {url}: {response.status_code}")
        return response


VERSION = re.compile(r'name="version" value="(\d+)"')
ROW = re.compile(r'id="participation-(\d+)"')


class Coordinator(threading.Thread):
    def __init__(self, base, world, directory, recorder, deadline, seed):
        super().__init__(daemon=True)
        import requests

        self.base, self.world, self.recorder, self.deadline = base, world, recorder, deadline
        self.directory = directory
        self.random = random.Random(seed)
        self.session = requests.Session()
        self.session.cookies.set("sessionid", world["session"])
        self.builder = f"{base}/proposals/{world['proposal']}/"
        self.version = None
        self.members = dict(
            world["members"]
        )  # participation id -> organisation id: what the server confirmed
        self.invited: set[int] = set()
        self.anomalies: list[str] = []

    def _version_from(self, response):
        if response is not None:
            match = VERSION.search(response.text)
            if match:
                self.version = match.group(1)

    def _post(self, action, url, data):
        headers = {**HTMX, "X-CSRFToken": self.session.cookies.get("csrftoken", ""), "Referer": self.builder}
        response = self.recorder.call(self.session, action, "POST", url, data=data, headers=headers)
        self._version_from(response)
        return response

    def run(self):
        self._version_from(self.recorder.call(self.session, "builder page", "GET", self.builder))
        actions = ["builder page", "eligibility panel", "search", "directory", "add", "remove", "invite"]
        weights = [20, 10, 15, 10, 18, 12, 15]
        while time.monotonic() < self.deadline:
            action = self.random.choices(actions, weights)[0]
            getattr(self, "do_" + action.replace(" ", "_"))()

    def do_builder_page(self):
        self._version_from(self.recorder.call(self.session, "builder page", "GET", self.builder))

    def do_eligibility_panel(self):
        self.recorder.call(
            self.session, "eligibility panel", "GET", self.builder + "eligibility/", headers=HTMX
        )

    def do_search(self):
        url = self.builder + "participants/search/"
        params = {"q": self.random.choice(SEARCH_WORDS)}
        self.recorder.call(self.session, "search", "GET", url, params=params, headers=HTMX)

    def do_directory(self):
        params = {"q": self.random.choice(SEARCH_WORDS)}
        self.recorder.call(self.session, "directory", "GET", f"{self.base}/organisations/", params=params)

    def do_add(self):
        taken = set(self.members.values())
        organisation = self.random.choice([o for o in self.directory if o not in taken])
        data = {
            "organisation": organisation,
            "role": self.random.choice(["full_partner", "associated_partner"]),
            "affiliated_to": "",
            "contact_name": "Partner Contact",
            "contact_email": f"contact{organisation}@partner.example",
            "version": self.version,
        }
        response = self._post("add", self.builder + "participants/add/", data)
        if response is not None and response.status_code == 200 and "alert-success" in response.text:
            new = set(map(int, ROW.findall(response.text))) - set(self.members)
            if len(new) != 1:
                self.anomalies.append(f"add of organisation {organisation}: {len(new)} new rows")
            for pk in new:
                self.members[pk] = organisation

    def do_remove(self):
        removable = [pk for pk in self.members if pk != self.world["keep"]]
        if not removable:
            return
        pk = self.random.choice(removable)
        response = self._post("remove", f"{self.builder}participants/{pk}/remove/", {"version": self.version})
        if response is not None and response.status_code == 200 and "alert-success" in response.text:
            del self.members[pk]
            self.invited.discard(pk)

    def do_invite(self):
        candidates = [pk for pk in self.members if pk not in self.invited and pk != self.world["keep"]]
        candidates = [pk for pk in candidates if self.members[pk] in set(self.directory)]  # have an email
        if not candidates:
            return self.do_builder_page()
        pk = self.random.choice(candidates)
        response = self._post("invite", f"{self.builder}participants/{pk}/invitation/send/", {})
        if response is not None and response.status_code == 200 and "alert-success" in response.text:
            self.invited.add(pk)
        return None


LINK = re.compile(r"(https?://[^\s]+/invite/[^/\s]+/)")


class Mailbox:
    """The worker's email files; each invitation link is handed to one partner."""

    def __init__(self, directory: Path):
        self.directory = directory
        self.lock = threading.Lock()
        self.seen: set[str] = set()

    def next_link(self) -> str | None:
        with self.lock:
            for path in sorted(self.directory.glob("*.log")):
                if path.name in self.seen:
                    continue
                text = path.read_text(errors="replace").replace("=\n", "").replace("=3D", "=")
                match = LINK.search(text)
                self.seen.add(path.name)
                if match:
                    return match.group(1)
        return None


class Partner(threading.Thread):
    def __init__(self, base, mailbox, recorder, deadline, seed):
        super().__init__(daemon=True)
        self.base, self.mailbox, self.recorder, self.deadline = base, mailbox, recorder, deadline
        self.random = random.Random(seed)
        self.answers: dict[int, str] = {}  # invitation id -> what the partner was told was recorded

    def run(self):
        import requests

        while time.monotonic() < self.deadline:
            link = self.mailbox.next_link()
            if link is None:
                time.sleep(0.2)
                continue
            session = requests.Session()  # a fresh browser per invitation
            page = self.recorder.call(session, "open invite link", "GET", link)
            if page is None or page.status_code != 200 or "/invite/answer/" not in page.url:
                continue
            invitation = int(re.search(r"/invite/answer/(\d+)/", page.url).group(1))
            parser = FormFields()
            parser.feed(page.text)
            data = {**parser.fields, "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}
            answer = "confirmed" if self.random.random() < 0.8 else "declined"
            url = (
                f"{self.base}/invite/answer/{invitation}/{'confirm' if answer == 'confirmed' else 'decline'}/"
            )
            response = self.recorder.call(
                session,
                "confirm" if answer == "confirmed" else "decline",
                "POST",
                url,
                data=data,
                headers={"Referer": page.url},
            )
            if response is not None and response.status_code == 200 and "/done/" in response.url:
                self.answers[invitation] = answer


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


def main():
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
        recorder = Recorder()
        started = time.monotonic()
        deadline = started + SECONDS
        mailbox = Mailbox(email_dir)
        coordinators = [
            Coordinator(base, w, world["directory"], recorder, deadline, seed=i)
            for i, w in enumerate(world["coordinators"])
        ]
        partners = [Partner(base, mailbox, recorder, deadline, seed=100 + i) for i in range(PARTNERS)]
        for thread in coordinators + partners:
            thread.start()
        for thread in coordinators + partners:
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
    errors = len(recorder.server_errors) + len(recorder.failures)
    stale = figures["reports_not_matching_fresh_evaluation"]
    nothing_lost = not figures["lost"] and not figures["unexpected"] and drained
    result = {
        "benchmark": "mixed-load",
        "server": "gunicorn 2 workers (gthread, 4 threads, no control socket), Celery worker (solo), "
        "PostgreSQL, Redis",
        "seconds": round(elapsed, 1),
        "clients": {"coordinators": COORDINATORS, "partners": PARTNERS},
        "requests": requests_total,
        "throughput_rps": round(requests_total / elapsed, 1),
        "statuses": {str(k): v for k, v in sorted(recorder.statuses.items())},
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
        },
    }
    result["budgets_hold"] = all(budget["holds"] for budget in result["budgets"].values())
    print(json.dumps(result, indent=2))


if __name__ == "__main__":
    main()
