"""Celery tasks of the reports app: the board report PDF."""

from __future__ import annotations

from celery import shared_task


@shared_task(name="reports.render_board_report")
def render_board_report(report_id: int) -> bool:
    """Render and store one queued board report (quietly False when it is gone or already taken)."""
    from .board import board_report_make

    return board_report_make(report_id=report_id)
