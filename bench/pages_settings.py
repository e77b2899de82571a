"""Settings for bench/pages.py: the project's settings, plus a bare view to compare the builder with.

BENCH_NOTHING_CACHED=1 makes every cache alias a DummyCache, for the builder's "nothing cached" rounds. The
builder's rendered fragments live in `caches["fragments"]`; every alias goes dummy so that "nothing cached"
holds whichever alias a version of the code renders into (before issue #11, whole pages were in "default").
Sessions and the CSRF secret are in the database and the cookie, so a signed-in browser stays signed in.
"""

import os

from config.settings import *  # noqa: F403

ROOT_URLCONF = "bench.pages_urls"
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
if os.environ.get("BENCH_NOTHING_CACHED"):
    CACHES = {alias: {"BACKEND": "django.core.cache.backends.dummy.DummyCache"} for alias in CACHES}  # noqa: F405
