"""Fail loudly, before any test runs, when PostgreSQL or Redis is not there: the suite never skips them."""

import os
import sys
from urllib.parse import urlparse

import psycopg2
import redis


def main() -> int:
    problems = []
    database_url = os.environ["DATABASE_URL"]
    parts = urlparse(database_url)
    try:
        psycopg2.connect(
            host=parts.hostname,
            port=parts.port or 5432,
            user=parts.username,
            password=parts.password,
            dbname="postgres",
            connect_timeout=5,
        ).close()
    except psycopg2.Error as exc:
        problems.append(
            f"PostgreSQL at {parts.hostname}:{parts.port or 5432} is not reachable: {exc}".strip()
        )
    for name in ("CELERY_BROKER_URL", "REDIS_CACHE_URL"):
        url = os.environ[name]
        try:
            redis.Redis.from_url(url, socket_connect_timeout=5).ping()
        except redis.RedisError as exc:
            problems.append(f"Redis ({name}={url}) is not reachable: {exc}")
    for problem in problems:
        print(f"make test: {problem}", file=sys.stderr)
    if problems:
        print(
            "make test: start the services (see README.md, 'Running the tests') and run it again.",
            file=sys.stderr,
        )
        return 1
    print("make test: PostgreSQL and Redis answer.")
    return 0


if __name__ == "__main__":
    sys.exit(main())
