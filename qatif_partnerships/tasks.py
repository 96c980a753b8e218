"""Tasks that belong to the whole portal rather than one app."""

from __future__ import annotations

import socket

from celery import shared_task


@shared_task(name="portal.ping")
def ping(payload: str = "") -> dict[str, str]:
    """Answer with the payload and the worker's host: proves broker and worker work."""
    return {"pong": payload, "host": socket.gethostname()}
