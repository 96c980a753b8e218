"""The board report request form: a period in either calendar, and a language."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from common.dates import Calendar

from .board import YEARS
from .models import BoardPart, BoardReportLanguage


class BoardReportForm(forms.Form):
    calendar = forms.ChoiceField(label=_("Calendar"), choices=Calendar.choices, initial=Calendar.GREGORIAN)
    year = forms.IntegerField(
        label=_("Year"),
        error_messages={
            "required": _("Enter the year of the report."),
            "invalid": _("Enter the year as a whole number, e.g. 2027 or 1448."),
        },
    )
    part = forms.ChoiceField(label=_("Period"), choices=BoardPart.choices, initial=BoardPart.YEAR)
    language = forms.ChoiceField(
        label=_("Language"), choices=BoardReportLanguage.choices, initial=BoardReportLanguage.ARABIC
    )

    def clean(self):
        data = super().clean()
        calendar, year = data.get("calendar"), data.get("year")
        if calendar in YEARS and year is not None:
            low, high = YEARS[calendar]
            if not low <= year <= high:
                if calendar == Calendar.HIJRI:
                    message = _("A Hijri year for the board report is between %(low)s and %(high)s.")
                else:
                    message = _("A Gregorian year for the board report is between %(low)s and %(high)s.")
                self.add_error("year", message % {"low": low, "high": high})
        return data
