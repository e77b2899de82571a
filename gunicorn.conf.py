"""gunicorn's settings beyond its command line (it reads this file from the directory it starts in: the
project's, in the image and in `make` targets)."""

import logging


def post_worker_init(worker):
    """gunicorn's own lines, and its access lines when it writes them, name a request's URL pattern, never
    its path: some paths hold a token (an invitation's, an email confirmation's, a password reset's), and no
    secret reaches a log line."""
    from config.observability import AccessRouteNotPath, ServerRouteNotPath

    logging.getLogger("gunicorn.error").addFilter(ServerRouteNotPath())
    logging.getLogger("gunicorn.access").addFilter(AccessRouteNotPath())
