"""Gregorian and Hijri (Umm al-Qura) rendering of dates, in the active language."""

from __future__ import annotations

import datetime

from django.utils.dates import MONTHS
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from hijridate import Gregorian


def hijri(value: datetime.date) -> str:
    """`19 جمادى الآخرة 1448 هـ` in Arabic, `19 Jumada al-Akhirah 1448 AH` in English.

    Returns "" for dates outside the Umm al-Qura table (1924-2077).
    """
    if isinstance(value, datetime.datetime):
        value = value.date()
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
    """
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}"
