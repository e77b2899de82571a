"""`make run PORT=8100` serves on 8100, and the links it emails (SITE_URL) point there too, unless SITE_URL
is set."""

import os
import shlex
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PRINT_SITE_URL = "shell -c 'from django.conf import settings; print(settings.SITE_URL)'"


def site_url_of_make_run(**env) -> str:
    """Run `make run`'s serving line as make would, with the server swapped for printing SITE_URL."""
    environment = {key: value for key, value in os.environ.items() if key != "SITE_URL"} | env
    dry_run = subprocess.run(
        ["make", "-n", "run", "PORT=8100"], cwd=ROOT, capture_output=True, text=True, env=environment
    )
    serve = next(line for line in dry_run.stdout.splitlines() if "runserver" in line)
    command = serve.replace(serve[serve.index("runserver") :], PRINT_SITE_URL)
    command = command.replace(".venv/bin/python", shlex.quote(sys.executable))
    printed = subprocess.run(
        ["bash", "-c", command], cwd=ROOT, capture_output=True, text=True, env=environment, check=True
    )
    return printed.stdout.strip().splitlines()[-1]


@pytest.mark.parametrize(
    ("env", "expected"),
    [
        ({}, "http://127.0.0.1:8100"),
        ({"SITE_URL": "https://alliance.example.org"}, "https://alliance.example.org"),
    ],
    ids=["follows-the-port", "an-explicit-site-url-wins"],
)
def test_site_url_follows_the_served_port(env, expected):
    assert site_url_of_make_run(**env) == expected
