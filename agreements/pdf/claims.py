"""The PDF job's state on its row, shared by the agreement's signed PDF and an amendment's addendum.

Both models carry `pdf_status`, `pdf_claimed_at`, `pdf_claimed_by`, `pdf_attempts` and `pdf_error`;
each function takes the rows (one, filtered by the caller) and moves that state with one
conditional UPDATE, so two workers never both hold a job.
"""

from __future__ import annotations

from django.db.models import F, Q, QuerySet
from django.utils import timezone

from ..models import PdfStatus

# A claim older than this belongs to a worker that died while rendering.
CLAIM_LEASE = timezone.timedelta(minutes=10)


def pdf_claim(rows: QuerySet, task_id: str) -> bool:
    """Take the job: pending; or rendering under a claim that was abandoned — its lease ran
    out, or it is our own task's, redelivered because the worker died while rendering."""
    now = timezone.now()
    abandoned = Q(pdf_claimed_at__lt=now - CLAIM_LEASE)
    if task_id:
        abandoned |= Q(pdf_claimed_by=task_id)
    claimed = rows.filter(Q(pdf_status=PdfStatus.PENDING) | (Q(pdf_status=PdfStatus.RENDERING) & abandoned)).update(
        pdf_status=PdfStatus.RENDERING,
        pdf_claimed_at=now,
        pdf_claimed_by=task_id,
        pdf_attempts=F("pdf_attempts") + 1,
        pdf_error="",
    )
    return claimed == 1


def pdf_failed(rows: QuerySet, error: str) -> None:
    """Record the final failure for staff to see (with a retry button)."""
    rows.exclude(pdf_status=PdfStatus.READY).update(pdf_status=PdfStatus.FAILED, pdf_error=error[:2000])


def pdf_release(rows: QuerySet, error: str) -> None:
    """A transient error: give the claim back so the retry can take it."""
    rows.filter(pdf_status=PdfStatus.RENDERING).update(pdf_status=PdfStatus.PENDING, pdf_error=error[:2000])


def pdf_requeue(rows: QuerySet) -> bool:
    """A failed job back to pending (staff's retry); True if there was one."""
    return bool(rows.filter(pdf_status=PdfStatus.FAILED).update(pdf_status=PdfStatus.PENDING, pdf_error=""))
