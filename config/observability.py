"""Structured logs: one JSON line per request and per Celery task, with ids and durations.

Requests are logged by their URL pattern (`invite/<str:token>/`), never their path, so no token or other
secret from a URL reaches a log line.
"""

import json
import logging
import time
import uuid

from celery.signals import task_postrun, task_prerun

request_logger = logging.getLogger("alliance_builder.request")
task_logger = logging.getLogger("alliance_builder.task")


class JsonFormatter(logging.Formatter):
    """A log record as one JSON object; `extra={"fields": {...}}` adds structured fields."""

    def format(self, record):
        entry = {
            "time": self.formatTime(record, "%Y-%m-%dT%H:%M:%S%z"),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
            **getattr(record, "fields", {}),
        }
        if record.exc_info:
            entry["exception"] = self.formatException(record.exc_info)
        return json.dumps(entry, default=str, ensure_ascii=False)


class PlainFormatter(logging.Formatter):
    """A log record as one readable line, its structured fields (if any) at the end."""

    def __init__(self):
        super().__init__("%(asctime)s %(levelname)s %(name)s %(message)s")

    def format(self, record):
        line = super().format(record)
        fields = getattr(record, "fields", None)
        if fields:
            line += " " + " ".join(f"{key}={value}" for key, value in fields.items())
        return line


class RequestLogMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.request_id = request.headers.get("X-Request-ID") or uuid.uuid4().hex
        start = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        request_logger.info(
            "request",
            extra={
                "fields": {
                    "request_id": request.request_id,
                    "method": request.method,
                    "route": match.route if match else "(unresolved)",
                    "view": match.view_name if match else "",
                    "status": response.status_code,
                    "duration_ms": round((time.perf_counter() - start) * 1000, 2),
                    "user_id": user.pk if user is not None and user.is_authenticated else None,
                }
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
            "fields": {
                "task_id": task_id,
                "task": getattr(task, "name", ""),
                # Tasks take ids only (never tokens or personal data), so their arguments are safe to log.
                "args": list(args or ()),
                "state": state,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            }
        },
    )
