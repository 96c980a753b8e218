"""Template filters for dates and for direction-safe numbers inside Arabic text."""

from __future__ import annotations

import datetime

from django import template
from django.utils import timezone
from django.utils.html import escape, format_html, format_html_join
from django.utils.safestring import SafeString
from django.utils.translation import gettext as _

from common import dates
from common.counting import counted as counted_noun
from common.http import browser_summary
from common.text import control_label, has_bidi_controls, plain_name, reveal_bidi, split_controls

register = template.Library()

LRI, PDI = "\u2066", "\u2069"
LINE_BREAK = SafeString("<br>")


@register.filter
def hijri(value: datetime.date | None) -> str:
    if not value:
        return ""
    return dates.hijri(value)


@register.filter
def gregorian(value: datetime.date | None) -> str:
    if not value:
        return ""
    return dates.gregorian(value)


@register.filter
def both_calendars(value: datetime.date | None) -> str:
    """`10 ديسمبر 2026 (1 رجب 1448 هـ)` as plain text (see `dates.both`)."""
    if not value:
        return ""
    return dates.both(value)


@register.filter
def dual_date(value: datetime.date | datetime.datetime | None) -> str:
    """Gregorian and Hijri side by side, as HTML: `29 نوفمبر 2026 · 19 جمادى الآخرة 1448 هـ`."""
    if not value:
        return ""
    value = dates.local_date(value)
    return format_html(
        '<span class="dual-date"><time datetime="{}">{}</time><span class="hijri text-body-secondary">{}</span></span>',
        value.isoformat(),
        dates.gregorian(value),
        dates.hijri(value),
    )


@register.filter
def dual_datetime(value: datetime.datetime | None) -> str:
    """`dual_date` of a moment, with the time of day, both where the portal is (TIME_ZONE).

    `2 ديسمبر 2026 00:42` over `22 جمادى الآخرة 1448 هـ` for 21:42 UTC on 1 December.
    """
    if not value:
        return ""
    local = timezone.localtime(value) if timezone.is_aware(value) else value
    return format_html(
        '<span class="dual-date"><time datetime="{}">{}</time><span class="hijri text-body-secondary">{}</span></span>',
        local.isoformat(timespec="minutes"),
        dates.gregorian_time(local),
        dates.hijri(local),
    )


@register.filter
def isolate(value) -> str:
    """Wrap a number, phone, email or reference so it keeps its own left-to-right order.

    Inside right-to-left text, `QC-2026-0001` or `+966 13 855 0000` would otherwise be
    reordered by the bidi algorithm. `<bdi dir="ltr">` isolates it in HTML.
    """
    if value is None or value == "":
        return ""
    return format_html('<bdi dir="ltr" class="ltr">{}</bdi>', value)


@register.filter
def isolate_text(value) -> str:
    """Plain-text form of `isolate` (for emails and text fields): LRI … PDI."""
    if value is None or value == "":
        return ""
    return f"{LRI}{value}{PDI}"


@register.filter
def browser(user_agent: str | None) -> str:
    """A user agent in a table cell: `Chrome 131 · Windows`, the full string in its title.

    The string comes from the client: isolated left-to-right, any direction control in it
    shown as a visible marker rather than acting.
    """
    if not user_agent:
        return "—"
    return format_html(
        '<bdi dir="ltr" class="ltr" title="{}">{}</bdi>',
        reveal_bidi(user_agent),
        reveal_bidi(browser_summary(user_agent)),
    )


@register.filter
def reveal(value, lines: str = "") -> str:
    """A stored name or text for HTML, unable to mislead about what it says.

    The value is isolated in `<bdi>` (it cannot reorder the text around it) and each
    invisible direction control in it (U+202E and friends) is shown as a visible
    `[U+202E]` marker instead of acting. `reveal:"lines"` keeps line breaks as `<br>`.
    """
    if value is None or value == "":
        return ""
    if not lines and not has_bidi_controls(value):
        # The usual case, a name with no direction control: nothing to cut up. escape(), not
        # format_html's conditional escape, so a safe string is escaped as the pieces below are.
        return SafeString(f"<bdi>{escape(value)}</bdi>")
    pieces = []
    for piece, control in split_controls(str(value)):
        if control:
            pieces.append(
                format_html(
                    '<span class="bidi-marker" dir="ltr" title="{}">[{}]</span>',
                    _("Hidden text-direction character"),
                    control_label(piece),
                )
            )
        elif lines:
            for index, line in enumerate(piece.split("\n")):
                pieces += [LINE_BREAK, line] if index else [line]
        else:
            pieces.append(piece)
    # Plain pieces are escaped by format_html_join; markers and <br> are already safe.
    return format_html("<bdi>{}</bdi>", format_html_join("", "{}", ((piece,) for piece in pieces)))


@register.filter
def reveal_text(value) -> str:
    """Plain-text form of `reveal` (e-mail bodies): `[U+202E]` markers, isolated FSI…PDI."""
    if value is None or value == "":
        return ""
    return plain_name(value)


@register.filter
def select_options(field) -> str:
    """The `<option>`s of a bound choice field, the selected one marked, as Django's Select renders them.

    One string join instead of two templates per option (the partner filter has one option per partner).
    """
    value = field.value()
    selected = {"" if v is None else str(v) for v in (value if isinstance(value, list | tuple) else [value])}
    return format_html_join(
        "",
        '<option value="{}"{}>{}</option>',
        ((choice, " selected" if str(choice) in selected else "", label) for choice, label in field.field.choices),
    )


@register.filter
def counted(value, noun: str) -> str:
    """`{{ commitment.target_quantity|counted:commitment.unit }}`: «20 متدربًا», «متدربان» (see common.counting)."""
    if value is None or value == "":
        return ""
    return counted_noun(value, noun)


@register.filter
def achieved_of_target(commitment) -> str:
    """`5 of 20 trainees`, «5 من 20 متدربًا»: accepted progress against the counted target.

    What `{% blocktranslate %}{{ achieved }} of {{ target }}` gives (same message), ~5× cheaper.
    """
    return _of_target(commitment.achieved, commitment)


@register.filter
def achieved_with(commitment, amount: int) -> str:
    """`achieved_of_target` once `amount` more is accepted: what a report under review would make it."""
    return _of_target(commitment.achieved + amount, commitment)


def _of_target(achieved: int, commitment) -> str:
    target = counted_noun(commitment.target_quantity, commitment.unit, after_preposition=True)
    return _("%(achieved)s of %(target)s") % {"achieved": achieved, "target": target}


@register.filter
def progress_bar(commitment) -> str:
    """includes/progress_bar.html as one call: a template include per row costs ~100 µs in long lists."""
    percent = commitment.progress_percent
    return format_html(
        '<div class="small">{}{}</div>\n<div class="progress" role="progressbar" aria-label="{}" aria-valuenow="{}"'
        ' aria-valuemin="0" aria-valuemax="100" style="height: .6rem" data-testid="progress-{}">\n'
        '  <div class="progress-bar bg-success" style="width: {}%"></div>\n</div>',
        achieved_of_target(commitment),
        _not_counted(commitment),
        _("Progress"),
        percent,
        commitment.pk,
        percent,
    )


def _not_counted(commitment) -> str:
    """Reported amounts that are not progress (yet): awaiting review, or returned for correction."""
    parts = []
    pending = getattr(commitment, "pending", 0)
    returned = getattr(commitment, "returned", 0)
    if pending:
        parts.append(_("awaiting review: %(n)s") % {"n": pending})
    if returned:
        parts.append(_("returned for correction: %(n)s") % {"n": returned})
    if not parts:
        return ""
    return format_html(
        ' <span class="text-body-secondary" data-testid="not-counted-{}">({})</span>', commitment.pk, " · ".join(parts)
    )
