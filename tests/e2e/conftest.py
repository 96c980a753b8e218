"""The production processes, started natively with the commands docker-compose.yml uses.

There is no Docker engine on these machines, so the end-to-end test proves the same
processes: gunicorn (web), a Celery worker and Celery beat, read from the compose file,
against this machine's PostgreSQL (a fresh database) and Redis, with production settings
(DEBUG off). Emails are written to a folder the test reads; media and the seal live in a
temporary folder.
"""

from __future__ import annotations

import os
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import psycopg2
import pytest
import yaml

from tests.conftest import REDIS_URL, _reachable, service_missing

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
DATABASE = "qatif_e2e"


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _postgres_params() -> dict:
    return {"host": "127.0.0.1", "port": 5432, "user": "postgres"}


class Stack:
    def __init__(self, tmp: Path):
        self.tmp = tmp
        self.port = _free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mail = tmp / "mail"
        self.media = tmp / "media"
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "DATABASE_URL": f"postgres://postgres@127.0.0.1:5432/{DATABASE}",
            "REDIS_URL": REDIS_URL.rsplit("/", 1)[0] + "/3",
            "CELERY_BROKER_URL": REDIS_URL.rsplit("/", 1)[0] + "/3",
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "EMAIL_FILE_PATH": str(self.mail),
            "MEDIA_ROOT": str(self.media),
            "VAR_DIR": str(tmp / "var"),
            "SEAL_PKCS12_PATH": str(tmp / "seal.p12"),
            "SEAL_PKCS12_PASSWORD": "e2e-seal",
            "LOG_FORMAT": "json",
            "AXES_FAILURE_LIMIT": "50",
        }

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def command(self, service: str) -> list[str]:
        """The service's command from docker-compose.yml, adapted only where the host differs."""
        command = list(COMPOSE["services"][service]["command"])
        command = [f"127.0.0.1:{self.port}" if part == "0.0.0.0:8000" else part for part in command]
        # The compose file keeps beat's files in the container's /tmp; here, the test's folder.
        command = [part.replace("/tmp/", f"{self.tmp}/") for part in command]  # noqa: S108
        return command

    def start(self, service: str, **env: str) -> None:
        self.stop(service)
        command = self.command(service)
        executable = str(Path(sys.executable).parent / command[0])
        log = (self.tmp / f"{service}.log").open("a")
        self.processes[service] = subprocess.Popen(
            [executable, *command[1:]], cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, service: str) -> None:
        process = self.processes.pop(service, None)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.tmp.glob("*.log")))

    def wait_ready(self, timeout: float = 60) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + "/readyz", timeout=3) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"the web process never became ready\n{self.logs()}")


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
    stack = Stack(tmp_path_factory.mktemp("e2e"))
    stack.mail.mkdir()
    stack.manage("migrate", "--noinput")
    stack.manage("collectstatic", "--noinput")
    stack.manage("load_demo")
    stack.manage("create_seal_certificate")
    import redis

    redis.Redis.from_url(stack.env["CELERY_BROKER_URL"]).flushdb()
    for service in ("web", "worker", "beat"):
        stack.start(service)
    stack.wait_ready()
    yield stack
    for service in list(stack.processes):
        stack.stop(service)
    with admin.cursor() as cursor:
        cursor.execute(f'DROP DATABASE IF EXISTS "{DATABASE}" WITH (FORCE)')
    admin.close()
