"""Celery worker hooks of the PDF library (connected in `agreements/tasks.py`)."""

from __future__ import annotations

import logging

logger = logging.getLogger(__name__)


def warm_up_pdf_renderer(**kwargs) -> None:
    """`worker_process_init` handler: load fonts and templates before the first task.

    A failure is logged, not raised: a worker process that cannot warm up still starts,
    and the first real render then reports the actual problem on its task.
    """
    from .render import warm_up

    try:
        warm_up()
    except Exception:
        logger.exception("PDF renderer warm-up failed")
