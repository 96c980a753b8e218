"""The production processes, started natively with the commands docker-compose.yml uses.

There is no Docker engine on these machines, so the end-to-end and fault tests prove the
same processes: gunicorn (web), a Celery worker and Celery beat, read from the compose file,
with production settings (DEBUG off, the https redirect and secure cookies on), against a
database and a Redis the test chooses. As in compose, browsers reach web only through Caddy
(deploy/Caddyfile) over https, with Caddy's local certificate authority (`tls internal`, as
the README's local trial) on ports of the stack's own; health probes reach web directly.
Emails are written to a folder the test reads; media and the seal live in its folder.
"""

from __future__ import annotations

import email
import email.policy
import json
import os
import re
import secrets
import shutil
import signal
import socket
import ssl
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
        # Where gunicorn listens (compose's web:8000), probed directly as the healthcheck does.
        self.web_url = f"http://127.0.0.1:{self.port}"
        # What people open: Caddy's https port (compose's 443), and its plain http port.
        self.https_port, self.http_port, self.admin_port = free_port(), free_port(), free_port()
        self.url = f"https://localhost:{self.https_port}"
        self.caddy_data = tmp / "caddy_data"
        self.mail = tmp / "mail"
        self.media = tmp / "media"
        self.mail.mkdir(exist_ok=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.env = {
            **{k: v for k, v in os.environ.items() if k not in {"DJANGO_ALLOW_ASYNC_UNSAFE"}},
            "DEBUG": "false",
            "SECRET_KEY": secrets.token_urlsafe(50),
            # ALLOWED_HOSTS, the https redirect, secure cookies and HSTS: the production defaults.
            "SITE_URL": self.url,
            # Requests reach web through one proxy, Caddy (compose sets the same).
            "TRUSTED_PROXY_COUNT": "1",
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
        """Start a service (under `name`, to run a second copy), with extra arguments and env.

        Starting web starts Caddy in front of it too, if it is not running yet."""
        name = name or service
        self.stop(name)
        command = [*self.command(service), *args]
        executable = str(Path(sys.executable).parent / command[0])
        log = (self.tmp / f"{name}.log").open("a")
        self.processes[name] = subprocess.Popen(
            [executable, *command[1:]], cwd=ROOT, env={**self.env, **env}, stdout=log, stderr=subprocess.STDOUT
        )
        if service == "web" and "caddy" not in self.processes:
            self.start_proxy()

    def start_proxy(self) -> None:
        """Caddy with deploy/Caddyfile, as compose's caddy service runs it (the image's command)."""
        caddy = shutil.which("caddy")
        if caddy is None:
            from tests.conftest import service_missing

            service_missing("Caddy is not installed (Debian package caddy)")
        env = {
            "PATH": os.environ.get("PATH", ""),
            "HOME": str(self.tmp),
            "SITE_HOST": "localhost",
            "CADDY_TLS": "internal",
            "UPSTREAM": f"127.0.0.1:{self.port}",
            "CADDY_HTTP_PORT": str(self.http_port),
            "CADDY_HTTPS_PORT": str(self.https_port),
            "CADDY_ADMIN": f"localhost:{self.admin_port}",
            # The caddy_data and caddy_config volumes.
            "XDG_DATA_HOME": str(self.caddy_data),
            "XDG_CONFIG_HOME": str(self.tmp / "caddy_config"),
        }
        log = (self.tmp / "caddy.log").open("a")
        config = str(ROOT / "deploy" / "Caddyfile")
        self.processes["caddy"] = subprocess.Popen(
            [caddy, "run", "--config", config, "--adapter", "caddyfile"],
            cwd=self.tmp,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )

    def tls(self) -> ssl.SSLContext:
        """Trust Caddy's local authority, as a trial machine does once its root is installed."""
        root = self.caddy_data / "caddy" / "pki" / "authorities" / "local" / "root.crt"
        return ssl.create_default_context(cafile=str(root))

    def open(self, url: str, **kwargs):
        """urlopen for the portal's https address (through Caddy), trusting its authority."""
        return urllib.request.urlopen(url, context=self.tls(), timeout=kwargs.pop("timeout", 30), **kwargs)

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
        """Web answers its health probe directly (compose's healthcheck), then Caddy serves
        the portal over https (its certificate is issued once it runs)."""
        deadline = time.monotonic() + timeout
        for url, through_caddy in ((self.web_url, False), (self.url, True)):
            while True:
                try:
                    # The authority's root exists once Caddy has started (FileNotFoundError before).
                    context = self.tls() if through_caddy else None
                    with urllib.request.urlopen(url + path, timeout=3, context=context) as response:
                        if response.status == 200:
                            break
                except OSError:
                    pass
                if time.monotonic() > deadline:
                    raise AssertionError(f"{url}{path} never answered\n{self.logs()}")
                time.sleep(0.5)

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
