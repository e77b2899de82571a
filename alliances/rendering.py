"""The builder's rendered fragments (the participants table, the eligibility panel), cached by what they
show.

A fragment's key is the template, the proposal and its version (bumped by every change through
`alliances.services`, and by every invitation event through `proposal_touch`), its report's evaluation time
(renewed by every evaluation, so by every save of the organisations, countries, types and edition the
consortium reads), the mode, the language and the release (the templates and static files deployed). What
can change without any of these stays out of the fragments and is rendered on every request: the page's
header (the owner's name), the user's own bits in the layout, the search form (its choices come from the
directory) and the directory's suggestions (a fragment of their own).

The cache only saves time: a miss, or an outage (the alias ignores its errors), renders the fragment.
Cached HTML carries a placeholder where the CSRF token goes, filled in with the token of each request. The
placeholder is derived from SECRET_KEY, so no text a user types can be it.
"""

import functools
import hashlib
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.core.cache import caches
from django.middleware.csrf import get_token
from django.template.loader import render_to_string
from django.utils.crypto import salted_hmac
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

CACHE_ALIAS = "fragments"
CACHE_SECONDS = 3600


def release() -> str:
    """The deployed templates and static manifest, as a short digest: once per process, unless DEBUG (where
    templates are edited under a running server)."""
    return _release_digest() if settings.DEBUG else _deployed_release()


@functools.cache
def _deployed_release() -> str:
    return _release_digest()


def _release_digest() -> str:
    digest = hashlib.sha256()
    paths = sorted(path for path in (Path(settings.BASE_DIR) / "templates").rglob("*") if path.is_file())
    paths.append(Path(settings.STATIC_ROOT) / "staticfiles.json")
    for path in paths:
        try:
            stat = path.stat()
        except OSError:
            continue
        digest.update(f"{path}:{stat.st_mtime_ns}:{stat.st_size};".encode())
    return digest.hexdigest()[:16]


def fragment_key(template: str, *, proposal, mode: str | None = None) -> str:
    report = getattr(proposal, "eligibility_report", None)
    evaluated_at = report.evaluated_at.isoformat() if report is not None else None
    parts = (template, release(), proposal.pk, proposal.version, evaluated_at, mode, get_language())
    return "alliances:fragment:" + hashlib.sha256(repr(parts).encode()).hexdigest()


def csrf_placeholder() -> str:
    return salted_hmac("alliances.rendering.csrf-placeholder", "csrf").hexdigest()


def render_fragments(
    request, fragments: list[tuple[str, str | None]], *, proposal, context: Callable[[], dict]
) -> list[SafeString]:
    """Each `(template, mode)` of the proposal, from the cache or rendered with `context()`.

    `context` is called at most once, and only when one of the fragments is not in the cache; it must read
    the data after the proposal was loaded, so what is stored is never older than its key.
    """
    cache = caches[CACHE_ALIAS]
    keys = [fragment_key(template, proposal=proposal, mode=mode) for template, mode in fragments]
    found = cache.get_many(keys)
    placeholder = csrf_placeholder()
    missing = {
        key: template for key, (template, _mode) in zip(keys, fragments, strict=True) if key not in found
    }
    if missing:
        data = {**context(), "csrf_token": placeholder}
        rendered = {
            key: str(render_to_string(template, data, request=request)) for key, template in missing.items()
        }
        cache.set_many(rendered, CACHE_SECONDS)
        found.update(rendered)
    token = get_token(request)
    return [mark_safe(found[key].replace(placeholder, token)) for key in keys]


def render_fragment(request, template: str, *, proposal, mode: str | None = None, context) -> SafeString:
    return render_fragments(request, [(template, mode)], proposal=proposal, context=context)[0]
