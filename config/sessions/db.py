from django.contrib.sessions.backends import db

from . import PlainSessionRead


class SessionStore(PlainSessionRead, db.SessionStore):
    pass
