"""What the benchmarks that run servers share: a throw-away database, a signed-in browser's cookies, a free
port, gunicorn started and waited for, and processes stopped. (Not a benchmark: `make bench` runs only the
scripts with a __main__.)"""

import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def recreate_database(database_url: str, name: str, *, create: bool = True) -> None:
    """Drop the database `name` on the server of `database_url`, and create it empty unless told not to."""
    import psycopg2

    connection = psycopg2.connect(database_url.rsplit("/", 1)[0] + "/postgres")
    connection.autocommit = True
    with connection.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        if create:
            cursor.execute(f'CREATE DATABASE "{name}"')
    connection.close()


def throw_away_database(database_url: str, suffix: str) -> tuple[str, str]:
    """The name and URL of a benchmark's own database beside the one `database_url` names:
    `<name>_bench_<suffix>`, on the same server."""
    server, name = database_url.rsplit("/", 1)
    bench_name = f"{name.split('?')[0]}_bench_{suffix}"
    return bench_name, f"{server}/{bench_name}"


def signed_in_cookies(user) -> str:
    """The Cookie header of a browser signed in as `user` (Django set up): the session, and the CSRF cookie
    that the first page a browser visits sets (without it every request would mint a new CSRF secret)."""
    from importlib import import_module

    from django.conf import settings
    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.middleware.csrf import CSRF_ALLOWED_CHARS, CSRF_SECRET_LENGTH
    from django.utils.crypto import get_random_string

    session = import_module(settings.SESSION_ENGINE).SessionStore()
    session[SESSION_KEY] = str(user.pk)
    session[BACKEND_SESSION_KEY] = settings.AUTHENTICATION_BACKENDS[-1]  # the model backend (axes' first)
    session[HASH_SESSION_KEY] = user.get_session_auth_hash()
    session.create()
    cookies = {
        settings.SESSION_COOKIE_NAME: session.session_key,
        settings.CSRF_COOKIE_NAME: get_random_string(CSRF_SECRET_LENGTH, CSRF_ALLOWED_CHARS),
    }
    return "; ".join(f"{name}={value}" for name, value in cookies.items())


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, port: int, log, *, options: list[str], ready_path: str) -> subprocess.Popen:
    """gunicorn with 2 workers and no control socket (plus `options`), its output into the binary file `log`;
    returned once `ready_path` answers."""
    command = [
        str(Path(sys.executable).with_name("gunicorn")),
        "config.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        "2",
        "--no-control-socket",
        "--log-level",
        "warning",
        *options,
    ]
    process = subprocess.Popen(command, cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}{ready_path}", timeout=2).read()
            return process
        except OSError:
            if process.poll() is not None:
                break
            time.sleep(0.2)
    stop(process)
    raise SystemExit(f"gunicorn did not start (its output: {log.name})")


def stop(process: subprocess.Popen, timeout: float = 15) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)
