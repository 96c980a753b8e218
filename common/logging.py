"""Logging: signing tokens redacted everywhere; one structured line per request and per task."""

from __future__ import annotations

import logging
import re
import time

from pythonjsonlogger.json import JsonFormatter

from common.http import client_ip

# /sign/<token>/ — the token is a password: it must never reach a log file.
_SIGNING_TOKEN = re.compile(r"(/sign/|/invitation/)[A-Za-z0-9_\-]{16,}")

request_logger = logging.getLogger("portal.request")
task_logger = logging.getLogger("portal.task")


def redact(text: str) -> str:
    return _SIGNING_TOKEN.sub(r"\1[redacted]", text)


class RedactSigningTokens(logging.Filter):
    """Replace signing and invitation tokens in any log line by [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        # Fields passed in `extra` (path, url, a task's error...) become JSON keys: cleaned too.
        for key, value in vars(record).items():
            if key not in _RECORD_FIELDS and isinstance(value, str):
                setattr(record, key, redact(value))
        return True


# The attributes every LogRecord has; anything else on a record came from `extra`.
_RECORD_FIELDS = frozenset(vars(logging.LogRecord("", 0, "", 0, "", (), None))) | {"message", "asctime"}


class PortalJsonFormatter(JsonFormatter):
    """JSON lines with time, level and logger, plus whatever the call passed in `extra`."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("timestamp", True)
        super().__init__("%(levelname)s %(name)s %(message)s", *args, **kwargs)


class RequestLogMiddleware:
    """One line per request: method, path, status, time, client address, user and the agreement it was about."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        started = time.perf_counter()
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        user = getattr(request, "user", None)
        request_logger.info(
            "request",
            extra={
                "method": request.method,
                "path": redact(request.path),
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 1),
                "view": match.view_name if match else "",
                "client_ip": client_ip(request),
                "user_id": user.pk if user is not None and user.is_authenticated else None,
                "reference": (match.kwargs.get("reference") if match else None) or "",
            },
        )
        return response
