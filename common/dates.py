"""Gregorian and Hijri (Umm al-Qura) rendering of dates, in the active language."""

from __future__ import annotations

import datetime

from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from hijridate import Gregorian


def local_date(value: datetime.date) -> datetime.date:
    """The calendar day of `value` in the portal's time zone (TIME_ZONE, Asia/Riyadh).

    A moment is stored in UTC: 21:42 UTC on 1 December is 00:42 on 2 December in Riyadh,
    and the day shown must be the 2nd. Dates and naive datetimes are taken as they are.
    """
    if isinstance(value, datetime.datetime):
        return (timezone.localtime(value) if timezone.is_aware(value) else value).date()
    return value


def hijri(value: datetime.date) -> str:
    """`19 جمادى الآخرة 1448 هـ` in Arabic, `19 Jumada al-Akhirah 1448 AH` in English.

    A datetime counts as its local day. Returns "" for dates outside the Umm al-Qura
    table (1924-2077).
    """
    value = local_date(value)
    try:
        h = Gregorian(value.year, value.month, value.day).to_hijri()
    except (OverflowError, ValueError):
        return ""
    language = "ar" if get_language() != "en" else "en"
    return _("%(day)s %(month)s %(year)s AH") % {
        "day": h.day,
        "month": h.month_name(language),
        "year": h.year,
    }


def gregorian(value: datetime.date) -> str:
    """The date with the month's name in the active language, e.g. `29 نوفمبر 2026`.

    What `date_format(value, "j F Y")` gives, without its format parsing (~13 µs a date).
    A datetime counts as its local day.
    """
    value = local_date(value)
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}"


def gregorian_time(value: datetime.datetime) -> str:
    """A moment as the day and time of day where the portal is: `2 ديسمبر 2026 00:42`."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{gregorian(local.date())} {local:%H:%M}"
