"""Logging: signing tokens redacted everywhere; one structured line per request and per task."""

from __future__ import annotations

import logging
import re
import time

from pythonjsonlogger.json import JsonFormatter

from common.http import client_ip

# Secret addresses: whoever reads them can sign, accept an invitation, read a calendar or set
# an account's password. None may reach a log line, in any field.
_SECRETS = (
    # /sign/<token>/, /invitation/<token>/ and /calendar/<token>.ics (token_urlsafe(32)).
    re.compile(r"(/sign/|/invitation/|/calendar/)[A-Za-z0-9_\-]{16,}"),
    # /accounts/password-reset/<uidb64>/<token>/ (Django's `<timestamp>-<hash>`): the first
    # GET carries the token; Django then moves it to the session and to .../set-password/.
    re.compile(r"(/password-reset/[A-Za-z0-9_\-]+/)(?!set-password/)[0-9a-z]+-[0-9a-f]{16,}"),
)

request_logger = logging.getLogger("portal.request")
task_logger = logging.getLogger("portal.task")


def redact(text: str) -> str:
    for pattern in _SECRETS:
        text = pattern.sub(r"\1[redacted]", text)
    return text


def _redacted(value):
    """A value of a log record's field with every secret address taken out.

    Strings and the strings inside lists and dicts are cleaned in place; any other object
    (Django's `request`, an exception) becomes its cleaned text, as a JSON line would show it.
    """
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, dict):
        return {key: _redacted(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_redacted(item) for item in value]
    return redact(str(value))


class RedactSigningTokens(logging.Filter):
    """Take signing, invitation, calendar and password-reset tokens out of every field of a record:
    the message and its arguments, fields passed in `extra` (Django's `request`, a path, a task's
    error), the exception and the stack."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        for key, value in list(vars(record).items()):
            if key not in _RECORD_FIELDS:
                setattr(record, key, _redacted(value))
        if record.exc_info:
            # Formatted here, once, and cleaned: the formatters then print `exc_text` as it is.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        if record.stack_info:
            record.stack_info = redact(record.stack_info)
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
