"""Celery tasks of the accounts app."""

from __future__ import annotations

from celery import shared_task

from agreements.tasks import TRANSIENT_MAIL_ERRORS


@shared_task(autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=6)
def send_invitation(invitation_id: int) -> bool:
    """Email a partner's contact the link to open their portal account."""
    from .services import invitation_send

    return invitation_send(invitation_id=invitation_id)
