"""The e2e stack: the compose commands (tests/stack.py) on a fresh database with the demo data."""

from __future__ import annotations

import psycopg2
import pytest

from tests.conftest import REDIS_URL, _reachable, service_missing
from tests.stack import Stack

DATABASE = "qatif_e2e"


def _postgres_params() -> dict:
    return {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    if not _reachable(REDIS_URL):
        service_missing(f"Redis not reachable at {REDIS_URL}")
    try:
        admin = psycopg2.connect(dbname="postgres", **_postgres_params())
    except psycopg2.OperationalError as error:
        service_missing(f"PostgreSQL not reachable: {error}")
    admin.autocommit = True
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
        cursor.execute(f'CREATE DATABASE "{DATABASE}"')
    redis_url = REDIS_URL.rsplit("/", 1)[0] + "/3"
    stack = Stack(
        tmp_path_factory.mktemp("e2e"),
        database_url=f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
        redis_url=redis_url,
    )
    stack.manage("migrate", "--noinput")
    stack.manage("collectstatic", "--noinput")
    stack.manage("load_demo")
    stack.manage("create_seal_certificate")
    import redis

    redis.Redis.from_url(stack.env["CELERY_BROKER_URL"]).flushdb()
    for service in ("web", "worker", "beat"):
        stack.start(service)
    stack.wait_ready(path="/readyz")
    yield stack
    stack.stop_all()
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin.close()
