"""The base class of every task (see qatif_partnerships/celery.py) and the periodic drain."""

from __future__ import annotations

import logging

from celery import Task, shared_task
from celery.exceptions import Retry

logger = logging.getLogger(__name__)


class OutboxTask(Task):
    """Runs a task published from the outbox at most once to completion.

    A delivery whose message is already running or done (a copy the drain published again,
    or a message the broker delivered twice) is acknowledged and does nothing.
    """

    def __call__(self, *args, **kwargs):
        from .models import OutboxMessage
        from .services import outbox_finish, outbox_retry, outbox_start

        message_id = OutboxMessage.pk_from_task_id(self.request.id)
        if message_id is None:
            return super().__call__(*args, **kwargs)
        retries = self.request.retries or 0
        redelivered = bool((self.request.delivery_info or {}).get("redelivered"))
        if not outbox_start(message_id=message_id, retries=retries, redelivered=redelivered):
            logger.info("%s: outbox message %s is running or done; duplicate skipped", self.name, message_id)
            return None
        try:
            result = super().__call__(*args, **kwargs)
        except Retry as retry:
            outbox_retry(message_id=message_id, retries=retries, when=retry.when)
            raise
        except BaseException as error:
            outbox_finish(message_id=message_id, error=f"{type(error).__name__}: {error}")
            raise
        outbox_finish(message_id=message_id)
        return result


@shared_task(name="outbox.drain")
def drain() -> dict:
    """Publish queued work the broker never received or lost (beat, every OUTBOX_DRAIN_INTERVAL)."""
    from .services import outbox_drain

    report = outbox_drain()
    if report["lost"] or report["published"]:
        logger.info("outbox drain: %s", report)
    return report
