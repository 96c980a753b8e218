"""The e2e stack: the compose commands (tests/stack.py) on a fresh database with the demo data."""

from __future__ import annotations

import psycopg2
import pytest

from tests.conftest import REDIS_URL, _reachable, service_missing
from tests.stack import Stack

DATABASE = "qatif_e2e"


def _postgres_params() -> dict:
    return {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


def running_stack(tmp, *, database: str, redis_db: int, before_start=None, **env: str):
    """A fresh database with the demo data, then web, worker and beat as compose starts them.

    A generator: yields the running stack, then stops it and drops the database.
    `before_start(stack)` runs once the data is loaded, before the processes start.
    """
    if not _reachable(REDIS_URL):
        service_missing(f"Redis not reachable at {REDIS_URL}")
    try:
        admin = psycopg2.connect(dbname="postgres", **_postgres_params())
    except psycopg2.OperationalError as error:
        service_missing(f"PostgreSQL not reachable: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{database}"')
    redis_url = REDIS_URL.rsplit("/", 1)[0] + f"/{redis_db}"
    stack = Stack(tmp, database_url=f"postgres://postgres@127.0.0.1:5432/{database}", redis_url=redis_url, **env)
    stack.manage("migrate", "--noinput")
    stack.manage("collectstatic", "--noinput")
    stack.manage("load_demo", "--i-know-this-is-production")
    stack.manage("create_seal_certificate")
    if before_start is not None:
        before_start(stack)
    import redis

    redis.Redis.from_url(stack.env["CELERY_BROKER_URL"]).flushdb()
    # The flush dropped what loading the data queued (the demo amendment's addendum): published
    # again by beat's first drain, as after a Redis restart.
    stack.manage(
        "shell",
        "-c",
        "from outbox.models import OutboxMessage;"
        "OutboxMessage.objects.filter(done_at=None, started_at=None).update(published_at=None, publishing_at=None)",
    )
    for service in ("web", "worker", "beat"):
        stack.start(service)
    stack.wait_ready(path="/readyz")
    try:
        yield stack
    finally:
        stack.stop_all()
        with admin.cursor() as cursor:
            cursor.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.close()


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    yield from running_stack(tmp_path_factory.mktemp("e2e"), database=DATABASE, redis_db=3)
