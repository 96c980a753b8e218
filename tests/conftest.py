"""Shared fixtures. Services are real: PostgreSQL, Redis, Chromium.

A test that needs a service skips when it is missing on a developer's machine, but
fails when the `CI` environment variable is set: CI must never pass by skipping.
"""

from __future__ import annotations

import os
import socket
from urllib.parse import urlparse

import pytest
from django.db import connection

from tests import factories

# The browser fixtures (one Chromium for the whole run), shared by the journeys and the e2e test.
pytest_plugins = ["tests.browser.fixtures"]

IN_CI = bool(os.environ.get("CI"))
REDIS_URL = os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0"


# What a skipped test lacked, recognised in its skip reason, and how to run it.
SKIPPED_GROUPS = [
    (
        "PostgreSQL",
        ("PostgreSQL", "DATABASE_URL"),
        "start PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and run `make test`, or "
        "`DATABASE_URL=postgres://USER@HOST:PORT/NAME make test`",
    ),
    (
        "Redis",
        ("Redis", "REDIS_URL", "redis-server"),
        "start Redis on 127.0.0.1:6379 and run `make test`, or `REDIS_URL=redis://HOST:PORT/0 make test`",
    ),
    ("Chromium", ("Chromium",), "`apt-get install chromium` (or set CHROMIUM_PATH), then `make test`"),
    ("poppler-utils", ("poppler",), "`apt-get install poppler-utils`, then `make test`"),
]


def service_missing(reason: str) -> None:
    """Fail in CI, skip elsewhere."""
    if IN_CI:
        pytest.fail(f"required service missing in CI: {reason}", pytrace=False)
    pytest.skip(reason)


def _reachable(url: str) -> bool:
    parts = urlparse(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or 6379), timeout=2):
            return True
    except OSError:
        return False


@pytest.fixture(autouse=True, scope="session")
def _tasks_run_in_process():
    """Tasks queued by the code under test run right away, in this process.

    Tests that prove the real worker (tests/test_celery.py, the integration tests)
    start a worker process with their own client and are not affected.
    """
    from qatif_partnerships.celery import app

    app.conf.task_always_eager = True
    app.conf.task_eager_propagates = True
    yield
    app.conf.task_always_eager = False


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings):
    # PBKDF2 at full strength costs ~0.3 s per user; tests create hundreds.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(scope="session")
def _session_seal(tmp_path_factory):
    """One throwaway seal certificate for the whole run (made like the command makes it)."""
    from agreements.pdf.seal import create_self_signed_pkcs12

    path = tmp_path_factory.mktemp("seal") / "seal.p12"
    path.write_bytes(create_self_signed_pkcs12(common_name="Qatif Charity (tests)", password="tests"))
    return path


@pytest.fixture(autouse=True)
def _seal_configured(settings, _session_seal):
    # Activation queues the signed PDF; every test runs with a working seal unless it
    # replaces these settings itself.
    settings.SEAL_PKCS12_PATH = _session_seal
    settings.SEAL_PKCS12_PASSWORD = "tests"


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    # Uploaded and generated files of a test go to its own folder, never to var/.
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture(autouse=True)
def _local_cache(settings):
    # Each test's database is rolled back; a cache shared across tests would not be.
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def redis_url() -> str:
    if not _reachable(REDIS_URL):
        service_missing(f"Redis not reachable at {REDIS_URL}")
    return REDIS_URL


@pytest.fixture
def postgres(db) -> None:
    """For tests of behaviour only PostgreSQL shows (row locks, real concurrency)."""
    if connection.vendor != "postgresql":
        service_missing("DATABASE_URL does not point at PostgreSQL")


@pytest.fixture
def staff_user(db):
    return factories.StaffFactory()


@pytest.fixture
def readonly_user(db):
    return factories.ReadOnlyStaffFactory()


@pytest.fixture
def admin_user(db):
    return factories.AdminFactory()


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def pytest_report_header(config):
    from django.db import connection as default

    return [
        f"database: {default.vendor} {default.settings_dict.get('NAME')}"
        + ("" if os.environ.get("DATABASE_URL") else " (DATABASE_URL not exported)"),
        f"redis: {REDIS_URL}" + ("" if os.environ.get("REDIS_URL") else " (REDIS_URL not exported)"),
    ]


def pytest_terminal_summary(terminalreporter):
    """Say loudly what did not run, why, and the command that runs it."""
    skipped = [report for report in terminalreporter.stats.get("skipped", []) if report.when != "teardown"]
    if not skipped:
        return
    groups: dict[str, list] = {}
    for report in skipped:
        reason = report.longrepr[2] if isinstance(report.longrepr, tuple) else str(report.longrepr)
        reason = reason.removeprefix("Skipped: ")
        group = next((name for name, words, _ in SKIPPED_GROUPS if any(w in reason for w in words)), "other")
        groups.setdefault(group, []).append((report.nodeid, reason))
    how = {name: command for name, _words, command in SKIPPED_GROUPS}
    terminalreporter.section(f"{len(skipped)} TESTS DID NOT RUN", sep="!", red=True, bold=True)
    for group, items in groups.items():
        folders = sorted({nodeid.split("::")[0].rsplit("/", 1)[0] for nodeid, _ in items})
        reasons = sorted({reason for _, reason in items})
        terminalreporter.write_line(f"no {group}: {len(items)} tests in {', '.join(folders)}", red=True, bold=True)
        for reason in reasons[:5]:
            terminalreporter.write_line(f"    because: {reason}")
        if group in how:
            terminalreporter.write_line(f"    to run them: {how[group]}")
    if not IN_CI:
        terminalreporter.write_line("(with CI=true these are failures, not skips)")
