"""Failed invitation look-ups, counted per client address in the shared cache (a fixed window).

Past the limit every look-up from that address is refused (429) before it reaches the database, until the
window ends. The address is the client's as django-axes takes it (config/client_address.py, as
TRUSTED_PROXY_COUNT says), so the limit and the sign-in lockout key on the same address.
When the cache cannot be reached, the limit fails open (look-ups still need a valid token) and logs an ERROR.
"""

import logging

from axes.helpers import get_client_ip_address
from django.conf import settings
from django.core.cache import cache
from django.core.exceptions import ImproperlyConfigured
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)

PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def parse_rate(rate: str) -> tuple[int, int]:
    """'10/m' → (10, 60)."""
    try:
        count, period = rate.split("/")
        return int(count), PERIODS[period.strip().lower()[0]]
    except (ValueError, KeyError, IndexError, AttributeError):
        raise ImproperlyConfigured(
            f"INVITATION_LOOKUP_RATE must look like '10/m' (per s, m, h or d), not {rate!r}."
        ) from None


def _key(request) -> str:
    return "invitations:lookup-failures:" + (get_client_ip_address(request) or "unknown")


def blocked(request) -> bool:
    limit, _period = parse_rate(settings.INVITATION_LOOKUP_RATE)
    try:
        return (cache.get(_key(request)) or 0) >= limit
    except (RedisError, OSError) as error:
        _unavailable(error)
        return False


def record_failure(request) -> None:
    _limit, period = parse_rate(settings.INVITATION_LOOKUP_RATE)
    key = _key(request)
    try:
        if cache.add(key, 1, timeout=period):
            return
        try:
            cache.incr(key)
        except ValueError:  # expired between add() and incr()
            cache.add(key, 1, timeout=period)
    except (RedisError, OSError) as error:
        _unavailable(error)


def _unavailable(error: Exception) -> None:
    # The error names the cache's address, never the key (a client address) or the request.
    logger.error("Invite-link rate limit off, the cache is unavailable: %s: %s", type(error).__name__, error)
