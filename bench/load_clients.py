"""The simulated clients of bench/load.py (not a benchmark of its own): coordinators, partners, a light
client of the bare view, and the recorder of every request's latency and status."""

import collections
import random
import re
import threading
import time
from pathlib import Path

from tests.html_forms import fields_of

SEARCH_WORDS = ["Directory", "Berlin", "Universit", "Skills", "VET", "Lab", "zz-nothing", "Org 1"]
HTMX = {"HX-Request": "true"}
BARE_VIEW = "/bench/bare/"
BARE_PAUSE_SECONDS = 0.1


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
            data = {**fields_of(page.text), "csrfmiddlewaretoken": session.cookies.get("csrftoken", "")}
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


class BareViewClient(threading.Thread):
    """The bare view (no database, no template) under the same gunicorn, in the same run: what any request
    waits for there (a free thread, the CPU), so each action's p95 can be read as a multiple of it. It pauses
    between requests so that it measures the load rather than adding to it."""

    def __init__(self, base, recorder, deadline):
        super().__init__(daemon=True)
        import requests

        self.url, self.recorder, self.deadline = base + BARE_VIEW, recorder, deadline
        self.session = requests.Session()

    def run(self):
        while time.monotonic() < self.deadline:
            self.recorder.call(self.session, "bare view", "GET", self.url)
            time.sleep(BARE_PAUSE_SECONDS)
