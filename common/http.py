"""Small helpers about the HTTP request."""

from __future__ import annotations

import re
from typing import TypedDict

from django.conf import settings
from django.http import HttpRequest


def client_ip(request: HttpRequest) -> str | None:
    """The client's address: REMOTE_ADDR, or the address the trusted proxies saw.

    With `TRUSTED_PROXY_COUNT=n` (the number of reverse proxies in front of the portal),
    the n-th address from the right of X-Forwarded-For is the client; anything left of
    it was written by the client itself and is not trusted.
    """
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None


def user_agent(request: HttpRequest) -> str:
    return request.META.get("HTTP_USER_AGENT", "")[:500]


class Origin(TypedDict):
    """Where a request came from, as the audit trail records it (`audit_record(ip=, user_agent=)`)."""

    ip: str | None
    user_agent: str


def origin(request: HttpRequest) -> Origin:
    """The client's address and browser, to pass on as keyword arguments: `**origin(request)`."""
    return {"ip": client_ip(request), "user_agent": user_agent(request)}


# Checked in this order: Edge and Opera also say "Chrome/", Chrome also says "Safari/".
_BROWSERS = (
    ("Edge", re.compile(r"\bEdg(?:e|A|iOS)?/(\d+)")),
    ("Opera", re.compile(r"\bOPR/(\d+)")),
    ("Firefox", re.compile(r"\b(?:Firefox|FxiOS)/(\d+)")),
    ("Chrome", re.compile(r"\b(?:HeadlessChrome|Chrome|CriOS)/(\d+)")),
    ("Safari", re.compile(r"\bVersion/(\d+)(?:\.\d+)*.*\bSafari/")),
)
_SYSTEMS = (
    ("Windows", "Windows"),
    ("iPhone", "iOS"),
    ("iPad", "iPadOS"),
    ("Android", "Android"),
    ("CrOS", "ChromeOS"),
    ("Mac OS X", "macOS"),
    ("Linux", "Linux"),
)


def browser_summary(value: str, *, limit: int = 40) -> str:
    """A user agent as a person reads it: `Chrome 131 · Windows`; otherwise its first `limit` characters.

    The full string stays in the audit event; this is for a table cell.
    """
    value = (value or "").strip()
    browser = next((f"{name} {found[1]}" for name, pattern in _BROWSERS if (found := pattern.search(value))), "")
    system = next((label for token, label in _SYSTEMS if token in value), "")
    if browser:
        return f"{browser} · {system}" if system else browser
    return value if len(value) <= limit else value[: limit - 1].rstrip() + "…"
