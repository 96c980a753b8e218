"""Celery tasks: the daily sweep (from beat) and sending one reminder."""

from __future__ import annotations

import logging

from celery import shared_task

from common.mail import MAIL_MAX_RETRIES, retrying_mail
from outbox.services import outbox_enqueue
from outbox.tasks import OutboxTask

from . import services

logger = logging.getLogger(__name__)


@shared_task(name="reminders.sweep")
def sweep() -> dict:
    """Plan what is due today and queue one send task per e-mail (a digest per recipient)."""
    report = services.reminders_sweep()
    batches = services.reminder_batches(report.new_reminders)
    for reminder_ids in batches:
        outbox_enqueue(task=send_batch, args=[reminder_ids])
    logger.info(
        "reminder sweep %s: %d planned, %d to send in %d e-mails, %d agreements in force, %d expired",
        report.today,
        len(report.planned),
        len(report.new_reminders),
        len(batches),
        len(report.started_agreements),
        len(report.expired_agreements),
    )
    return {
        "today": report.today.isoformat(),
        "planned": len(report.planned),
        "queued": len(report.new_reminders),
        "emails": len(batches),
    }


class RecordFinalFailure(OutboxTask):
    """When the retries are used up, the reminders are marked failed with the error, for staff to see."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        ids = kwargs.get("reminder_ids") or kwargs.get("reminder_id") or (args[0] if args else None)
        if ids is not None:
            services.reminder_failed(
                reminder_ids=ids if isinstance(ids, list) else [ids], error=f"{type(exc).__name__}: {exc}"
            )
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(name="reminders.send_batch", base=RecordFinalFailure, bind=True, max_retries=MAIL_MAX_RETRIES)
def send_batch(self, reminder_ids: list[int]) -> int:
    """Send one recipient's reminders in one e-mail; temporary delivery errors are retried."""
    with retrying_mail(self):
        return services.reminder_send_batch(reminder_ids=reminder_ids)


@shared_task(name="reminders.send", base=RecordFinalFailure, bind=True, max_retries=MAIL_MAX_RETRIES)
def send(self, reminder_id: int) -> bool:
    """Send one reminder on its own (messages queued before digests existed)."""
    with retrying_mail(self):
        return services.reminder_send(reminder_id=reminder_id)
