"""Logging helpers."""

from __future__ import annotations

import logging
import re

# /sign/<token>/ — the token is a password: it must never reach a log file.
_SIGNING_TOKEN = re.compile(r"(/sign/)[A-Za-z0-9_\-]{16,}")


def redact(text: str) -> str:
    return _SIGNING_TOKEN.sub(r"\1[redacted]", text)


class RedactSigningTokens(logging.Filter):
    """Replace signing-link tokens in any log line (request lines included) by [redacted]."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True
