"""Making a signed amendment's PDFs: its addendum and the consolidated text, once.

`addendum_pdf_make(amendment_id=...)` works as the agreement's job (`job.py`): it claims
the amendment with a conditional UPDATE (pending, or rendering under an abandoned claim),
renders the addendum and the consolidated text in Arabic and English, seals each with
the charity's certificate, stores them under content-addressed names and records them as
`SignedPdf` rows of the agreement naming the amendment, so the agreement's verification
page recognises them. A second run finds the amendment no longer pending and does
nothing: one stored PDF per (kind, language).
"""

from __future__ import annotations

import hashlib
import logging
from dataclasses import replace

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import translation

from outbox.services import outbox_enqueue

from ..amendments.content import Content, apply_changes, content_from_json, content_of
from ..audit import audit_record
from ..models import Agreement, Amendment, AmendmentStatus, AuditEvent, AuditKind, PdfKind, PdfStatus, SignedPdf
from .addendum_render import AmendedDocument, addendum_html, consolidated_html
from .claims import pdf_claim, pdf_failed, pdf_release, pdf_requeue
from .context import AuditLine, PdfInput
from .job import LANGUAGES, _signature_blocks, verification_url
from .render import html_to_pdf
from .seal import seal_pdf

logger = logging.getLogger(__name__)

MADE_FROM = (AmendmentStatus.SIGNED, AmendmentStatus.ACTIVE)


def _claim(amendment_id: int, task_id: str) -> bool:
    return pdf_claim(Amendment.objects.filter(pk=amendment_id, status__in=MADE_FROM), task_id)


def amendment_audit_events(amendment: Amendment):
    """The agreement's audit events about this amendment: its signing requests' events, and
    the amendment_* events naming its number."""
    return AuditEvent.objects.filter(agreement_id=amendment.agreement_id).filter(
        Q(signing_request__amendment=amendment) | Q(kind__startswith="amendment_", details__number=amendment.number)
    )


def _audit_lines(amendment: Amendment, language: str) -> list[AuditLine]:
    with translation.override(language):
        return [
            AuditLine(at=event.at, event=str(event.get_kind_display()), actor=event.actor_label)
            for event in amendment_audit_events(amendment).order_by("sequence")
        ]


def consolidated_content(amendment: Amendment) -> Content:
    """The agreement's content as amended by `amendment` (and every amendment before it).

    In force: the content it was written into (kept on it) with its changes; signed and
    waiting for its date: the agreement as it stands, which is every earlier amendment.
    """
    if amendment.status == AmendmentStatus.ACTIVE and amendment.content_before:
        before = content_from_json(amendment.content_before)
    else:
        before = content_of(amendment.agreement)
    return apply_changes(before, amendment.changes, number=amendment.number)


def _documents(amendment: Amendment) -> list[AmendedDocument]:
    """The signed amendments up to and including this one, in number order."""
    signed = Amendment.objects.filter(agreement_id=amendment.agreement_id, number__lte=amendment.number).signed()
    return [
        AmendedDocument(number=a.number, content_hash=a.content_hash, effective_on=a.effective_on)
        for a in signed.order_by("number")
    ]


def addendum_documents_html(amendment: Amendment, agreement: Agreement) -> dict[tuple[str, str], str]:
    """The HTML of each document to make, by (kind, language): addendum and consolidated text."""
    blocks = _signature_blocks(agreement, amendment)
    documents = _documents(amendment)
    content = consolidated_content(amendment)
    url = verification_url(agreement)
    html: dict[tuple[str, str], str] = {}
    for language in LANGUAGES:
        addendum = PdfInput.build(
            agreement=agreement,
            signatures=blocks,
            audit=_audit_lines(amendment, language),
            content_hash=amendment.content_hash,
            verification_url=url,
            language=language,
        )
        html[(PdfKind.ADDENDUM, language)] = addendum_html(
            addendum,
            amendment=amendment,
            agreement_hash=agreement.content_hash,
            earlier=[doc for doc in documents if doc.number < amendment.number],
        )
        # The same input without the audit trail: the consolidated text has no certificate page.
        consolidated = replace(addendum, audit=[])
        html[(PdfKind.CONSOLIDATED, language)] = consolidated_html(
            consolidated, content=content, agreement_hash=agreement.content_hash, amendments=documents
        )
    return html


def _render(amendment: Amendment, agreement: Agreement) -> dict[tuple[str, str], bytes]:
    """Sealed PDFs by (kind, language)."""
    return {key: seal_pdf(html_to_pdf(html)) for key, html in addendum_documents_html(amendment, agreement).items()}


def addendum_pdf_make(*, amendment_id: int, task_id: str = "") -> dict[str, dict[str, str]] | None:
    """Render, seal and store the addendum and consolidated PDFs; {kind: {language: sha256}},
    or None when there is nothing to do."""
    if not _claim(amendment_id, task_id):
        return None
    amendment = Amendment.objects.select_related("agreement__partner").get(pk=amendment_id)
    agreement = amendment.agreement
    documents = _render(amendment, agreement)
    stored: dict[str, dict[str, str]] = {}
    with transaction.atomic():
        locked = Amendment.objects.select_for_update().get(pk=amendment_id)
        if locked.pdf_status != PdfStatus.RENDERING or locked.pdf_claimed_by != task_id:
            return None  # another worker finished first; keep its files
        for (kind, language), pdf in documents.items():
            digest = hashlib.sha256(pdf).hexdigest()
            name = default_storage.save(
                f"signed/{agreement.reference}-A{amendment.number}-{kind}-{language}-{digest[:16]}.pdf",
                ContentFile(pdf),
            )
            previous = SignedPdf.objects.filter(amendment=locked, kind=kind, language=language).first()
            if previous is not None:
                old_name = previous.file.name
                previous.delete()
                transaction.on_commit(lambda old_name=old_name: default_storage.delete(old_name))
            SignedPdf.objects.create(
                agreement=agreement,
                amendment=locked,
                kind=kind,
                language=language,
                file=name,
                sha256=digest,
                size=len(pdf),
            )
            stored.setdefault(str(kind), {})[language] = digest
        Amendment.objects.filter(pk=amendment_id).update(pdf_status=PdfStatus.READY, pdf_error="")
        audit_record(
            agreement=agreement,
            kind=AuditKind.ADDENDUM_ISSUED,
            actor_label="—",
            details={"number": amendment.number, "content_hash": amendment.content_hash, "sha256": stored},
        )
        from ..tasks import send_addendum_pdf

        outbox_enqueue(task=send_addendum_pdf, args=[amendment_id])
    return stored


def addendum_pdf_failed(*, amendment_id: int, error: str) -> None:
    """Record the final failure for staff to see (with a retry button)."""
    pdf_failed(Amendment.objects.filter(pk=amendment_id), error)


def addendum_pdf_release(*, amendment_id: int, error: str) -> None:
    """A transient error: give the claim back so the retry can take it."""
    pdf_release(Amendment.objects.filter(pk=amendment_id), error)


def addendum_pdf_retry(*, amendment: Amendment) -> bool:
    """Staff ask for a failed addendum to be made again; True if it was queued."""
    from ..tasks import render_addendum_pdf

    queued = pdf_requeue(Amendment.objects.filter(pk=amendment.pk))
    if queued:
        outbox_enqueue(task=render_addendum_pdf, args=[amendment.pk])
    return queued
