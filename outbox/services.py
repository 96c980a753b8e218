"""The outbox: record Celery work with the change that causes it, publish it, run it once.

outbox_enqueue   in the caller's transaction; published when it commits
outbox_publish   hand one message to the broker (after commit, or from the drain)
outbox_drain     periodic: publish what never reached the broker, and what the broker lost
outbox_start     on the worker, before running: claim the message, or skip a duplicate
outbox_finish    on the worker, after running
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from functools import cache

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone
from kombu.exceptions import OperationalError as BrokerError

from .models import OutboxMessage

logger = logging.getLogger(__name__)

# A publisher that died between claiming and publishing loses its claim after this long.
PUBLISH_LEASE = timedelta(seconds=60)
# A worker that died while running loses its claim after this long: the hard time limit
# has killed any run that is still going by then.
RUN_LEASE_MARGIN = timedelta(seconds=60)
# A message that keeps killing its worker (or timing out) is given up after this many runs.
MAX_RUNS = 5
KEEP_DONE = timedelta(days=30)


def _run_lease() -> timedelta:
    return timedelta(seconds=settings.CELERY_TASK_TIME_LIMIT) + RUN_LEASE_MARGIN


def _redeliver_after() -> timedelta:
    return timedelta(seconds=settings.OUTBOX_REDELIVER_AFTER)


@cache
def _broker_errors() -> tuple[type[BaseException], ...]:
    with current_app.connection_for_write() as connection:
        transport_errors = connection.connection_errors + connection.channel_errors
    return (BrokerError, OSError, TimeoutError, *transport_errors)


def outbox_enqueue(*, task: Task | str, args: list | tuple = (), kwargs: dict | None = None) -> OutboxMessage:
    """Record `task(*args, **kwargs)` now; it is published when the current transaction commits.

    If the transaction rolls back, the work is forgotten with it. If the broker is down at
    commit, the message waits in the table for the drain.
    """
    name = task if isinstance(task, str) else task.name
    if name not in current_app.tasks:
        raise ValueError(f"unknown task {name!r}")
    message = OutboxMessage.objects.create(task=name, args=list(args), kwargs=kwargs or {}, due_at=timezone.now())
    transaction.on_commit(lambda: outbox_publish(message_id=message.pk))
    return message


def outbox_publish(*, message_id: int) -> bool:
    """Hand one message to the broker; False when it is not ours to publish or the broker is down."""
    now = timezone.now()
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, published_at__isnull=True, done_at__isnull=True)
        .filter(Q(publishing_at__isnull=True) | Q(publishing_at__lt=now - PUBLISH_LEASE))
        .update(publishing_at=now, publish_attempts=F("publish_attempts") + 1)
    )
    if claimed != 1:
        return False
    return _send(OutboxMessage.objects.get(pk=message_id))


def _send(message: OutboxMessage) -> bool:
    task = current_app.tasks[message.task]
    try:
        task.apply_async(
            args=message.args,
            kwargs=message.kwargs,
            task_id=message.celery_task_id,
            eta=message.due_at if message.due_at > timezone.now() else None,
            ignore_result=True,
            retry=False,  # a page must not hang on a dead broker: the drain tries again
        )
    except _broker_errors() as error:
        logger.warning("broker unreachable, %s stays in the outbox: %r", message, error)
        OutboxMessage.objects.filter(pk=message.pk).update(publishing_at=None, error=f"publish: {error!r}"[:2000])
        return False
    OutboxMessage.objects.filter(pk=message.pk).update(published_at=timezone.now(), publishing_at=None)
    return True


def outbox_drain(*, now: datetime | None = None, limit: int = 500) -> dict[str, int]:
    """Publish what never reached the broker, and again what it lost.

    Lost means: published long ago (OUTBOX_REDELIVER_AFTER) and never started — e.g. Redis
    restarted empty — or started by a worker that died and whose run lease has passed. A copy
    published twice is harmless: only one delivery can claim the message (outbox_start).
    """
    now = now or timezone.now()
    lost = Q(
        published_at__lt=now - _redeliver_after(), due_at__lt=now - _redeliver_after(), started_at__isnull=True
    ) | Q(published_at__isnull=False, started_at__lt=now - _run_lease())
    lost_ids = list(
        OutboxMessage.objects.filter(lost, done_at__isnull=True).order_by("due_at").values_list("pk", flat=True)[:limit]
    )
    if lost_ids:
        # Back to "not published", then through the same claim as every other publish.
        OutboxMessage.objects.filter(pk__in=lost_ids, done_at__isnull=True).update(published_at=None)
    waiting = list(
        OutboxMessage.objects.filter(published_at__isnull=True, done_at__isnull=True, due_at__lte=now)
        .order_by("due_at")
        .values_list("pk", flat=True)[:limit]
    )
    published = 0
    for message_id in waiting:
        if outbox_publish(message_id=message_id):
            published += 1
        elif not OutboxMessage.objects.filter(pk=message_id, published_at__isnull=False).exists():
            break  # the broker is down: the next drain carries on
    purged, _kinds = OutboxMessage.objects.filter(done_at__lt=now - KEEP_DONE).delete()
    return {"waiting": len(waiting), "lost": len(lost_ids), "published": published, "purged": purged}


def outbox_start(*, message_id: int, retries: int = 0, redelivered: bool = False) -> bool:
    """Claim a message for this run; False for a duplicate delivery, which must do nothing.

    A run may start when none is going: never started, its worker's lease ran out, it is
    the task's own retry (a higher retry count), or the broker redelivered it because the
    worker that held it died.
    """
    now = timezone.now()
    free = Q(started_at__isnull=True) | Q(started_at__lt=now - _run_lease()) | Q(attempt__lt=retries)
    if redelivered:
        free |= Q(started_at__isnull=False)
    claimed = (
        OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True, runs__lt=MAX_RUNS)
        .filter(free)
        .update(
            started_at=now,
            attempt=retries,
            runs=F("runs") + 1,
            published_at=Coalesce(F("published_at"), Value(now)),
        )
    )
    if claimed == 1:
        return True
    gave_up = OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True, runs__gte=MAX_RUNS).update(
        done_at=now, error=f"given up after {MAX_RUNS} runs"
    )
    if gave_up:
        logger.error("outbox message %s given up after %s runs", message_id, MAX_RUNS)
    return False


def outbox_retry(*, message_id: int, retries: int, when: datetime | float | None) -> None:
    """The task asked to be retried (`when`: its countdown in seconds or its ETA): free the
    claim, unless the retry has already taken it, and keep the drain away until it is due."""
    if when is None or isinstance(when, (int, float)):
        when = timezone.now() + timedelta(seconds=when or 0)
    OutboxMessage.objects.filter(pk=message_id, done_at__isnull=True, attempt=retries).update(
        started_at=None, due_at=when
    )


def outbox_finish(*, message_id: int, error: str = "") -> None:
    OutboxMessage.objects.filter(pk=message_id).update(done_at=timezone.now(), error=error[:2000])
