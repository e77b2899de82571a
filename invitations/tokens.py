"""Invitation tokens: 256 random bits from `secrets`, URL-safe; only their SHA-256 is ever stored."""

import hashlib
import hmac
import re
import secrets

TOKEN_BYTES = 32
TOKEN_LENGTH = 43  # len(secrets.token_urlsafe(32))
_WELL_FORMED = re.compile(rf"^[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}$")


def new_token() -> tuple[str, str]:
    """A fresh token and its hash."""
    token = secrets.token_urlsafe(TOKEN_BYTES)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("ascii", "replace")).hexdigest()


def well_formed(token) -> bool:
    return isinstance(token, str) and bool(_WELL_FORMED.match(token))


def same_hash(a: str | None, b: str | None) -> bool:
    """Constant-time comparison; a missing hash never matches."""
    return bool(a) and bool(b) and hmac.compare_digest(a, b)


def opens(digest: str | None, invitation) -> bool:
    """Whether a token with this hash opens the invitation (its link or its reminder's link)."""
    return same_hash(digest, invitation.token_hash) or same_hash(digest, invitation.reminder_token_hash)
