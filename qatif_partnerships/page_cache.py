"""Rendered pages kept per viewer until the portal's data changes.

A page is stored under everything that can make it differ: the viewer (session, CSRF secret,
user, two-factor state), the language, the full URL, the day, and the *data version*. The data
version is a counter in the shared cache, bumped after every INSERT, UPDATE or DELETE that goes
through Django's database connection, in any process (web, worker, beat, management commands),
whether it came from `save()`, `queryset.update()`, a bulk operation or raw SQL. One bump makes
every stored page unreachable, so a page is never shown with older data than the database has
once the change is committed.

Entries also expire after PAGE_CACHE_SECONDS (default 60; 0 turns the cache off), which bounds
how late things that change with the clock alone can be (a signing link running out at noon).

A page is not stored or served from the cache when: the request is not a GET; a message is
waiting to be shown; the browser has no CSRF cookie yet (the stored forms carry a token made
for that cookie's secret); the current transaction has written something not yet committed; or
the cache cannot be reached. Only 200 responses that set no cookies and show no message are
stored.
"""

from __future__ import annotations

import hashlib
import logging
import re
import time
from functools import wraps

from django.conf import settings
from django.contrib import messages
from django.core.cache import cache
from django.db import connection as default_connection
from django.http import HttpResponse
from django.utils import timezone, translation

logger = logging.getLogger(__name__)

VERSION_KEY = "portal:data-version"

# Writes to these tables change no page: sessions, login throttling records.
IGNORED_TABLES = frozenset({"django_session", "axes_accessattempt", "axes_accessfailurelog", "axes_accesslog"})

_WRITE = re.compile(r'\s*(?:INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+"?([A-Za-z0-9_]+)', re.IGNORECASE)
_RAW_WITH = re.compile(r"\s*WITH\b", re.IGNORECASE)

# Seconds to stop trying the cache after it failed, so an outage costs one timeout, not one per write.
_BACKOFF_SECONDS = 5.0
_unreachable_until = 0.0


def _cache_usable() -> bool:
    return time.monotonic() >= _unreachable_until


def _cache_failed(error: Exception) -> None:
    global _unreachable_until
    _unreachable_until = time.monotonic() + _BACKOFF_SECONDS
    logger.warning("page cache unreachable: %s", error)


def data_version() -> int | None:
    """The current data version, or None when the cache cannot be reached."""
    if not _cache_usable():
        return None
    try:
        version = cache.get(VERSION_KEY)
        if version is None:
            # First use, or the cache lost it: start from the clock so no page stored under an
            # earlier run of the counter can be matched again.
            initial = time.time_ns() // 1000
            version = initial if cache.add(VERSION_KEY, initial, timeout=None) else cache.get(VERSION_KEY)
    except Exception as error:
        version = None
        _cache_failed(error)
    if version is None:
        # django-redis answers None instead of raising while Redis is down.
        _cache_failed(RuntimeError("no data version"))
    return version


def usable_version(connection=default_connection) -> int | None:
    """The version to store and look things up under now, or None when the cache must be skipped:
    turned off, uncommitted writes in this transaction, or the cache unreachable."""
    if settings.PAGE_CACHE_SECONDS <= 0 or writes_pending(connection):
        return None
    return data_version()


def bump_data_version() -> None:
    """Make every stored page unreachable; called after each committed write."""
    if not _cache_usable():
        return
    try:
        try:
            cache.incr(VERSION_KEY)
        except ValueError:  # the key is missing: any fresh value will do
            cache.add(VERSION_KEY, time.time_ns() // 1000, timeout=None)
    except Exception as error:
        _cache_failed(error)


def _written_table(sql) -> str | None:
    if not isinstance(sql, str):
        return None
    match = _WRITE.match(sql)
    if match:
        return match.group(1)
    # A statement starting with WITH may write; treat it as a write to an unknown table.
    return "" if _RAW_WITH.match(sql) else None


def _bump_after_commit() -> None:
    bump_data_version()


def _bump_queued(connection) -> bool:
    # Django drops the callbacks of a transaction (or savepoint) that rolls back.
    return any(func is _bump_after_commit for _sids, func, _robust in connection.run_on_commit)


def watch_writes(execute, sql, params, many, context):
    """Execute wrapper: after a write to the portal's tables, bump the data version.

    Outside a transaction the write is already committed, so the bump happens now. Inside one,
    once after it commits (and not at all if it rolls back); until then `writes_pending` tells
    readers on this connection to bypass the cache.
    """
    result = execute(sql, params, many, context)
    table = _written_table(sql)
    if table is not None and table not in IGNORED_TABLES:
        connection = context["connection"]
        if not connection.in_atomic_block:
            bump_data_version()
        elif not _bump_queued(connection):
            connection.on_commit(_bump_after_commit, robust=True)
    return result


def install_write_watch(sender, connection, **kwargs) -> None:
    """connection_created receiver: watch every new database connection's writes."""
    if watch_writes not in connection.execute_wrappers:
        connection.execute_wrappers.append(watch_writes)


def writes_pending(connection=default_connection) -> bool:
    return connection.in_atomic_block and _bump_queued(connection)


def _hash(*parts) -> str:
    return hashlib.sha256("\x1f".join(str(part) for part in parts).encode()).hexdigest()[:40]


def page_key(request) -> str | None:
    """The key of this request's page, or None when it must be made afresh."""
    csrf_secret = request.META.get("CSRF_COOKIE")
    if request.method != "GET" or not csrf_secret or len(messages.get_messages(request)):
        return None
    version = usable_version()
    if version is None:
        return None
    user = request.user
    verified = user.is_authenticated and getattr(user, "is_verified", lambda: False)()
    viewer = _hash(
        request.session.session_key or "",
        csrf_secret,
        user.pk or "",
        verified,
        translation.get_language(),
        request.get_full_path(),
        request.headers.get("HX-Request", ""),
        timezone.localdate().isoformat(),
    )
    return f"portal:page:{version}:{viewer}"


def cache_page_per_viewer(view):
    """Serve this GET view's page from the cache while nothing it could show has changed."""

    @wraps(view)
    def wrapper(request, *args, **kwargs):
        key = page_key(request)
        if key is None:
            return view(request, *args, **kwargs)
        stored = cache.get(key)
        if stored is not None:
            headers, content = stored
            return HttpResponse(content, headers=headers)
        response = view(request, *args, **kwargs)
        # A message the view itself added is for this response only.
        keep = not len(messages.get_messages(request))
        if keep and response.status_code == 200 and not response.streaming and not response.cookies:
            headers = {name: value for name, value in response.items() if name.lower() != "content-length"}
            cache.set(key, (headers, response.content), settings.PAGE_CACHE_SECONDS)
        return response

    return wrapper
