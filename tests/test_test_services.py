"""tests/services.py, which `make test` runs before pytest: an unset or empty DATABASE_URL or
REDIS_URL becomes the local server when it answers, and stays unset when nothing answers."""

from tests.conftest import _reachable, service_missing
from tests.services import LOCAL_POSTGRES_URL, LOCAL_REDIS_URL, choose, postgres_answers

CLOSED_POSTGRES = "postgres://postgres@127.0.0.1:1/qatif"
CLOSED_REDIS = "redis://127.0.0.1:1/0"


def test_exported_urls_are_kept_as_they_are():
    environ = {"DATABASE_URL": "sqlite:///x.sqlite3", "REDIS_URL": CLOSED_REDIS}
    choose(environ, postgres_url=CLOSED_POSTGRES, redis_url=CLOSED_REDIS)
    assert environ == {"DATABASE_URL": "sqlite:///x.sqlite3", "REDIS_URL": CLOSED_REDIS}


def test_nothing_answering_leaves_the_urls_unset_never_empty():
    environ = {"DATABASE_URL": "", "REDIS_URL": ""}
    notes = choose(environ, postgres_url=CLOSED_POSTGRES, redis_url=CLOSED_REDIS)
    assert environ == {}
    assert "does not answer" in notes[0] and "SQLite" in notes[0]
    assert "does not answer" in notes[1]


def test_local_servers_that_answer_are_used():
    if postgres_answers(LOCAL_POSTGRES_URL) is not None or not _reachable(LOCAL_REDIS_URL):
        service_missing(f"PostgreSQL at {LOCAL_POSTGRES_URL} or Redis at {LOCAL_REDIS_URL} does not answer")
    environ = {"DATABASE_URL": ""}
    choose(environ)
    assert environ == {"DATABASE_URL": LOCAL_POSTGRES_URL, "REDIS_URL": LOCAL_REDIS_URL}
