"""Celery tasks of the agreements app. Each takes ids and delegates to a service.

Importing this module (Celery autodiscovers it when a worker starts) also connects the
PDF renderer's warm-up to every worker process.
"""

from __future__ import annotations

import logging

from celery import shared_task
from celery.signals import worker_process_init

from agreements.pdf.signals import warm_up_pdf_renderer
from common.mail import MAIL_MAX_RETRIES, retrying_mail
from outbox.tasks import OutboxTask

logger = logging.getLogger(__name__)

worker_process_init.connect(warm_up_pdf_renderer, dispatch_uid="agreements.pdf.warm_up")


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def invite_signatory(
    self,
    signing_request_id: int,
    resend: bool = False,
    by_user_id: int | None = None,
    ip: str | None = None,
    user_agent: str = "",
) -> bool:
    """Email a signatory a new personal signing link (`ip`, `user_agent`: of the staff member's request)."""
    from accounts.models import User

    from .signing.services import signing_invite

    by = User.objects.filter(pk=by_user_id).first() if by_user_id else None
    with retrying_mail(self):
        token = signing_invite(
            signing_request_id=signing_request_id, resend=resend, by=by, ip=ip, user_agent=user_agent
        )
        return token is not None


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def notify_decline(self, signing_request_id: int) -> None:
    """Tell the agreement's owner that a signatory declined, and why."""
    from .emails import send_decline_notice
    from .models import SigningRequest

    request = SigningRequest.objects.select_related("agreement__owner").filter(pk=signing_request_id).first()
    if request is not None:
        with retrying_mail(self):
            send_decline_notice(request)


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def notify_pdf_mismatch(self, signed_pdf_id: int, found: str) -> None:
    """Tell the administrators that a stored signed PDF was changed (and is no longer served)."""
    from .emails import send_pdf_mismatch_notice
    from .models import SignedPdf

    pdf = SignedPdf.objects.select_related("agreement").filter(pk=signed_pdf_id).first()
    if pdf is not None:
        with retrying_mail(self):
            send_pdf_mismatch_notice(pdf, found)


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def send_progress_review(self, comment_id: int) -> None:
    """Tell the reporter of a progress report that it was accepted or sent back, with the comment."""
    from .emails import send_progress_review_email
    from .models import ProgressComment

    comment = (
        ProgressComment.objects.select_related("update__commitment__clause__agreement", "update__reported_by", "author")
        .filter(pk=comment_id)
        .first()
    )
    if comment is not None:
        with retrying_mail(self):
            send_progress_review_email(comment)


class RecordPdfFailure(OutboxTask):
    """The final failure of the PDF job is stored on the agreement for staff to see."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from .pdf.job import signed_pdf_failed

        agreement_id = kwargs.get("agreement_id", args[0] if args else None)
        if agreement_id is not None:
            signed_pdf_failed(agreement_id=agreement_id, error=f"{type(exc).__name__}: {exc}")
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(name="agreements.render_signed_pdf", base=RecordPdfFailure, bind=True, max_retries=5)
def render_signed_pdf(self, agreement_id: int) -> dict:
    """Render, seal and store the signed PDFs of a fully signed agreement (once)."""
    from django.db import InterfaceError, OperationalError

    from .pdf.job import signed_pdf_make, signed_pdf_release

    try:
        made = signed_pdf_make(agreement_id=agreement_id, task_id=self.request.id or "")
    except (OperationalError, InterfaceError, ConnectionError, TimeoutError) as error:
        # The database or the file store was unreachable: try again later.
        signed_pdf_release(agreement_id=agreement_id, error=f"{type(error).__name__}: {error}")
        if self.request.retries >= self.max_retries:
            raise
        raise self.retry(exc=error, countdown=min(600, 10 * 2**self.request.retries)) from error
    if made is None:
        return {"reference": "", "made": False}
    return {"reference": made.reference, "made": True, "sha256": made.sha256}


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def send_signed_pdf(self, agreement_id: int) -> None:
    """Email the signed PDF to every signatory."""
    from .emails import send_signed_pdf_email
    from .models import Agreement

    agreement = Agreement.objects.filter(pk=agreement_id).first()
    if agreement is None:
        return
    with retrying_mail(self):
        send_signed_pdf_email(agreement)


@shared_task(bind=True, max_retries=MAIL_MAX_RETRIES)
def send_addendum_pdf(self, amendment_id: int) -> None:
    """Email a signed amendment's sealed addendum to its signatories."""
    from .emails import send_addendum_pdf_email
    from .models import Amendment

    amendment = Amendment.objects.select_related("agreement").filter(pk=amendment_id).first()
    if amendment is None:
        return
    with retrying_mail(self):
        send_addendum_pdf_email(amendment)


class RecordAddendumFailure(OutboxTask):
    """The final failure of the addendum PDF job is stored on the amendment for staff to see."""

    def on_failure(self, exc, task_id, args, kwargs, einfo):
        from .pdf.addendum import addendum_pdf_failed

        amendment_id = kwargs.get("amendment_id", args[0] if args else None)
        if amendment_id is not None:
            addendum_pdf_failed(amendment_id=amendment_id, error=f"{type(exc).__name__}: {exc}")
        super().on_failure(exc, task_id, args, kwargs, einfo)


@shared_task(name="agreements.render_addendum_pdf", base=RecordAddendumFailure, bind=True, max_retries=5)
def render_addendum_pdf(self, amendment_id: int) -> dict:
    """Render, seal and store a signed amendment's addendum and the consolidated text (once)."""
    from django.db import InterfaceError, OperationalError

    from .pdf.addendum import addendum_pdf_make, addendum_pdf_release

    try:
        made = addendum_pdf_make(amendment_id=amendment_id, task_id=self.request.id or "")
    except (OperationalError, InterfaceError, ConnectionError, TimeoutError) as error:
        addendum_pdf_release(amendment_id=amendment_id, error=f"{type(error).__name__}: {error}")
        if self.request.retries >= self.max_retries:
            raise
        raise self.retry(exc=error, countdown=min(600, 10 * 2**self.request.retries)) from error
    if made is None:
        return {"amendment": amendment_id, "made": False}
    return {"amendment": amendment_id, "made": True, "sha256": made}
