"""The session engines read sessions as Django's do: a live one is found, an expired or unknown one is not."""

from datetime import timedelta

import pytest
from django.contrib.sessions.models import Session
from django.core.cache import cache
from django.utils import timezone

from config.sessions import cached_db, db

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("engine", [db, cached_db])
def test_live_expired_and_unknown_sessions(engine):
    store = engine.SessionStore()
    store["answer"] = 42
    store.create()
    key = store.session_key
    cache.clear()  # the cached engine reads the database on a miss
    assert engine.SessionStore(key)["answer"] == 42
    Session.objects.filter(session_key=key).update(expire_date=timezone.now() - timedelta(seconds=1))
    cache.clear()
    expired = engine.SessionStore(key)
    assert expired.get("answer") is None and expired.session_key is None
    unknown = engine.SessionStore("x" * 32)
    assert unknown.get("answer") is None and unknown.session_key is None
