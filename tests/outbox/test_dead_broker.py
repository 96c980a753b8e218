"""Publishing to a broker that is down fails at once: the outbox keeps the work, the page answers."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading

from tests.stack import ROOT

PUBLISH = """
from celery import current_app
from outbox.services import _broker_errors
try:
    current_app.send_task("outbox.tasks.outbox_drain", retry=False, ignore_result=True)
except _broker_errors() as error:
    print("refused:", type(error).__name__)
"""


def test_a_publish_to_a_dead_broker_connects_once_and_fails(tmp_path):
    # A "Redis" that accepts each connection and closes it at once: every attempt is counted.
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen(16)
    server.settimeout(0.2)
    attempts: list[int] = []
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                connection, _ = server.accept()
            except TimeoutError:
                continue
            attempts.append(1)
            connection.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    port = server.getsockname()[1]
    env = {
        "PATH": "/usr/bin:/bin",
        "DEBUG": "false",
        "SECRET_KEY": "x" * 50,
        "SITE_URL": "https://partnerships.example.org",
        "DATABASE_URL": f"sqlite:///{tmp_path / 'unused.sqlite3'}",
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "VAR_DIR": str(tmp_path / "var"),
    }
    try:
        result = subprocess.run(
            [sys.executable, "manage.py", "shell", "-c", PUBLISH],
            cwd=ROOT,
            env=env,
            capture_output=True,
            text=True,
            timeout=120,
        )
    finally:
        stop.set()
        thread.join()
        server.close()
    assert "refused: ConnectionError" in result.stdout or "refused: OperationalError" in result.stdout, (
        result.stdout + result.stderr
    )
    # kombu's default is to retry the connection (seconds per message); here it is tried once.
    assert len(attempts) == 1, attempts
