"""Fixtures for the fault tests: a private Redis server that a test may kill and bring back, a small ECHE
API whose first answer hangs until the test says so, and gunicorn on the test database."""

import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import quote, unquote

import pytest

ROOT = Path(__file__).resolve().parents[2]

TUB = {
    "erasmusCode": "D  BERLIN02",
    "pic": "999986678",
    "oid": "E10209450",
    "legalName": "Technische Universität Berlin",
    "echeStartDate": "2021-01-01",
    "echeEndDate": "2099-12-31",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def database_url(settings_dict, **query) -> str:
    user = quote(settings_dict.get("USER") or "", safe="")
    password = quote(settings_dict.get("PASSWORD") or "", safe="")
    credentials = f"{user}:{password}@" if password else (f"{user}@" if user else "")
    host = settings_dict.get("HOST") or "127.0.0.1"
    port = settings_dict.get("PORT") or "5432"
    suffix = "?" + "&".join(f"{key}={value}" for key, value in query.items()) if query else ""
    return f"postgres://{credentials}{host}:{port}/{settings_dict['NAME']}{suffix}"


class PrivateRedis:
    """`redis-server` on a free port of its own (never the machine's shared 6379), without persistence."""

    def __init__(self, directory: Path):
        self.port = free_port()
        self.directory = directory
        self.process: subprocess.Popen | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self):
        binary = shutil.which("redis-server")
        if binary is None:
            pytest.fail("redis-server is not installed: the Redis fault test starts a private one")
        self.process = subprocess.Popen(
            [binary, "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            cwd=self.directory,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        import redis

        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(redis.exceptions.ConnectionError):
                if redis.Redis(port=self.port, socket_connect_timeout=0.5).ping():
                    return self
            time.sleep(0.05)
        pytest.fail(f"the private redis-server on port {self.port} did not start")

    def pause(self):
        """SIGSTOP: connections stay open but nothing is answered, as when Redis stalls."""
        self.process.send_signal(signal.SIGSTOP)

    def resume(self):
        self.process.send_signal(signal.SIGCONT)

    def kill(self):
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGKILL)
            self.process.wait(timeout=10)

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None


@pytest.fixture
def private_redis(tmp_path):
    server = PrivateRedis(tmp_path).start()
    yield server
    server.kill()


@pytest.fixture
def caches_on_private_redis(private_redis, settings):
    """Every cache alias, configured as the settings configure it for Redis, on the private Redis (db 1)."""
    if not settings.CACHES["default"]["BACKEND"].startswith("django_redis"):
        pytest.fail("the Redis fault tests need REDIS_CACHE_URL (make test sets it)")
    settings.CACHES = {
        alias: {**config, "LOCATION": private_redis.url(1)} for alias, config in settings.CACHES.items()
    }
    return private_redis


class HangingEcheApi:
    """Answers like the ECHE List API; while `hold` is set, a request waits until it is cleared."""

    def __init__(self):
        self.requests: list[str] = []
        self.hold = threading.Event()
        self.released = threading.Event()

    def release(self):
        self.hold.clear()
        self.released.set()


@pytest.fixture
def hanging_eche_api(settings):
    state = HangingEcheApi()

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self):
            state.requests.append(self.path)
            if state.hold.is_set():
                state.released.wait(timeout=60)
            parts = [unquote(part) for part in self.path.strip("/").split("/")]
            found = [TUB] if parts[-2:] == ["erasmusCode", TUB["erasmusCode"]] else []
            body = json.dumps(found).encode()
            with contextlib.suppress(OSError):  # the worker that asked may be dead by now
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, daemon=True).start()
    settings.ECHE_SOURCE = "http"  # the worker fixture hands both to the worker process
    settings.ECHE_API_URL = f"http://127.0.0.1:{server.server_port}/api"
    yield state
    state.release()
    server.shutdown()
    server.server_close()


class Gunicorn:
    def __init__(self, env: dict, port: int, log: Path, extra_args=()):
        self.port = port
        self.base = f"http://127.0.0.1:{port}"
        self.log = log
        self._log_file = open(log, "wb")  # noqa: SIM115 - closed by stop()
        self.process = subprocess.Popen(
            [
                str(Path(sys.executable).with_name("gunicorn")),
                "config.wsgi:application",
                "--bind",
                f"127.0.0.1:{port}",
                "--workers",
                "1",
                "--no-control-socket",
                "--log-level",
                "warning",
                *extra_args,
            ],
            cwd=ROOT,
            env=env,
            stdout=self._log_file,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        import requests

        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                pytest.fail("gunicorn exited at start:\n" + log.read_text(errors="replace"))
            with contextlib.suppress(requests.RequestException):
                requests.get(self.base + "/accounts/login/", timeout=2)
                return
            time.sleep(0.2)
        self.stop()
        pytest.fail("gunicorn did not start in 30 s:\n" + log.read_text(errors="replace"))

    def stop(self):
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)
        self._log_file.close()


@pytest.fixture
def gunicorn_server(transactional_db, tmp_path):
    """gunicorn (one sync worker, persistent database connections) on the test database."""
    server = start_gunicorn(tmp_path)
    yield server
    server.stop()


def start_gunicorn(tmp_path, extra_args=()) -> Gunicorn:
    from django.db import connection

    if connection.vendor != "postgresql":
        pytest.fail("the database fault test needs PostgreSQL (make test)")
    application_name = f"ab_fault_{os.getpid()}"
    env = {
        **os.environ,
        "DATABASE_URL": database_url(connection.settings_dict, application_name=application_name),
        "CONN_MAX_AGE": "600",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "LOG_LEVEL": "WARNING",
    }
    server = Gunicorn(env, free_port(), tmp_path / "gunicorn.log", extra_args)
    server.application_name = application_name
    return server
