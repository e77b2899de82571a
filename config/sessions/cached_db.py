from django.contrib.sessions.backends import cached_db

from . import PlainSessionRead


class SessionStore(PlainSessionRead, cached_db.SessionStore):
    pass
