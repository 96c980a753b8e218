"""Form widgets shared by the portal's forms."""

from __future__ import annotations

from django import forms
from django.utils.html import format_html

from common import dates


class DateInput(forms.DateInput):
    """The browser's date picker, with the Hijri (Umm al-Qura) date of the typed day under it.

    The hint is an aria-live line the input names in `data-other-calendar`;
    static/js/other-calendar.js fills it as the date is typed, with the browser's own
    `Intl.DateTimeFormat` in the `islamic-umalqura` calendar (no server round trip), and
    empties it when the date is incomplete. It listens on the whole page, so formset rows
    added later get it too.
    """

    input_type = "date"

    def __init__(self, attrs: dict | None = None):
        super().__init__(attrs, format="%Y-%m-%d")

    def render(self, name, value, attrs=None, renderer=None):
        attrs = {**(attrs or {})}
        field_id = attrs.get("id") or self.attrs.get("id")
        if not field_id:
            return super().render(name, value, attrs, renderer)
        hint_id = f"{field_id}_other_calendar"
        attrs["data-other-calendar"] = hint_id
        attrs["aria-describedby"] = " ".join(filter(None, [attrs.get("aria-describedby"), hint_id]))
        # The words the server writes Hijri dates with (common/dates.py): the same month names
        # and order on the page as in the portal's other dates and e-mails.
        months, pattern = dates.hijri_words()
        return format_html(
            '{}<span id="{}" class="form-text other-calendar" aria-live="polite" data-months="{}" data-pattern="{}">'
            "</span>",
            super().render(name, value, attrs, renderer),
            hint_id,
            "|".join(months),
            pattern,
        )
