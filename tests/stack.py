"""The production processes, started natively with the commands docker-compose.yml uses.

There is no Docker engine on these machines, so the end-to-end and fault tests prove the
same processes: gunicorn (web), a Celery worker and Celery beat, read from the compose file,
with production settings (DEBUG off), against a database and a Redis the test chooses.
Emails are written to a folder the test reads; media and the seal live in its folder.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())


def image_command() -> list[str]:
    """The image's default command: the Dockerfile's last CMD (exec form), as Docker runs it."""
    commands = re.findall(r"^CMD (\[.*\])\s*$", (ROOT / "Dockerfile").read_text(), flags=re.MULTILINE)
    return json.loads(commands[-1])


def service_command(service: str) -> list[str]:
    """What compose runs for a service: its `command`, else the image's CMD."""
    return list(COMPOSE["services"][service].get("command") or image_command())


def read_emails(folder: Path) -> list[email.message.EmailMessage]:
    """Every email Django's file backend wrote to `folder`."""
    found = []
    for path in sorted(folder.glob("*.log")):
        for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if raw.strip():
                found.append(email.message_from_bytes(raw.strip(), policy=email.policy.default))
    return found


def reminder_items(message: email.message.EmailMessage) -> int:
    """How many reminders one e-mail carries: the numbered items of a digest, else one."""
    text = message.get_body(("plain",)).get_content()
    arabic = text.split("-" * 40)[0]
    items = re.findall(r"^\d+\. ", arabic, flags=re.MULTILINE)
    return len(items) or 1


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Stack:
    def __init__(self, tmp: Path, *, database_url: str, redis_url: str, **env: str):
        self.tmp = tmp
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.mail = tmp / "mail"
        self.media = tmp / "media"
        self.mail.mkdir(exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            "ALLOWED_HOSTS": "127.0.0.1,localhost",
            "SITE_URL": self.url,
            "SECURE_SSL_REDIRECT": "false",
            "SECURE_COOKIES": "false",
            "DATABASE_URL": database_url,
            "REDIS_URL": redis_url,
            "CELERY_BROKER_URL": redis_url,
            # The tests read the e-mails as files: allowed without DEBUG only when asked by name.
            "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
            "ALLOW_FILE_EMAIL": "true",
            "EMAIL_FILE_PATH": str(self.mail),
            "MEDIA_ROOT": str(self.media),
            "VAR_DIR": str(tmp / "var"),
            "SEAL_PKCS12_PATH": str(tmp / "seal.p12"),
            "SEAL_PKCS12_PASSWORD": "e2e-seal",
            "LOG_FORMAT": "json",
            "AXES_FAILURE_LIMIT": "50",
            **env,
        }

    def manage(self, *args: str) -> str:
        result = subprocess.run(
            [sys.executable, "manage.py", *args], cwd=ROOT, env=self.env, capture_output=True, text=True, timeout=300
        )
        assert result.returncode == 0, result.stdout + result.stderr
        return result.stdout

    def command(self, service: str) -> list[str]:
        """The service's command from docker-compose.yml, adapted only where the host differs."""
        command = service_command(service)
        command = [f"127.0.0.1:{self.port}" if part == "0.0.0.0:8000" else part for part in command]
        # The compose file keeps beat's files in the container's /tmp; here, the test's folder.
        command = [part.replace("/tmp/", f"{self.tmp}/") for part in command]  # noqa: S108
        return command

    def start(self, service: str, *, name: str | None = None, args: tuple[str, ...] = (), **env: str) -> None:
        """Start a service (under `name`, to run a second copy), with extra arguments and env."""
        name = name or service
        self.stop(name)
        command = [*self.command(service), *args]
        executable = str(Path(sys.executable).parent / command[0])
        log = (self.tmp / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(
            [executable, *command[1:]], cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
        )

    def stop(self, name: str) -> None:
        process = self.processes.pop(name, None)
        if process is not None and process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                process.kill()

    def stop_all(self) -> None:
        for name in list(self.processes):
            self.stop(name)

    def logs(self) -> str:
        return "\n".join(f"--- {p.name}\n{p.read_text()[-3000:]}" for p in sorted(self.tmp.glob("*.log")))

    def wait_ready(self, timeout: float = 60, path: str = "/healthz") -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(self.url + path, timeout=3) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.5)
        raise AssertionError(f"the web process never answered {path}\n{self.logs()}")

    def emails(self) -> list[email.message.EmailMessage]:
        return read_emails(self.mail)

    def wait_for(self, condition, *, timeout: float, what: str, interval: float = 0.5):
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            result = condition()
            if result:
                return result
            time.sleep(interval)
        raise AssertionError(f"timed out waiting for {what}\n{self.logs()}")
