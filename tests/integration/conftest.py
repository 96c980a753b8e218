"""Real Celery processes (worker, beat) against Redis and the test's PostgreSQL database.

The test process and the processes it starts share the database pytest-django created,
so these tests use transactional databases: what the test writes is committed and the
worker sees it. Emails sent by the worker land as files in a temporary folder.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from tests.conftest import service_missing

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def shared_database(postgres) -> str:
    """A DATABASE_URL for other processes, pointing at this test's database."""
    params = connection.settings_dict
    user = params.get("USER") or "postgres"
    host = params.get("HOST") or "127.0.0.1"
    port = params.get("PORT") or 5432
    return f"postgres://{user}@{host}:{port}/{params['NAME']}"


@pytest.fixture
def real_broker(redis_url):
    """Tasks queued by the test go to Redis for real (not run in-process)."""
    from qatif_partnerships.celery import app

    if not settings.CELERY_BROKER_URL.startswith("redis"):
        service_missing("set REDIS_URL so the portal's Celery app uses Redis")
    app.conf.task_always_eager = False
    # Start from an empty queue: nothing left over from an earlier run is consumed.
    with app.connection_for_write() as conn:
        conn.default_channel.queue_purge("celery")
    yield app
    app.conf.task_always_eager = True


@pytest.fixture
def mail_dir(tmp_path) -> Path:
    path = tmp_path / "mail"
    path.mkdir()
    return path


class Processes:
    def __init__(self, env: dict[str, str], logs: Path):
        self.env = env
        self.logs = logs
        self.running: list[tuple[subprocess.Popen, Path]] = []

    def start(self, name: str, *args: str, **extra_env: str) -> subprocess.Popen:
        log = self.logs / f"{name}.log"
        process = subprocess.Popen(
            [sys.executable, "-m", "celery", "-A", "qatif_partnerships", *args],
            cwd=ROOT,
            env={**self.env, **extra_env},
            stdout=log.open("w"),
            stderr=subprocess.STDOUT,
        )
        self.running.append((process, log))
        return process

    def stop_all(self) -> None:
        for process, _log in self.running:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        for process, _log in self.running:
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()

    def output(self) -> str:
        return "\n".join(f"--- {log.name}\n{log.read_text()[-4000:]}" for _p, log in self.running)


@pytest.fixture
def celery_processes(shared_database, real_broker, redis_url, mail_dir, tmp_path):
    env = {
        **os.environ,
        "DATABASE_URL": shared_database,
        "CELERY_BROKER_URL": redis_url,
        "CELERY_RESULT_BACKEND": redis_url,
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "MEDIA_ROOT": str(settings.MEDIA_ROOT),
        "SITE_URL": settings.SITE_URL,
        "VAR_DIR": str(tmp_path / "var"),
    }
    processes = Processes(env, tmp_path)
    yield processes
    processes.stop_all()


def wait_for(condition, *, timeout: float = 60, interval: float = 0.3, processes: Processes | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        result = condition()
        if result:
            return result
        time.sleep(interval)
    detail = processes.output() if processes else ""
    raise AssertionError(f"condition not met within {timeout}s\n{detail}")
