"""Which services a test run has, decided before Django reads its settings.

`make test` runs the tests through `python -m tests.services pytest ...`: when DATABASE_URL or
REDIS_URL is not exported (or empty), it points them at this machine's PostgreSQL and Redis if
they answer, so a fresh clone runs the PostgreSQL, Redis, fault, concurrency and fuzz tests
wherever those servers run. Otherwise the run uses SQLite, the tests needing the missing service
skip (fail with CI=true), and tests/conftest.py lists them at the end with the command to run them.
"""

from __future__ import annotations

import os
import socket
import sys
from urllib.parse import urlparse

LOCAL_POSTGRES_URL = "postgres://postgres@127.0.0.1:5432/qatif"
LOCAL_REDIS_URL = "redis://127.0.0.1:6379/0"


def postgres_answers(url: str) -> str | None:
    """None when a session can be opened on the server of `url`, else why not."""
    import psycopg2

    parts = urlparse(url)
    try:
        psycopg2.connect(
            dbname="postgres",
            user=parts.username or "postgres",
            password=parts.password or None,
            host=parts.hostname,
            port=parts.port or 5432,
            connect_timeout=3,
        ).close()
    except psycopg2.Error as error:
        return str(error).strip().splitlines()[0]
    return None


def redis_answers(url: str) -> str | None:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname, parts.port or 6379), timeout=2) as sock:
            sock.sendall(b"PING\r\n")
            if sock.recv(16).startswith(b"+PONG"):
                return None
            return "no PONG"
    except OSError as error:
        return str(error)


def choose(environ, *, postgres_url: str | None = None, redis_url: str | None = None) -> list[str]:
    """Fill DATABASE_URL and REDIS_URL in `environ` with the local servers where they answer.

    Returns one line per service saying what the run will use.
    """
    notes = []
    for name, local, answers, fallback in (
        ("DATABASE_URL", postgres_url or LOCAL_POSTGRES_URL, postgres_answers, "SQLite; PostgreSQL-only tests skip"),
        ("REDIS_URL", redis_url or LOCAL_REDIS_URL, redis_answers, "no Redis; Redis tests skip"),
    ):
        if environ.get(name):
            notes.append(f"{name} exported: {environ[name]}")
            continue
        environ.pop(name, None)
        problem = answers(local)
        if problem is None:
            environ[name] = local
            notes.append(f"{name} not exported: using {local} (it answers)")
        else:
            notes.append(f"{name} not exported and {local} does not answer ({problem}): {fallback}")
    return notes


def main(argv: list[str]) -> None:
    for note in choose(os.environ):
        print(f"tests/services: {note}", flush=True)
    os.execvp(argv[0], argv)  # noqa: S606  (the command make test gives)


if __name__ == "__main__":
    main(sys.argv[1:])
