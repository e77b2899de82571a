"""A local stand-in for the ECHE List API (the European University Foundation's open-source service), on
127.0.0.1 in a thread of the test process.

Shaped like the service: ``GET /api/{field}/{value}/`` answers a JSON list of the holders whose field equals
the value (``200 []`` when none does), for ``erasmusCode`` (as published), ``erasmusCodeNormalized`` (as the
service normalises it), ``pic`` and ``oid``; a path without its trailing slash is redirected (308) to the
same path with one; an unknown field is a JSON problem (404); any other path is the service's HTML 404 page.
Keep-alive (HTTP/1.1), so a session asks thousands of questions over one connection.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import unquote

FIELDS = ("erasmusCode", "erasmusCodeNormalized", "pic", "oid")
_SEPARATORS = re.compile(r"[ .]+")


def service_normalised(code: str) -> str:
    """The Erasmus code as the service normalises it (its ``erasmusCodeNormalized``), which is not the
    product's normalisation: upper case; a one-letter country part padded to three characters, a two-letter
    one followed by one space, IRL and LUX by none; spaces and dots inside the institution part become one
    dash, except before its final digits; a single final digit gets a leading zero. "" when it is no code."""
    code = (code or "").strip().upper()
    if not code or not code[0].isalpha():
        return ""
    if " " not in code[:3] and code[:3] not in ("IRL", "LUX"):
        return ""
    if not code[-2:].isdigit():
        if not code[-1].isdigit():
            return ""
        code = code[:-1] + "0" + code[-1]
    if code[:3] in ("IRL", "LUX"):
        prefix, rest = code[:3], code[3:]
    else:
        country, rest = code.split(" ", 1)
        prefix = country.ljust(3) if len(country) < 3 else country
    parts = [part for part in _SEPARATORS.split(rest.strip()) if part]
    if len(parts) > 1 and parts[-1].isdigit():
        parts[-2:] = [parts[-2] + parts[-1]]
    return prefix + "-".join(parts)


def holder_json(holder) -> dict:
    """A holder read by the project's list reader (``list_format.Holder``) as the service shows it."""
    return {
        "erasmusCode": holder.erasmus_code or None,
        "erasmusCodeNormalized": service_normalised(holder.erasmus_code) or None,
        "pic": holder.pic or None,
        "oid": holder.oid or None,
        "organisationLegalName": holder.legal_name,
        "city": holder.city,
        "echeStartDate": holder.start.isoformat() if holder.start else None,
        "echeEndDate": holder.end.isoformat() if holder.end else None,
    }


class EcheApiStandIn:
    """The server and what it serves; ``requests`` records every path asked for."""

    def __init__(self, holders: list[dict]):
        self.index: dict[str, dict[str, list[dict]]] = {field: defaultdict(list) for field in FIELDS}
        for holder in holders:
            for field in FIELDS:
                if holder.get(field):
                    self.index[field][holder[field]].append(holder)
        self.requests: list[str] = []
        self.failures_left = 0  # answer 500 this many times first
        self.delay = 0.0  # seconds before answering
        self.hang = threading.Event()  # while set, a request waits (up to a minute) for `released`
        self.released = threading.Event()
        self.server: ThreadingHTTPServer | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server.server_port}/api"

    def answer(self, path: str) -> tuple[int, str, bytes, dict]:
        if not path.endswith("/"):
            return 308, "text/html", b"", {"Location": path + "/"}
        parts = [unquote(part) for part in path.strip("/").split("/")]
        if len(parts) != 3 or parts[0] != "api":
            return 404, "text/html; charset=utf-8", b"<!doctype html><title>Not found</title>", {}
        if parts[1] not in self.index:
            problem = {"type": "", "title": "Resource not found", "status": 404, "detail": "", "instance": ""}
            return 404, "application/problem+json", json.dumps(problem).encode(), {}
        found = self.index[parts[1]].get(parts[2], [])
        return 200, "application/json", json.dumps(found).encode(), {}

    def start(self) -> EcheApiStandIn:
        state = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"
            disable_nagle_algorithm = True  # else each answer waits for the client's delayed ACK (40 ms)

            def do_GET(self):
                state.requests.append(self.path)
                if state.hang.is_set():
                    state.released.wait(timeout=60)
                if state.delay:
                    time.sleep(state.delay)
                if state.failures_left > 0:
                    state.failures_left -= 1
                    status, content_type, body, headers = 500, "text/plain", b"Internal Server Error", {}
                else:
                    status, content_type, body, headers = state.answer(self.path)
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", content_type)
                    self.send_header("Content-Length", str(len(body)))
                    for name, value in headers.items():
                        self.send_header(name, value)
                    self.end_headers()
                    self.wfile.write(body)
                except OSError:  # the client gave up (a timeout)
                    self.close_connection = True

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        return self

    def stop(self) -> None:
        self.hang.clear()
        self.released.set()
        self.server.shutdown()
        self.server.server_close()
