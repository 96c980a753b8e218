"""Spreadsheet columns of reminders (export only)."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _

from spreadsheets.resources import ExportOnlyResource, column

from .models import Reminder


class ReminderResource(ExportOnlyResource):
    kind = column(Reminder, "kind")
    agreement = column(Reminder, "agreement__reference", label=capfirst(_("agreement")))
    partner = column(Reminder, "agreement__partner", lookup="name_ar")
    offset_days = column(Reminder, "offset_days")
    due_on = column(Reminder, "due_on")
    recipient_email = column(Reminder, "recipient_email")
    status = column(Reminder, "status")
    sent_at = column(Reminder, "sent_at")
    attempts = column(Reminder, "attempts")

    class Meta(ExportOnlyResource.Meta):
        model = Reminder
        fields = (
            "kind",
            "agreement",
            "partner",
            "offset_days",
            "due_on",
            "recipient_email",
            "status",
            "sent_at",
            "attempts",
        )
