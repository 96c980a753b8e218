"""Celery application: settings under the CELERY_ namespace, tasks autodiscovered."""

import inspect
import os
import socket
import time

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "qatif_partnerships.settings")

# Every task runs through the outbox guard (a duplicate delivery does nothing).
app = Celery("qatif_partnerships", task_cls="outbox.tasks:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.setup_logging.connect
def _log_like_web(**kwargs) -> None:
    """Worker and beat log through settings.LOGGING, as gunicorn does: the same JSON objects
    (LOG_FORMAT=json), the same token redaction. A receiver here stops Celery from replacing
    the root logger's handlers with its own plain-text ones (worker_hijack_root_logger)."""
    import logging
    from logging.config import dictConfig

    from django.conf import settings

    dictConfig(settings.LOGGING)
    # Python warnings (e.g. Celery's when run as root) become log records too, not bare stderr.
    logging.captureWarnings(True)


# One structured log object per task run: name, id, final state, duration and, where the
# task's arguments name one, the agreement it was about.
_started: dict[str, float] = {}
_failed: dict[str, str] = {}

# The argument that identifies the agreement a task works on, and how to reach its reference.
_REFERENCE_OF = {
    "agreement_id": ("Agreement", "reference"),
    "amendment_id": ("Amendment", "agreement__reference"),
    "signing_request_id": ("SigningRequest", "agreement__reference"),
}


def task_reference(task, args, kwargs) -> str:
    """The reference of the agreement a task run was about ("" when its arguments name none)."""
    try:
        bound = inspect.signature(task.run).bind_partial(*(args or ()), **(kwargs or {})).arguments
    except (TypeError, ValueError):
        return ""
    for argument, (model_name, field) in _REFERENCE_OF.items():
        if isinstance(bound.get(argument), int):
            from django.apps import apps

            model = apps.get_model("agreements", model_name)
            return model.objects.filter(pk=bound[argument]).values_list(field, flat=True).first() or ""
    return ""


@signals.task_prerun.connect
def _task_started(task_id=None, **kwargs) -> None:
    _started[task_id] = time.perf_counter()


@signals.task_failure.connect
def _task_failed(task_id=None, exception=None, **kwargs) -> None:
    # Logged with the run's one object, in task_postrun, which follows.
    _failed[task_id] = f"{type(exception).__name__}: {exception}"


@signals.task_postrun.connect
def _task_finished(task_id=None, task=None, args=None, kwargs=None, retval=None, state=None, **extra) -> None:
    from common.logging import task_logger

    started = _started.pop(task_id, None)
    error = _failed.pop(task_id, None)
    try:
        reference = task_reference(task, args, kwargs)
    except Exception:  # the log line must never fail the task (e.g. the database is down)
        reference = ""
    if not reference and isinstance(retval, dict):
        reference = retval.get("reference") or ""
    fields = {
        "task": task.name if task else "",
        "task_id": task_id,
        "state": state,
        "duration_ms": round((time.perf_counter() - started) * 1000, 1) if started else None,
        "reference": reference,
    }
    # The message repeats the fields for the plain format (`make run`), which shows no extras.
    message = " ".join(str(part) for part in (fields["task"], state, f"{fields['duration_ms']} ms", reference) if part)
    if error is not None:
        task_logger.error("%s: %s", message, error, extra={**fields, "error": error})
    else:
        task_logger.info("%s", message, extra=fields)


@app.task(name="portal.ping")
def ping(payload: str = "") -> dict[str, str]:
    """Answer with the payload and the worker's host: proves broker and worker work (readyz, tests)."""
    return {"pong": payload, "host": socket.gethostname()}
