import contextlib
import os

import pytest

# Playwright's sync API runs an event loop in the test thread; the ORM must still be usable there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-quic",
]


def pytest_configure(config):
    from django.conf import settings

    # Hashing with the production hasher costs ~0.3 s a user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    if marker is not None and marker.kwargs.get("transaction"):
        return True
    return any(name in request.fixturenames for name in ("transactional_db", "live_server"))


@pytest.fixture(autouse=True)
def reference_data_after_flush(request):
    """Transactional tests start from a flushed database: give them the reference data `migrate` gives.

    Not Django's serialized rollback: it restores the rows as they were, content types included, so after
    any transactional test without it (whose flush lets `post_migrate` create the content types again, under
    new ids) it fails on a duplicate; and once Playwright's event loop runs, the connection a test sees no
    longer carries the serialized data. One way for every transactional test, this one.
    """
    if not _is_transactional(request):
        return
    request.getfixturevalue("transactional_db")
    from importlib import import_module

    from django.apps import apps

    from eligibility.models import Edition
    from partners.models import Country

    if not Country.objects.exists():
        import_module("partners.migrations.0002_reference_data").load(apps, None)
    if not Edition.objects.exists():
        import_module("eligibility.migrations.0002_editions").load(apps, None)


@pytest.fixture(autouse=True)
def celery_eager():
    """Tasks run in-process unless a test asks for the real worker (the `celery_worker_process` fixture)."""
    from config.celery import app

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield app
    app.conf.task_always_eager = previous


@pytest.fixture(autouse=True)
def search_filter_lists_uncached():
    """The directory search's filter lists are cached for a minute: each test reads its own data's."""
    from django.core.cache import caches

    from partners.forms import FILTER_LISTS_CACHE, FILTER_LISTS_KEY

    caches[FILTER_LISTS_CACHE].delete(FILTER_LISTS_KEY)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM, "args": CHROMIUM_ARGS, "headless": True}


@pytest.fixture(scope="session")
def artifacts_dir():
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent / "test-artifacts"
    path.mkdir(exist_ok=True)
    return path


def _database_url(settings_dict) -> str:
    from urllib.parse import quote

    if "postgresql" not in settings_dict["ENGINE"]:
        pytest.fail(
            "celery_worker_process needs PostgreSQL (the worker is another process and must see the test "
            f"database); DATABASE_URL points at {settings_dict['ENGINE']}. Run the suite with `make test`."
        )
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}"


def _require_redis(broker_url: str) -> None:
    if not broker_url.startswith(("redis://", "rediss://")):
        pytest.fail(
            "celery_worker_process needs a Redis broker: set CELERY_BROKER_URL (make test uses "
            f"redis://127.0.0.1:6379/14); it is {broker_url!r}."
        )
    import redis

    try:
        redis.Redis.from_url(broker_url, socket_connect_timeout=2).ping()
    except Exception as error:
        pytest.fail(f"Redis at {broker_url} is not reachable ({error}): the worker tests need it.")


@pytest.fixture
def manage_py_env():
    """The environment of a `manage.py` run in another process: this test's database, and quiet logs."""
    from django.db import connection

    return {**os.environ, "DATABASE_URL": _database_url(connection.settings_dict), "LOG_LEVEL": "ERROR"}


@pytest.fixture
def celery_worker_process(transactional_db, celery_eager, tmp_path):
    """A real Celery worker PROCESS on the test database and the test broker, for this test.

    Derives its environment from the running settings (the test database's name, the broker URL), so it works
    under `make test` and under any DATABASE_URL / CELERY_BROKER_URL. Fails loudly (never skips) without
    PostgreSQL or Redis. Needs committed rows: use it with `@pytest.mark.django_db(transaction=True)`.
    Yields an object with `.process` (a `subprocess.Popen`; fault tests may SIGKILL it), `.hostname`,
    `.log` (the worker's output file) and `.restart()`.
    """
    import signal
    import subprocess
    import sys
    import time
    from pathlib import Path

    from django.conf import settings
    from django.db import connection

    app = celery_eager
    broker_url = app.conf.broker_url
    _require_redis(broker_url)
    root = Path(__file__).resolve().parent.parent
    queue = app.conf.task_default_queue
    env = {
        **os.environ,
        "DATABASE_URL": _database_url(connection.settings_dict),
        "CELERY_BROKER_URL": broker_url,
        "CONN_MAX_AGE": "0",  # the test database is truncated between tests: hold no connection open
        "PYTHONUNBUFFERED": "1",
        "DJANGO_SETTINGS_MODULE": os.environ.get("DJANGO_SETTINGS_MODULE", "config.settings"),
    }
    for name in ("ECHE_SOURCE", "ECHE_API_URL", "TIME_ZONE"):
        value = getattr(settings, name, None)
        if value:
            env[name] = str(value)
    celery_bin = Path(sys.executable).with_name("celery")

    # Stale messages from an earlier run would reference rows that no longer exist: start from an empty queue.
    with app.connection_for_write() as conn, contextlib.suppress(Exception):
        conn.default_channel.queue_purge(queue)

    class Worker:
        process: subprocess.Popen
        hostname: str
        log: Path

        def start(self):
            self.hostname = f"test-{os.getpid()}-{time.monotonic_ns()}@localhost"
            self.log = tmp_path / f"worker-{time.monotonic_ns()}.log"
            self._log_file = open(self.log, "wb")  # noqa: SIM115 - closed by stop()
            self.process = subprocess.Popen(
                [
                    str(celery_bin),
                    "-A",
                    "config",
                    "worker",
                    "--pool=solo",
                    "--concurrency=1",
                    "--without-gossip",
                    "--without-mingle",
                    "--loglevel=INFO",
                    "-Q",
                    queue,
                    "-n",
                    self.hostname,
                ],
                cwd=root,
                env=env,
                stdout=self._log_file,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
            deadline = time.monotonic() + 30
            while time.monotonic() < deadline:
                if self.process.poll() is not None:
                    pytest.fail(f"The Celery worker exited at start:\n{self.log.read_text(errors='replace')}")
                if b"ready." in self.log.read_bytes():
                    return self
                time.sleep(0.1)
            self.stop()
            pytest.fail(
                f"The Celery worker did not get ready in 30 s:\n{self.log.read_text(errors='replace')}"
            )

        def stop(self):
            if self.process.poll() is None:
                self.process.send_signal(signal.SIGTERM)
                try:
                    self.process.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self.process.kill()
                    self.process.wait(timeout=5)
            self._log_file.close()

        def restart(self):
            self.stop()
            return self.start()

    previous = app.conf.task_always_eager
    app.conf.task_always_eager = False
    worker = Worker().start()
    try:
        yield worker
    finally:
        app.conf.task_always_eager = previous
        worker.stop()


@pytest.fixture
def wait_for():
    """Poll `condition()` until it is truthy (returning its value) or fail after `timeout` seconds."""
    import time

    def wait(condition, *, timeout=20.0, interval=0.1, message="condition"):
        deadline = time.monotonic() + timeout
        while True:
            value = condition()
            if value:
                return value
            if time.monotonic() > deadline:
                pytest.fail(f"Timed out after {timeout} s waiting for {message}")
            time.sleep(interval)

    return wait


@pytest.fixture
def switch_broker(celery_eager):
    """`switch_broker(url)` points task publishing at another broker (a closed port = the broker is down);
    the original broker is restored after the test. Publishing is real (not eager) while switched."""
    app = celery_eager
    # broker_write_url: broker_url itself cannot be overridden while CELERY_BROKER_URL is in the environment.
    original_url = app.conf.get("broker_write_url")
    original_eager = app.conf.task_always_eager

    def reset_pools():
        from kombu import pools

        pools.reset()  # closes and forgets every pooled connection, so the next publish connects afresh
        app._pool = None
        with contextlib.suppress(AttributeError, KeyError):
            app.__dict__["amqp"]._producer_pool = None

    def switch(url: str | None = None, *, eager: bool = False):
        reset_pools()
        app.conf.broker_write_url = url or original_url
        app.conf.task_always_eager = eager

    yield switch
    reset_pools()
    app.conf.broker_write_url = original_url
    app.conf.task_always_eager = original_eager
