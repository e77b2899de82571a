"""gunicorn's settings beyond its command line (it reads this file from the directory it starts in: the
project's, in the image and in `make` targets)."""

import logging


def post_worker_init(worker):
    """gunicorn's own lines name a request's URL pattern, never its path: some paths hold a token (an
    invitation's, an email confirmation's, a password reset's), and no secret reaches a log line."""
    from config.observability import ServerRouteNotPath

    logging.getLogger("gunicorn.error").addFilter(ServerRouteNotPath())
