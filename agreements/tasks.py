"""Celery tasks of the agreements app. Each takes ids and delegates to a service.

Importing this module (Celery autodiscovers it when a worker starts) also connects the
PDF renderer's warm-up to every worker process.
"""

from __future__ import annotations

import logging
import smtplib

from celery import shared_task
from celery.signals import worker_process_init

from agreements.pdf.signals import warm_up_pdf_renderer

logger = logging.getLogger(__name__)

worker_process_init.connect(warm_up_pdf_renderer, dispatch_uid="agreements.pdf.warm_up")

# Delivery problems worth retrying with backoff: the server was unreachable, dropped the
# connection, or answered with a temporary (4xx) code. A 5xx answer is final.
TRANSIENT_MAIL_ERRORS = (
    smtplib.SMTPServerDisconnected,
    smtplib.SMTPConnectError,
    ConnectionError,
    TimeoutError,
)


def is_transient(error: BaseException) -> bool:
    if isinstance(error, TRANSIENT_MAIL_ERRORS):
        return True
    if isinstance(error, smtplib.SMTPResponseException):
        return 400 <= error.smtp_code < 500
    if isinstance(error, smtplib.SMTPRecipientsRefused):
        return all(400 <= code < 500 for code, _message in error.recipients.values())
    return False


@shared_task(
    autoretry_for=TRANSIENT_MAIL_ERRORS,
    retry_backoff=True,
    retry_jitter=True,
    max_retries=6,
)
def invite_signatory(signing_request_id: int, resend: bool = False, by_user_id: int | None = None) -> bool:
    """Email a signatory a new personal signing link."""
    from accounts.models import User

    from .signing.services import signing_invite

    by = User.objects.filter(pk=by_user_id).first() if by_user_id else None
    return signing_invite(signing_request_id=signing_request_id, resend=resend, by=by) is not None


@shared_task(autoretry_for=TRANSIENT_MAIL_ERRORS, retry_backoff=True, retry_jitter=True, max_retries=6)
def notify_decline(signing_request_id: int) -> None:
    """Tell the agreement's owner that a signatory declined, and why."""
    from .emails import send_decline_notice
    from .models import SigningRequest

    request = SigningRequest.objects.select_related("agreement__owner").filter(pk=signing_request_id).first()
    if request is not None:
        send_decline_notice(request)
