"""A Redis cache that a Redis outage cannot turn into errors: the cache only ever makes things faster.

When Redis is down, a read is a miss, a write is skipped and a counter reads as empty; each failure is logged
(once per burst would be nicer, but a warning per request is what an operator wants to see during an outage).
Pages still render and saves still succeed; only the rendering cache and the invite-link rate limit are off
until Redis is back (the rate limit then fails open: look-ups still need a valid token).
"""

import functools
import logging

from django.core.cache.backends.redis import RedisCache, RedisCacheClient

logger = logging.getLogger(__name__)

# What each operation returns in place of an answer when Redis cannot be reached.
_FALLBACKS = {
    "add": False,
    "get": None,  # replaced by the caller's default below
    "set": None,
    "touch": False,
    "delete": False,
    "get_many": {},
    "has_key": False,
    "incr": 0,
    "set_many": [],
    "delete_many": None,
    "clear": False,
}


def _connection_errors() -> tuple[type[BaseException], ...]:
    import redis

    return (redis.exceptions.ConnectionError, redis.exceptions.TimeoutError, OSError)


def _resilient(name: str):
    method = getattr(RedisCache, name)

    @functools.wraps(method)
    def wrapper(self, *args, **kwargs):
        try:
            return method(self, *args, **kwargs)
        except _connection_errors() as error:
            logger.warning("Cache unavailable (%s failed: %s); carrying on without it", name, error)
            if name == "get":
                return kwargs.get("default", args[1] if len(args) > 1 else None)
            fallback = _FALLBACKS[name]
            return type(fallback)() if isinstance(fallback, dict | list) else fallback

    return wrapper


class ReusingRedisCacheClient(RedisCacheClient):
    """Django's client, but one `redis.Redis` per connection pool instead of a new one per operation.

    Django builds a `redis.Redis` for every cache call, and redis-py's constructor fills a table of some 170
    response callbacks each time: about a third of a millisecond, more than the round trip to Redis itself,
    on every signed-in page (its session is read from the cache). A `redis.Redis` is a thin, thread-safe front
    of its pool, so one per pool is all it takes.
    """

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._clients = {}

    def get_client(self, key=None, *, write=False):
        pool = self._get_connection_pool(write)
        client = self._clients.get(id(pool))
        if client is None:
            client = self._clients[id(pool)] = self._client(connection_pool=pool)
        return client


class ResilientRedisCache(RedisCache):
    def __init__(self, server, params):
        super().__init__(server, params)
        self._class = ReusingRedisCacheClient


for _name in _FALLBACKS:
    setattr(ResilientRedisCache, _name, _resilient(_name))
