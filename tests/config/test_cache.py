"""The Redis cache: one client per connection pool, reused by every operation."""

import pytest
from django.conf import settings

from config.cache import ResilientRedisCache

pytestmark = pytest.mark.skipif(not settings.REDIS_CACHE_URL, reason="needs REDIS_CACHE_URL (make test sets)")


def test_one_client_per_pool_reused_by_every_operation():
    cache = ResilientRedisCache(settings.REDIS_CACHE_URL, {"KEY_PREFIX": "test-client-reuse"})
    client = cache._cache.get_client("a")
    assert cache._cache.get_client("b", write=True) is client
    cache.set("answer", 42)
    assert cache.get("answer") == 42
    assert cache.get_many(["answer", "missing"]) == {"answer": 42}
    assert cache.incr("answer") == 43
    cache.delete("answer")
    assert cache.get("answer") is None
    assert cache._cache.get_client() is client
