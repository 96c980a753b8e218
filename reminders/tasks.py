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
    """Plan what is due today and queue one send task per reminder still to send."""
    report = services.reminders_sweep()
    for reminder_id in report.new_reminders:
        outbox_enqueue(task=send, args=[reminder_id])
    logger.info(
        "reminder sweep %s: %d planned, %d to send, %d agreements expired",
        report.today,
        len(report.planned),
        len(report.new_reminders),
        len(report.expired_agreements),
    )
    return {"today": report.today.isoformat(), "planned": len(report.planned), "queued": len(report.new_reminders)}


class RecordFinalFailure(OutboxTask):
    """When the retries are used up, the reminder is marked failed with the error, for staff to see."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        reminder_id = kwargs.get("reminder_id", args[0] if args else None)
        if reminder_id is not None:
            services.reminder_failed(reminder_id=reminder_id, error=f"{type(exc).__name__}: {exc}")
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(name="reminders.send", base=RecordFinalFailure, bind=True, max_retries=MAIL_MAX_RETRIES)
def send(self, reminder_id: int) -> bool:
    """Send one reminder; temporary delivery errors are retried with growing delays."""
    with retrying_mail(self):
        return services.reminder_send(reminder_id=reminder_id)
