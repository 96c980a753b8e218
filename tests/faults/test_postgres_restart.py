"""PostgreSQL restarts under a running web server: the next requests succeed.

gunicorn keeps database connections between requests (DB_CONN_MAX_AGE); after a restart
those connections are dead, and CONN_HEALTH_CHECKS makes Django notice and reconnect
instead of failing the first request on each of them.
"""

from __future__ import annotations

import pytest

from .conftest import Browser

pytestmark = pytest.mark.worker


def test_requests_after_a_database_restart_succeed(own_postgres, own_redis, tmp_path, _static_collected):
    from tests.stack import Stack

    stack = Stack(tmp_path, database_url=own_postgres.url, redis_url=own_redis.url, DB_CONN_MAX_AGE="600")
    stack.manage("migrate", "--noinput")
    stack.env.update(DJANGO_SUPERUSER_PASSWORD="restart-pass-2026")
    stack.manage("createsuperuser", "--noinput", "--username", "admin", "--email", "admin@charity.example")
    try:
        stack.start("web")
        stack.wait_ready()
        person = Browser(stack.url, stack.tls())
        person.login("admin", "restart-pass-2026")
        pages = ["/", "/agreements/", "/partners/", "/admin/"]
        # Enough requests that both gunicorn workers hold a connection.
        for _ in range(5):
            for path in pages:
                assert person.get(path)[0] == 200, path

        own_postgres.restart()

        statuses = [person.get(path)[0] for _ in range(5) for path in pages]
        assert statuses == [200] * len(statuses)
        # Writes too: a new session (a login writes the session and the login log).
        again = Browser(stack.url, stack.tls())
        again.login("admin", "restart-pass-2026")
        assert again.get("/")[0] == 200
    finally:
        stack.stop_all()
