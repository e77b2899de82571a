"""Settings for Alliance Builder, read from the environment.

Development defaults need nothing: SQLite, tasks run in-process, email printed to the console.
`DJANGO_ENV=production` switches on the production safeguards (and demands a real SECRET_KEY).
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from xstatic.pkg import bootstrap as xstatic_bootstrap

BASE_DIR = Path(__file__).resolve().parent.parent


def env(name: str, default: str | None = None) -> str | None:
    value = os.environ.get(name)
    return default if value in (None, "") else value


def env_bool(name: str, default: bool) -> bool:
    value = env(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_int(name: str, default: int) -> int:
    value = env(name)
    return default if value is None else int(value)


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in (env(name, default) or "").split(",") if item.strip()]


DJANGO_ENV = env("DJANGO_ENV", "development")
PRODUCTION = DJANGO_ENV == "production"

DEBUG = env_bool("DEBUG", not PRODUCTION)
SECRET_KEY = env("SECRET_KEY")
if not SECRET_KEY:
    if PRODUCTION:
        raise ImproperlyConfigured("SECRET_KEY must be set when DJANGO_ENV=production.")
    SECRET_KEY = "django-insecure-development-only-key-never-use-in-production-0123456789"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "" if PRODUCTION else "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")

INSTALLED_APPS = [
    "config.admin.AdminSiteConfig",  # django.contrib.admin, with the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.postgres",  # trigram lookups for the directory search (PostgreSQL only)
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "django_htmx",
    "csp",
    "axes",
    "accounts",
    "partners",
    "alliances",
    "eligibility",
    "invitations",
]

MIDDLEWARE = [
    "config.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "config.middleware.never_cache_signed_in",
    "config.middleware.refuse_too_big_requests",
    "config.middleware.explain_refused_methods",
    "config.middleware.BusyDatabase",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "csp.middleware.CSPMiddleware",
    # Last, as django-axes asks: it turns a refused sign-in (too many failures) into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "csp.context_processors.nonce",
            ],
        },
    },
]

DATABASES = {
    "default": dj_database_url.parse(
        env("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        # Persistent connections: database views are about ten times faster under load.
        conn_max_age=env_int("CONN_MAX_AGE", 60),
        conn_health_checks=True,
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # `make run`'s SQLite is written by requests and by in-process tasks (an ECHE re-check after an import)
    # at once. A transaction takes the write lock as it begins (a deferred one that has read first fails at
    # once with "database is locked" when it comes to write: SQLite cannot wait there), waits up to 20 s for
    # it, and readers never wait for writers (write-ahead log).
    DATABASES["default"]["OPTIONS"] = {
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
        "init_command": "PRAGMA journal_mode=WAL;",
    }
elif DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql" and (
    LOCK_TIMEOUT_MS := env_int("DB_LOCK_TIMEOUT_MS", 20000)
):
    # A row another transaction holds (a long import, a session left open) is waited for this long at most,
    # by every process (web, worker, commands): a web request is then refused with a message
    # (config.middleware.BusyDatabase), well before gunicorn ends the worker at 30 s (a click waited 31 s,
    # then said "the server could not be reached"); a task fails and is retried or swept. (0: not set here,
    # for a pooler such as PgBouncer that refuses the `options` start-up parameter.) Added to any options
    # the DATABASE_URL gives.
    _options = DATABASES["default"].setdefault("OPTIONS", {})
    _options["options"] = f"{_options.get('options', '')} -c lock_timeout={LOCK_TIMEOUT_MS}".strip()
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_USER_MODEL = "accounts.User"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# Sign-in attempts are limited (django-axes): after AXES_FAILURE_LIMIT failures for one address and one
# username, that pair is refused for AXES_COOLOFF_MINUTES. Attempts are kept in the database (visible in the
# admin), so every web process sees them.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15))
AXES_LOCKOUT_PARAMETERS = [["ip_address", "username"]]
AXES_USERNAME_FORM_FIELD = "username"  # the sign-in form's field (it holds the email address)
AXES_USERNAME_CALLABLE = "accounts.views.axes_username"  # cut to what its table holds
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"  # a page in the product's layout, status 429
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
AXES_VERBOSE = False
# The client's address (the sign-in lockout's and the invite-link rate limit's key): REMOTE_ADDR, or behind
# TRUSTED_PROXY_COUNT reverse proxies the address the outermost one saw (config/client_address.py).
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)
AXES_CLIENT_IP_CALLABLE = "config.client_address.client_address"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
FORMAT_MODULE_PATH = ["config.formats"]
USE_I18N = True
USE_TZ = True
# "Today" for charter validity is the local date of this time zone.
TIME_ZONE = env("TIME_ZONE", "Europe/Brussels")

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [
    BASE_DIR / "static",
    ("bootstrap", xstatic_bootstrap.BASE_DIR),
]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "whitenoise.storage.CompressedManifestStaticFilesStorage"
            if env_bool("STATIC_MANIFEST", PRODUCTION)
            else "django.contrib.staticfiles.storage.StaticFilesStorage"
        )
    },
}
MEDIA_ROOT = BASE_DIR / "media"
MEDIA_URL = "media/"

# Django 6 behaviour now: a website typed without a scheme means https.
FORMS_URLFIELD_ASSUME_HTTPS = True

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# django-countries knows no Kosovo: XK is the user-assigned code the Commission uses.
COUNTRIES_OVERRIDE = {"XK": _("Kosovo")}
COUNTRIES_FIRST_REPEAT = False

# Cache: Redis when configured (shared by every web process: the invite-link rate limit needs that), else
# local memory. Sessions are not in the cache: they live in the database.
REDIS_CACHE_URL = env("REDIS_CACHE_URL")
if REDIS_CACHE_URL:
    _redis_cache = {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_CACHE_URL,
        # A stalled Redis costs each cache call at most about a second, never a hung worker.
        "OPTIONS": {"SOCKET_CONNECT_TIMEOUT": 0.5, "SOCKET_TIMEOUT": 1},
    }
    CACHES = {
        # Errors reach the caller: the invite-link rate limit decides what an outage means (it fails open).
        "default": _redis_cache,
        # What only saves time (the builder's rendered fragments, the directory search's filter lists): Redis
        # down is a miss and a skipped write (logged), never an error.
        "fragments": {**_redis_cache, "OPTIONS": {**_redis_cache["OPTIONS"], "IGNORE_EXCEPTIONS": True}},
    }
    DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "fragments": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "fragments"},
    }

# Celery: without a broker, tasks run in-process (the `make run` default).
CELERY_BROKER_URL = env("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_BROKER_URL = CELERY_BROKER_URL or "memory://"
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_BROKER_TRANSPORT_OPTIONS = {
    # A task whose worker died is redelivered after this many seconds.
    "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 3600),
    # Publishing fails fast when the broker is down, so a save never hangs on it; and when it stalls (it
    # accepts connections, or holds one, and answers nothing): without socket timeouts a publish waited
    # forever, until gunicorn killed the worker, a 500 for a change already committed.
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
    "socket_timeout": 1,
    "socket_connect_timeout": 1,
}
# A publish that timed out is tried once more, at once (Celery's default, three more over 0.6 s, took 4.6 s in
# all against a stalled broker).
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_TASK_DEFAULT_QUEUE = "alliance-builder"
# The worker logs through LOGGING below (one line per task, JSON in production), not through Celery's own
# set-up of the root logger, which replaced the formatter and the task line's fields.
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULE: dict = {
    # Charters expire: every HEI is re-checked each night (and after each import).
    "eche-recheck-nightly": {
        "task": "partners.tasks.recheck_all_eche",
        "schedule": crontab(hour=3, minute=17),
    },
    # No stale verdict: every proposal is evaluated again (whatever an evaluation may have missed).
    "eligibility-safety-net": {
        "task": "eligibility.tasks.reevaluate_all_reports",
        "schedule": crontab(hour=3, minute=47),
    },
    # No lost checks: what was asked for while the broker or worker was down is queued again.
    "eche-sweep-pending": {
        "task": "partners.tasks.sweep_pending_eche",
        "schedule": env_int("ECHE_SWEEP_EVERY_SECONDS", 300),
    },
    # The directory's words, where the search looks up what a misspelt word was meant to be (also after
    # each ECHE import): a record added since is found as typed, and its misspellings more slowly.
    "directory-search-words": {
        "task": "partners.tasks.refresh_search_words",
        "schedule": env_int("SEARCH_WORDS_EVERY_SECONDS", 900),
    },
}
CELERY_BEAT_SCHEDULE |= {
    # Invitations: a reminder three days before expiry, expired links marked, lost sends queued again.
    "invitations-remind": {"task": "invitations.tasks.send_reminders", "schedule": crontab(minute=7)},
    "invitations-sweep": {
        "task": "invitations.tasks.sweep_invitations",
        "schedule": env_int("INVITATION_SWEEP_EVERY_SECONDS", 600),
    },
}
CELERY_TIMEZONE = TIME_ZONE

# Invitations: links expire after this many days; a reminder goes out this many days before; failed token
# look-ups per client address are limited to this rate ("N/s", "N/m", "N/h" or "N/d").
INVITATION_TTL_DAYS = env_int("INVITATION_TTL_DAYS", 14)
INVITATION_REMINDER_DAYS = env_int("INVITATION_REMINDER_DAYS", 3)
INVITATION_LOOKUP_RATE = env("INVITATION_LOOKUP_RATE", "10/m")
# Invitation emails (sends and re-sends; reminders are exempt) per recipient from one account, per recipient
# from all accounts, per proposal, and per account in 24 hours, counted in the database.
INVITATION_SENDS_PER_RECIPIENT_PER_DAY = env_int("INVITATION_SENDS_PER_RECIPIENT_PER_DAY", 5)  # per account
INVITATION_SENDS_PER_RECIPIENT_ALL_SENDERS_PER_DAY = env_int(
    "INVITATION_SENDS_PER_RECIPIENT_ALL_SENDERS_PER_DAY", 20
)
INVITATION_SENDS_PER_PROPOSAL_PER_DAY = env_int("INVITATION_SENDS_PER_PROPOSAL_PER_DAY", 50)
INVITATION_SENDS_PER_ACCOUNT_PER_DAY = env_int("INVITATION_SENDS_PER_ACCOUNT_PER_DAY", 100)
# Corrections of shared directory records one account may ask for in 24 hours (curators review each).
CHANGE_REQUESTS_PER_ACCOUNT_PER_DAY = env_int("CHANGE_REQUESTS_PER_ACCOUNT_PER_DAY", 30)

# An open builder page asks this often whether others changed its proposal (a partner's answer, a co-editor's
# save), and refreshes if they did.
BUILDER_POLL_SECONDS = env_int("BUILDER_POLL_SECONDS", 15)

# The address links in emails start with (emails are sent by workers, which know no request).
SITE_URL = env("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

# ECHE checking: "registry" (the imported list) or "http" (a service shaped like the public ECHE List API).
ECHE_SOURCE = env("ECHE_SOURCE", "registry")
if ECHE_SOURCE not in {"registry", "http"}:
    raise ImproperlyConfigured('ECHE_SOURCE must be "registry" or "http".')
ECHE_API_URL = env("ECHE_API_URL", "")
ECHE_HTTP_TIMEOUT = float(env("ECHE_HTTP_TIMEOUT", "10"))  # seconds, per request
ECHE_HTTP_RETRIES = env_int("ECHE_HTTP_RETRIES", 2)  # quick retries inside one check
# Task retries before the status becomes `error`.
ECHE_CHECK_MAX_RETRIES = env_int("ECHE_CHECK_MAX_RETRIES", 5)
ECHE_RETRY_BACKOFF_SECONDS = float(env("ECHE_RETRY_BACKOFF_SECONDS", "2"))
ECHE_RETRY_BACKOFF_MAX_SECONDS = float(env("ECHE_RETRY_BACKOFF_MAX_SECONDS", "600"))
# A check asked for this long ago without an answer is re-queued by the sweep.
ECHE_PENDING_GRACE_SECONDS = env_int("ECHE_PENDING_GRACE_SECONDS", 180)

# Email: printed to the console in development; SMTP from the environment in production.
EMAIL_BACKEND = env(
    "EMAIL_BACKEND",
    "django.core.mail.backends.smtp.EmailBackend"
    if PRODUCTION
    else "django.core.mail.backends.console.EmailBackend",
)
EMAIL_HOST = env("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", "Alliance Builder <no-reply@alliance-builder.invalid>")

# Content Security Policy: every script and style is served by the application itself.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
        "base-uri": ["'self'"],
        "object-src": ["'none'"],
    }
}

SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
# Sessions in the database only: signing out deletes the row, whatever state Redis is in.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
if PRODUCTION:
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    # The container's health check asks over plain HTTP from inside (docker-compose.yml): not redirected.
    SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True

# One JSON line per request and per task (config/observability.py); LOG_FORMAT=plain for human eyes.
LOG_FORMAT = env("LOG_FORMAT", "json" if PRODUCTION else "plain")
LOG_LEVEL = env("LOG_LEVEL", "INFO")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "plain": {"()": "config.observability.PlainFormatter"},
        "json": {
            "()": "pythonjsonlogger.json.JsonFormatter",
            "fmt": ["asctime", "levelname", "name", "message"],
            "datefmt": "%Y-%m-%dT%H:%M:%S%z",
            "rename_fields": {
                "asctime": "time",
                "levelname": "level",
                "name": "logger",
                "exc_info": "exception",
            },
            "reserved_attrs": "ext://config.observability.NOT_FIELDS",
        },
    },
    "filters": {"route_not_path": {"()": "config.observability.RouteNotPath"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["route_not_path"]}
    },
    "root": {"handlers": ["console"], "level": LOG_LEVEL},
    "loggers": {
        # Django's loggers through the handler above alone (Django's default one prints paths as they are).
        "django": {"level": LOG_LEVEL},
        "django.db.backends": {"level": "WARNING"},
        # Its DEBUG lines print a template's context: an invitation email's holds the link and its token.
        "django.template": {"level": "INFO"},
        # The request log above replaces runserver's, which prints request lines (and so invitation tokens).
        "django.server": {"level": "CRITICAL"},
        # Tasks in-process (no broker): the in-memory transport has no host, and kombu warns so on each task.
        **({"kombu.connection": {"level": "ERROR"}} if CELERY_TASK_ALWAYS_EAGER else {}),
    },
}

# Demo sign-in that `make run` prints (seed_demo creates it).
DEMO_USER_EMAIL = env("DEMO_USER_EMAIL", "demo@alliance-builder.test")
# The README's password: seed_demo refuses it in production (and runs there only with --production).
DEMO_USER_PASSWORD_PUBLISHED = "erasmus-demo-2026"
DEMO_USER_PASSWORD = env("DEMO_USER_PASSWORD", DEMO_USER_PASSWORD_PUBLISHED)
