"""Spreadsheet columns of reminders (export only)."""

from __future__ import annotations

from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from import_export.fields import Field

from spreadsheets.resources import ExportOnlyResource, column

from .models import Notification, Reminder


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


class NotificationResource(ExportOnlyResource):
    """A notification's texts in the language of the export (as its reader would see them)."""

    user = column(Notification, "user", lookup="username", label=capfirst(_("account")))
    kind = column(Notification, "kind")
    agreement = column(Notification, "agreement__reference", label=capfirst(_("agreement")))
    title = Field(column_name=_("Notification title"))
    body = Field(column_name=capfirst(_("message")))
    created_at = column(Notification, "created_at")
    read_at = column(Notification, "read_at")

    class Meta(ExportOnlyResource.Meta):
        model = Notification
        fields = ("user", "kind", "agreement", "title", "body", "created_at", "read_at")

    def dehydrate_title(self, notification) -> str:
        return notification.headline

    def dehydrate_body(self, notification) -> str:
        return notification.text
