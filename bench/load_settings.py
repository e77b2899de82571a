"""Settings for bench/load.py: the project's settings, quiet, on a queue and cache prefix of their own
(so a test run on the same Redis never sees the benchmark's tasks), emails written to files for the
simulated partners to open, and the bare view of bench/pages_urls.py to compare every action with."""

import os

from config.settings import *  # noqa: F403

DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
LOGGING = {"version": 1, "disable_existing_loggers": False, "root": {"level": "WARNING"}}
CELERY_TASK_DEFAULT_QUEUE = "alliance-builder-bench-load"
ROOT_URLCONF = "bench.pages_urls"
for _alias in CACHES.values():  # noqa: F405
    _alias["KEY_PREFIX"] = "bench-load"
if os.environ.get("BENCH_EMAIL_DIR"):
    EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
    EMAIL_FILE_PATH = os.environ["BENCH_EMAIL_DIR"]
# The simulated coordinators send far more invitations than a person would: the limits are not measured here.
INVITATION_SENDS_PER_RECIPIENT_PER_DAY = 1_000_000
INVITATION_SENDS_PER_RECIPIENT_ALL_SENDERS_PER_DAY = 1_000_000
INVITATION_SENDS_PER_PROPOSAL_PER_DAY = 1_000_000
INVITATION_SENDS_PER_ACCOUNT_PER_DAY = 1_000_000
