"""Celery application: settings under the CELERY_ namespace, tasks autodiscovered."""

import os
import socket
import time

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")

# Every task runs through the outbox guard (a duplicate delivery does nothing).
app = Celery("qatif_partnerships", task_cls="outbox.tasks:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


# One structured log line per task, with the agreement reference when the task returns one.
_started: dict[str, float] = {}


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs):
    _started[task_id] = time.perf_counter()


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, args=None, retval=None, state=None, **kwargs):
    from common.logging import task_logger

    started = _started.pop(task_id, None)
    task_logger.info(
        "task",
        extra={
            "task": task.name if task else "",
            "task_id": task_id,
            "task_args": list(args or []),
            "state": state,
            "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
            "reference": retval.get("reference", "") if isinstance(retval, dict) else "",
        },
    )


@signals.task_failure.connect
def _task_failed(task_id=None, exception=None, sender=None, args=None, **kwargs):
    from common.logging import task_logger

    task_logger.error(
        "task failed",
        extra={
            "task": sender.name if sender else "",
            "task_id": task_id,
            "task_args": list(args or []),
            "error": repr(exception),
        },
    )


@app.task(name="portal.ping")
def ping(payload: str = "") -> dict[str, str]:
    """Answer with the payload and the worker's host: proves broker and worker work (readyz, tests)."""
    return {"pong": payload, "host": socket.gethostname()}
