"""Settings for bench/pages.py: the project's settings, plus a bare view to compare the builder with."""

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.pages_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
