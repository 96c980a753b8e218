"""Gregorian and Hijri (Umm al-Qura) rendering of dates, in the active language."""

from __future__ import annotations

import calendar as pycalendar
import datetime

from django.db import models
from django.utils import timezone
from django.utils.dates import MONTHS
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from hijridate import Gregorian, Hijri


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


def hijri_words() -> tuple[list[str], str]:
    """The Hijri month names and the date pattern `hijri()` writes, in the active language.

    For the browser's live Hijri hint (common/widgets.py): `{day} {month} {year}` fill the pattern.
    """
    language = "ar" if get_language() != "en" else "en"
    months = [Hijri(1448, month, 1).month_name(language) for month in range(1, 13)]
    pattern = _("%(day)s %(month)s %(year)s AH") % {"day": "{day}", "month": "{month}", "year": "{year}"}
    return months, pattern


def gregorian(value: datetime.date) -> str:
    """The date with the month's name in the active language, e.g. `29 نوفمبر 2026`.

    What `date_format(value, "j F Y")` gives, without its format parsing (~13 µs a date).
    A datetime counts as its local day.
    """
    value = local_date(value)
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}"


def both(value: datetime.date) -> str:
    """`10 ديسمبر 2026 (1 رجب 1448 هـ)`: the date in both calendars, Hijri in brackets."""
    other = hijri(value)
    return f"{gregorian(value)} ({other})" if other else gregorian(value)


class Calendar(models.TextChoices):
    """The calendar an agreement's term is counted in (Saudi bodies often count in Hijri)."""

    GREGORIAN = "gregorian", gettext_lazy("Gregorian")
    HIJRI = "hijri", gettext_lazy("Hijri (Umm al-Qura)")


def _parts(day: datetime.date, calendar: str) -> tuple[int, int, int]:
    if calendar == Calendar.HIJRI:
        return Gregorian(day.year, day.month, day.day).to_hijri().datetuple()
    return day.year, day.month, day.day


def _month_length(year: int, month: int, calendar: str) -> int:
    if calendar == Calendar.HIJRI:
        return Hijri(year, month, 1).month_length()
    return pycalendar.monthrange(year, month)[1]


def _to_date(year: int, month: int, day: int, calendar: str) -> datetime.date:
    if calendar == Calendar.HIJRI:
        return Hijri(year, month, day).to_gregorian()
    return datetime.date(year, month, day)


def _months_later(year: int, month: int, months: int) -> tuple[int, int]:
    """(year, month) `months` months after `month` of `year` (twelve months a year in both calendars)."""
    new_year, new_month = divmod(year * 12 + (month - 1) + months, 12)
    return new_year, new_month + 1


def add_months(day: datetime.date, months: int, calendar: str = Calendar.GREGORIAN) -> datetime.date:
    """`day` moved by whole months counted in `calendar`.

    The day of the month is kept; where the target month is shorter it becomes that
    month's last day, and the last day of a month stays the last day (30 June + 12 months
    is 30 June, 29 Jumada al-Akhirah 1448 + 12 Hijri months is the last of Jumada
    al-Akhirah 1449, be it the 29th or the 30th). Raises ValueError outside the Umm al-Qura
    table (1924-2077) for Hijri.
    """
    year, month, dom = _parts(day, calendar)
    last = dom == _month_length(year, month, calendar)
    new_year, new_month = _months_later(year, month, months)
    length = _month_length(new_year, new_month, calendar)
    return _to_date(new_year, new_month, length if last else min(dom, length), calendar)


def term_end(starts_on: datetime.date, months: int, calendar: str = Calendar.GREGORIAN) -> datetime.date:
    """The last day of a term of `months` months from `starts_on`: one year from 15 Dec 2026 ends 14 Dec 2027."""
    year, month, dom = _parts(starts_on, calendar)
    new_year, new_month = _months_later(year, month, months)
    # The same day of the month `months` later, less one day (never the last-day rule:
    # a term from the 1st ends on the last day of a month).
    length = _month_length(new_year, new_month, calendar)
    if dom > length:
        return _to_date(new_year, new_month, length, calendar)
    return _to_date(new_year, new_month, dom, calendar) - datetime.timedelta(days=1)


def term_months(starts_on: datetime.date, ends_on: datetime.date, calendar: str = Calendar.GREGORIAN) -> int | None:
    """How many whole months in `calendar` the term `starts_on`–`ends_on` lasts, or None if not whole."""
    try:
        (y1, m1, _d1), (y2, m2, _d2) = _parts(starts_on, calendar), _parts(ends_on, calendar)
    except (OverflowError, ValueError):
        return None
    guess = (y2 - y1) * 12 + (m2 - m1)
    for months in (guess, guess + 1, guess - 1):
        try:
            if months > 0 and term_end(starts_on, months, calendar) == ends_on:
                return months
        except (OverflowError, ValueError):
            return None
    return None


def gregorian_time(value: datetime.datetime) -> str:
    """A moment as the day and time of day where the portal is: `2 ديسمبر 2026 00:42`."""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return f"{gregorian(local.date())} {local:%H:%M}"


def hijri_years(year: int) -> tuple[int, int]:
    """The Hijri (Umm al-Qura) years that Gregorian `year` runs across: (1447, 1448) for 2026."""
    first = Gregorian(year, 1, 1).to_hijri().year
    last = Gregorian(year, 12, 31).to_hijri().year
    return first, last


def year_label(year: int) -> str:
    """A Gregorian year with the Hijri years it spans, `2026 (1447–1448 هـ)`, in the active language.

    The bare year outside the Umm al-Qura table (1924-2077).
    """
    try:
        first, last = hijri_years(year)
    except (OverflowError, ValueError):
        return str(year)
    hijri_part = str(first) if first == last else f"{first}–{last}"
    return _("%(year)s (%(hijri)s AH)") % {"year": year, "hijri": hijri_part}
