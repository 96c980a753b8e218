"""Celery tasks of the spreadsheets: large exports, and the daily purge of old export files."""

from __future__ import annotations

from celery import shared_task

from . import exports


@shared_task(name="spreadsheets.run_export")
def run_export(job_id: int) -> bool:
    """Build one queued export (returns quietly when the job is gone or already taken)."""
    return exports.export_job_run(job_id=job_id)


@shared_task(name="spreadsheets.purge_exports")
def purge_exports() -> int:
    return exports.export_jobs_purge()
