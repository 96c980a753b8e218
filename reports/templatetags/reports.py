"""Template tags of the Reports section."""

from __future__ import annotations

import datetime
from functools import lru_cache

from django import template
from django.template.defaultfilters import floatformat
from django.utils.html import conditional_escape, format_html
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from common import dates

register = template.Library()


@register.simple_tag
def reports_menu() -> list:
    """The reports, for the link list on the admin index."""
    from reports.definitions import REPORTS

    return list(REPORTS.values())


@lru_cache(maxsize=4096)
def _gregorian(value: datetime.date, language: str) -> str:
    # Long lists repeat the same dates; Django's date formatting is the slow part of a row.
    return conditional_escape(dates.gregorian(value))


def _ltr(text) -> str:
    return f'<bdi dir="ltr" class="ltr">{conditional_escape(text)}</bdi>'


def cell_html(kind: str, value) -> str:
    """One table cell, formatted by its column's kind (numbers and references isolated left to right)."""
    if value is None or value == "":
        body = "—" if kind not in ("text", "hijri") else ""
    elif kind == "date":
        body = _gregorian(value, get_language())
    elif kind == "percent":
        body = _ltr(f"{value}%")
    elif kind == "days":
        body = _ltr(floatformat(value, 1))
    elif kind in ("number", "ref"):
        body = _ltr(value)
    else:
        body = conditional_escape(value)
    return f'<td class="col-{kind}">{body}</td>'


@register.simple_tag
def report_cells(cells) -> SafeString:
    """A row's cells. Built in Python: a template include per cell costs more than the report's SQL."""
    return mark_safe("".join(cell_html(kind, value) for kind, value in cells))  # noqa: S308 (each part is escaped)


@register.simple_tag
def summary_value(kind: str, value) -> SafeString:
    if value is None:
        return mark_safe("—")
    return format_html('<bdi dir="ltr" class="ltr">{}</bdi>', floatformat(value, 1) if kind == "days" else value)
