"""The portal's today: the local date, or the date a demo or test has set for every process.

Every rule that depends on the day (an agreement coming into force, expiring, a
commitment overdue, a reminder due, a late report) asks `today()`, never
`timezone.localdate()` directly, so one override moves the whole portal: the web
processes, the worker and beat read the same value.

- `PORTAL_TODAY=2027-01-31` fixes the date for the life of the process;
- `PORTAL_TODAY_FILE=/path/to/file` names a file holding the date (`manage.py
  portal_clock 2027-01-31` writes it): the date moves while the processes run, which is
  how a demo or the year-in-the-life test walks through an agreement's life day by day.

Neither is set in production; the check `portal.W001` warns when one is set without DEBUG.
The time of day stays the real one: only the date is moved (`now()` for deadlines in days).
"""

from __future__ import annotations

import datetime
import os

from django.conf import settings
from django.utils import timezone


def _from_file(path: str) -> datetime.date | None:
    # Read on every call (a few microseconds): a cache keyed on the file's time or inode can
    # miss two moves within the file system's time resolution.
    try:
        with open(path, encoding="utf-8") as handle:
            text = handle.read().strip()
    except FileNotFoundError:
        return None
    return datetime.date.fromisoformat(text) if text else None


def overridden() -> datetime.date | None:
    """The date set by `PORTAL_TODAY_FILE` or `PORTAL_TODAY`, or None (the real date)."""
    path = getattr(settings, "PORTAL_TODAY_FILE", "")
    if path:
        value = _from_file(path)
        if value is not None:
            return value
    fixed = getattr(settings, "PORTAL_TODAY", "")
    return datetime.date.fromisoformat(fixed) if fixed else None


def today() -> datetime.date:
    """Today in the portal's time zone (TIME_ZONE), unless a demo or test moved the date."""
    return overridden() or timezone.localdate()


def now() -> datetime.datetime:
    """The current moment, moved by as many whole days as the date was (the real time of day).

    For the deadlines counted in days that belong to the portal's day (a signing link valid
    for 14 days, the days after which an unsigned signatory is reminded). Audit events,
    logs and claims keep the real time.
    """
    real = timezone.now()
    moved = overridden()
    if moved is None:
        return real
    return real + (moved - timezone.localdate(real))


def set_today(path: str, day: datetime.date | None) -> None:
    """Write the date every process reads from `PORTAL_TODAY_FILE` (None: back to the real date)."""
    tmp = f"{path}.tmp"
    with open(tmp, "w", encoding="utf-8") as handle:
        handle.write(day.isoformat() if day else "")
    os.replace(tmp, path)
