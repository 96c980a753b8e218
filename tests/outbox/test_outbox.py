"""The outbox: work recorded with the change that causes it, published, run at most once."""

from __future__ import annotations

import pytest
from celery import shared_task
from django.db import transaction
from django.utils import timezone

from outbox.models import OutboxMessage
from outbox.services import MAX_RUNS, outbox_drain, outbox_enqueue, outbox_start

pytestmark = pytest.mark.django_db

RUNS: list[tuple] = []


@shared_task(name="tests.outbox.record")
def record(value: str) -> str:
    RUNS.append(("record", value))
    return value


@shared_task(name="tests.outbox.flaky", bind=True, max_retries=3)
def flaky(self, value: str) -> str:
    RUNS.append(("flaky", value, self.request.retries))
    if self.request.retries == 0:
        raise self.retry(countdown=0)
    return value


@pytest.fixture(autouse=True)
def _runs():
    RUNS.clear()
    yield
    RUNS.clear()


def deliver(message: OutboxMessage):
    """What a worker does with one delivery of the message (in this process)."""
    return record.apply(args=message.args, task_id=message.celery_task_id)


def test_work_queued_in_a_rolled_back_transaction_is_forgotten(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                outbox_enqueue(task=record, args=["lost"])
                raise RuntimeError("the change failed")
    assert not OutboxMessage.objects.exists()
    assert RUNS == []


def test_queued_work_runs_after_commit_and_is_marked_done(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with transaction.atomic():
            message = outbox_enqueue(task=record, args=["once"])
            assert RUNS == []  # nothing runs before the change is committed
    message.refresh_from_db()
    assert RUNS == [("record", "once")]
    assert message.published_at and message.started_at and message.done_at
    assert (message.runs, message.error) == (1, "")


def test_unknown_task_is_refused_when_queued():
    with pytest.raises(ValueError, match="unknown task"):
        outbox_enqueue(task="no.such.task")


def test_a_second_delivery_of_a_finished_message_does_nothing(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        message = outbox_enqueue(task=record, args=["x"])
    assert deliver(message).result is None
    assert RUNS == [("record", "x")]
    message.refresh_from_db()
    assert message.runs == 1


def test_a_delivery_while_another_runs_does_nothing_but_a_redelivery_takes_over():
    message = outbox_enqueue(task=record, args=["x"])  # not committed here: nothing published
    assert outbox_start(message_id=message.pk)  # a worker is running it
    assert deliver(message).result is None  # a copy published again by the drain
    assert RUNS == []
    # The broker hands the message back because the worker holding it died (the flag a
    # worker reads from the delivery; tests/faults proves it with a killed worker).
    assert outbox_start(message_id=message.pk, redelivered=True)


def test_a_run_whose_worker_died_is_given_to_another_after_the_lease(settings):
    message = outbox_enqueue(task=record, args=["x"])
    assert outbox_start(message_id=message.pk)
    lease = settings.CELERY_TASK_TIME_LIMIT + 60
    OutboxMessage.objects.filter(pk=message.pk).update(
        started_at=timezone.now() - timezone.timedelta(seconds=lease - 5)
    )
    assert not outbox_start(message_id=message.pk)
    OutboxMessage.objects.filter(pk=message.pk).update(
        started_at=timezone.now() - timezone.timedelta(seconds=lease + 5)
    )
    assert outbox_start(message_id=message.pk)


def test_the_tasks_own_retry_runs_again_and_only_it():
    message = outbox_enqueue(task=flaky, args=["y"])
    # As a worker runs it: the retry is a new delivery of the same message, one retry later.
    assert flaky.apply(args=message.args, task_id=message.celery_task_id, throw=False).result == "y"
    assert RUNS == [("flaky", "y", 0), ("flaky", "y", 1)]
    message.refresh_from_db()
    assert message.done_at is not None
    assert message.runs == 2


def test_a_message_that_keeps_killing_its_worker_is_given_up():
    message = outbox_enqueue(task=record, args=["x"])
    for _ in range(MAX_RUNS):
        assert outbox_start(message_id=message.pk, redelivered=True)
    assert not outbox_start(message_id=message.pk, redelivered=True)
    message.refresh_from_db()
    assert message.done_at is not None
    assert "given up" in message.error


def test_drain_publishes_what_never_reached_the_broker():
    message = outbox_enqueue(task=record, args=["late"])  # the commit's publish never happened
    assert outbox_drain()["published"] == 1
    assert RUNS == [("record", "late")]
    message.refresh_from_db()
    assert message.done_at is not None
    assert outbox_drain() == {"waiting": 0, "lost": 0, "published": 0, "purged": 0}
    assert RUNS == [("record", "late")]


def test_drain_publishes_again_what_the_broker_lost_and_only_that(settings):
    settings.OUTBOX_REDELIVER_AFTER = 300
    now = timezone.now()
    lost = outbox_enqueue(task=record, args=["lost"])
    recent = outbox_enqueue(task=record, args=["recent"])
    running = outbox_enqueue(task=record, args=["running"])
    long_ago = now - timezone.timedelta(seconds=400)
    OutboxMessage.objects.filter(pk=lost.pk).update(published_at=long_ago, due_at=long_ago)
    OutboxMessage.objects.filter(pk=recent.pk).update(published_at=now, due_at=now)
    OutboxMessage.objects.filter(pk__in=[running.pk]).update(published_at=long_ago, due_at=long_ago, started_at=now)
    report = outbox_drain()
    assert (report["lost"], report["published"]) == (1, 1)
    assert RUNS == [("record", "lost")]


def test_drain_leaves_a_retry_alone_until_it_is_due(settings):
    settings.OUTBOX_REDELIVER_AFTER = 300
    message = outbox_enqueue(task=record, args=["later"])
    soon = timezone.now() + timezone.timedelta(seconds=600)
    OutboxMessage.objects.filter(pk=message.pk).update(published_at=timezone.now(), due_at=soon)
    assert outbox_drain(now=soon + timezone.timedelta(seconds=200))["lost"] == 0
    assert outbox_drain(now=soon + timezone.timedelta(seconds=400))["lost"] == 1


def test_drain_purges_finished_messages_after_thirty_days():
    old = outbox_enqueue(task=record, args=["old"])
    kept = outbox_enqueue(task=record, args=["kept"])
    now = timezone.now()
    OutboxMessage.objects.filter(pk=old.pk).update(done_at=now - timezone.timedelta(days=31))
    OutboxMessage.objects.filter(pk=kept.pk).update(done_at=now - timezone.timedelta(days=29))
    assert outbox_drain()["purged"] == 1
    assert list(OutboxMessage.objects.values_list("pk", flat=True)) == [kept.pk]
