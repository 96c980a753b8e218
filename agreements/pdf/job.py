"""Making the signed PDF of a fully signed agreement: render, seal, store, once.

`signed_pdf_make(agreement_id=...)` claims the agreement with a conditional UPDATE
(pending, or rendering for longer than the lease because a worker died), renders the
Arabic and English documents with WeasyPrint, seals each with the charity's certificate
(pyHanko), stores them under content-addressed names through Django's storage API, and
records them. A second run finds the agreement no longer pending and does nothing, so
running the task twice yields one stored PDF per language.
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.urls import reverse
from django.utils import translation

from outbox.services import outbox_enqueue

from ..audit import audit_record
from ..measures import SIGNED_STATUSES
from ..models import (
    Agreement,
    Amendment,
    AuditEvent,
    AuditKind,
    PdfKind,
    PdfStatus,
    Signature,
    SignedPdf,
)
from .claims import pdf_claim, pdf_failed, pdf_release, pdf_requeue
from .context import AuditLine, PdfInput, SignatureBlock
from .render import render_agreement_pdf
from .seal import seal_pdf

logger = logging.getLogger(__name__)

LANGUAGES = ("ar", "en")


@dataclass(frozen=True)
class Made:
    reference: str
    sha256: dict[str, str]


def verification_url(agreement: Agreement) -> str:
    return settings.SITE_URL + reverse("verify", args=[agreement.verification_code])


def _signature_blocks(agreement: Agreement, amendment: Amendment | None = None) -> list[SignatureBlock]:
    """The signatures of the agreement itself, or of one of its amendments."""
    signatures = (
        Signature.objects.filter(request__agreement=agreement, request__amendment=amendment)
        .select_related("request")
        .order_by("request__party", "signed_at")
    )
    blocks = []
    for signature in signatures:
        image = None
        if signature.method == "drawn":
            with signature.image.open("rb") as handle:
                image = handle.read()
        blocks.append(
            SignatureBlock(
                party=signature.request.party,
                name=signature.signer_name,
                title=signature.signer_title,
                email=signature.request.email,
                signed_at=signature.signed_at,
                ip=signature.ip or "",
                user_agent=signature.user_agent,
                method=signature.method,
                via=signature.channel,
                image_png=image,
                typed_text=signature.typed_text,
                identity_checked_at=signature.request.identity_checked_at,
            )
        )
    return blocks


def _audit_lines(agreement: Agreement, language: str) -> list[AuditLine]:
    with translation.override(language):
        return [
            AuditLine(at=event.at, event=str(event.get_kind_display()), actor=event.actor_label)
            for event in AuditEvent.objects.filter(agreement=agreement).order_by("sequence")
        ]


def _claim(agreement_id: int, task_id: str) -> bool:
    return pdf_claim(Agreement.objects.filter(pk=agreement_id, status__in=SIGNED_STATUSES), task_id)


def signed_pdf_make(*, agreement_id: int, task_id: str = "") -> Made | None:
    """Render, seal and store the signed PDFs; None when there is nothing to do."""
    if not _claim(agreement_id, task_id):
        return None
    agreement = Agreement.objects.select_related("partner").get(pk=agreement_id)
    blocks = _signature_blocks(agreement)
    documents: dict[str, bytes] = {}
    for language in LANGUAGES:
        data = PdfInput.build(
            agreement=agreement,
            signatures=blocks,
            audit=_audit_lines(agreement, language),
            content_hash=agreement.content_hash,
            verification_url=verification_url(agreement),
            language=language,
        )
        documents[language] = seal_pdf(render_agreement_pdf(data))
    stored: dict[str, str] = {}
    with transaction.atomic():
        locked = Agreement.objects.select_for_update().get(pk=agreement_id)
        if locked.pdf_status != PdfStatus.RENDERING or locked.pdf_claimed_by != task_id:
            return None  # another worker finished first; keep its files
        for language, pdf in documents.items():
            digest = hashlib.sha256(pdf).hexdigest()
            # Content-addressed name: written whole under a new name, then recorded.
            name = default_storage.save(f"signed/{agreement.reference}-{language}-{digest[:16]}.pdf", ContentFile(pdf))
            # Only the agreement's own PDF: its addenda and consolidated texts stay.
            previous = SignedPdf.objects.filter(agreement=locked, kind=PdfKind.AGREEMENT, language=language).first()
            if previous is not None:
                old_name = previous.file.name
                previous.delete()
                transaction.on_commit(lambda old_name=old_name: default_storage.delete(old_name))
            SignedPdf.objects.create(agreement=locked, language=language, file=name, sha256=digest, size=len(pdf))
            stored[language] = digest
        Agreement.objects.filter(pk=agreement_id).update(pdf_status=PdfStatus.READY, pdf_error="")
        audit_record(agreement=locked, kind=AuditKind.PDF_ISSUED, actor_label="—", details={"sha256": stored})
        from ..tasks import send_signed_pdf

        outbox_enqueue(task=send_signed_pdf, args=[agreement_id])
    return Made(reference=agreement.reference, sha256=stored)


def signed_pdf_failed(*, agreement_id: int, error: str) -> None:
    """Record the final failure for staff to see (with a retry button)."""
    pdf_failed(Agreement.objects.filter(pk=agreement_id), error)


def signed_pdf_release(*, agreement_id: int, error: str) -> None:
    """A transient error: give the claim back so the retry can take it."""
    pdf_release(Agreement.objects.filter(pk=agreement_id), error)


def signed_pdf_retry(*, agreement: Agreement) -> bool:
    """Staff ask for a failed PDF to be made again; True if it was queued."""
    from ..tasks import render_signed_pdf

    queued = pdf_requeue(Agreement.objects.filter(pk=agreement.pk))
    if queued:
        outbox_enqueue(task=render_signed_pdf, args=[agreement.pk])
    return queued


def pdf_mismatch_report(*, pdf: SignedPdf, found: str) -> None:
    """A stored signed PDF no longer has its recorded SHA-256: logged, and the administrators
    (active superusers with an e-mail address) told by the worker, at most once an hour per file."""
    from django.core.cache import cache

    from ..tasks import notify_pdf_mismatch

    logger.error(
        "stored signed PDF does not match its recorded hash",
        extra={"reference": pdf.agreement.reference, "pdf": pdf.pk, "recorded": pdf.sha256, "found": found},
    )
    try:
        first = cache.add(f"pdf-mismatch:{pdf.pk}", 1, 3600)
    except Exception:
        first = True
    if first:
        outbox_enqueue(task=notify_pdf_mismatch, args=[pdf.pk, found])
