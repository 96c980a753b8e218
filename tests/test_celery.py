"""A real Celery worker process, fed through Redis, runs the portal's ping task."""

import os
import re
import signal
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from celery import Celery

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.worker
def test_worker_runs_the_ping_task_through_redis(redis_url):
    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = {**os.environ, "CELERY_BROKER_URL": redis_url, "CELERY_RESULT_BACKEND": redis_url}
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "qatif_partnerships",
            "worker",
            "-Q",
            queue,
            "--pool",
            "solo",
            "--without-mingle",
            "--without-gossip",
            "--loglevel",
            "INFO",
        ],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    client = Celery(broker=redis_url, backend=redis_url)
    try:
        result = client.send_task("portal.ping", args=["سلام"], queue=queue)
        answer = result.get(timeout=60)
    finally:
        worker.send_signal(signal.SIGTERM)
        output, _ = worker.communicate(timeout=30)
    assert answer["pong"] == "سلام"
    assert answer["host"]
    # One line per task run, from portal.task (Celery's own "succeeded" line is not repeated).
    assert re.search(r"INFO portal\.task portal\.ping SUCCESS [\d.]+ ms\n", output), output[-2000:]
