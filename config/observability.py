"""Structured logs: one line per request and per Celery task, with ids and durations.

The fields are a record's extra attributes (`logger.info("request", extra={"route": ...})`): the JSON
formatter (python-json-logger, see LOGGING in settings) writes them as keys, the plain one at the line's end.
Requests are logged by their URL pattern (`invite/<str:token>/`), never their path, so no token or other
secret from a URL reaches a log line.
"""

import logging
import re
import time
import uuid
from urllib.parse import urlsplit, urlunsplit

from celery.signals import task_postrun, task_prerun
from pythonjsonlogger.core import RESERVED_ATTRS

request_logger = logging.getLogger("alliance_builder.request")
task_logger = logging.getLogger("alliance_builder.task")

# What a record carries that is not a field to show: logging's own attributes, and Django's request object
# (django.request adds it; its repr holds the path).
NOT_FIELDS = frozenset([*RESERVED_ATTRS, "taskName", "request"])


def route_of(request) -> str:
    match = getattr(request, "resolver_match", None)
    return match.route if match else "(unresolved)"


class PlainFormatter(logging.Formatter):
    """A log record as one readable line, its fields (if any) at the end."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        line = super().format(record)
        fields = {key: value for key, value in vars(record).items() if key not in NOT_FIELDS}
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return line


class RouteNotPath(logging.Filter):
    """Django's own lines about a request name its path ("Not Found: /invite/<token>/"): they name the URL
    pattern instead."""

    def filter(self, record):
        request = getattr(record, "request", None)
        path = getattr(request, "path", None)
        if path and isinstance(record.args, tuple):
            # Django logs the path escaped (django.utils.log.log_response).
            paths = {path, path.encode("unicode_escape").decode("ascii")}
            record.args = tuple(route_of(request) if arg in paths else arg for arg in record.args)
        return True


# A path in a line of text: up to a space, a quote, a query or a fragment.
PATH_IN_TEXT = re.compile(r"/[^\s'\"?#]*")


def _route(path: str) -> str | None:
    from django.urls import Resolver404, resolve

    try:
        return "/" + resolve(path).route
    except Resolver404:
        return None


# What a token in a path looks like (an invitation's is 43 characters, a reset's about 40): an unresolved path
# still has its long segments cut ("GET /invite/<token>/\x01", a malformed request line, resolves nothing).
TOKEN_LIKE = re.compile(r"[A-Za-z0-9_-]{20,}")


def _route_for(match: re.Match) -> str:
    return _route(match.group()) or TOKEN_LIKE.sub("…", match.group())


def _route_of_path(path: str) -> str:
    # Unresolved, it is not shown either: "/invite/<a real token>/x" is not found, and still holds the token.
    return _route(path or "/") or "(unresolved)"


class ServerRouteNotPath(logging.Filter):
    """gunicorn's own lines name a request's path ("Error handling request GET /invite/<token>/" when a
    worker is killed mid-request, "Invalid request from ip=…: Invalid HTTP request line: 'GET /invite/…'"):
    every path the project's URLs resolve is named by its pattern instead (gunicorn.conf.py installs this)."""

    def filter(self, record):
        record.msg, record.args = PATH_IN_TEXT.sub(_route_for, record.getMessage()), ()
        return True


class AccessRouteNotPath(logging.Filter):
    """gunicorn's access lines (with --access-logfile) hold the request line, the path, the query string and
    the referer, which is often a page whose path holds a token (a browser sends it with the stylesheet the
    invitation page loads): each path is named by its pattern, the query is left out (gunicorn.conf.py
    installs this). The atoms are the values the access-log format names (gunicorn's `atoms`)."""

    PATHS_BESIDE = ("{raw_uri}e", "{path_info}e", "{query_string}e", "{referer}i", "{http_referer}e")

    def filter(self, record):
        atoms = record.args
        if isinstance(atoms, dict) and "U" in atoms:
            route = _route_of_path(atoms["U"])
            atoms["r"] = f"{atoms['m']} {route} {atoms['H']}"
            atoms["U"], atoms["q"] = route, ""
            if atoms.get("f", "-") != "-":
                referer = urlsplit(atoms["f"])
                atoms["f"] = urlunsplit(
                    (referer.scheme, referer.netloc, _route_of_path(referer.path), "", "")
                )
            for key in self.PATHS_BESIDE:
                atoms.pop(key, None)  # gunicorn then writes "-"
        return True


# A request id from the client (or a proxy) is kept only if it is a short token of safe characters: it is
# written into every line of the request, and a plain line could otherwise be forged ("... status=200").
REQUEST_ID_RE = re.compile(r"[A-Za-z0-9._-]{1,64}")


def request_id_of(request) -> str:
    given = request.headers.get("X-Request-ID", "")
    return given if REQUEST_ID_RE.fullmatch(given) else uuid.uuid4().hex


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request_id_of(request)
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        request_logger.info(
            "request",
            extra={
                "request_id": request.request_id,
                "method": request.method,
                "route": route_of(request),
                "view": match.view_name if match else "",
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
            },
        )
        response["X-Request-ID"] = request.request_id
        return response


_task_started: dict[str, float] = {}


@task_prerun.connect(dispatch_uid="alliance_builder.task_prerun")
def _task_prerun(task_id=None, task=None, **kwargs):
    _task_started[task_id] = time.perf_counter()


@task_postrun.connect(dispatch_uid="alliance_builder.task_postrun")
def _task_postrun(task_id=None, task=None, args=None, state=None, **kwargs):
    started = _task_started.pop(task_id, None)
    task_logger.info(
        "task",
        extra={
            "task_id": task_id,
            "task": getattr(task, "name", ""),
            # Tasks take ids only (never tokens or personal data), so their arguments are safe to log.
            "task_args": list(args or ()),
            "state": state,
            "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
        },
    )
