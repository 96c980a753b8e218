"""Counting attempts in a time window, in the shared cache (Redis), so every web process agrees."""

from __future__ import annotations

from django.core.cache import cache


def attempt(key: str, *, limit: int, window: int) -> bool:
    """Count one attempt under `key`; True while at most `limit` were made in the `window` seconds
    since the first. A cache that is down allows the attempt (the portal keeps working)."""
    try:
        if cache.add(key, 1, window):
            return True
        try:
            count = cache.incr(key)
        except ValueError:  # expired between add and incr
            cache.set(key, 1, window)
            return True
    except Exception:
        return True
    return count <= limit
