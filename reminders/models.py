"""Reminders sent by the daily sweep, and the in-app notifications users read."""

from __future__ import annotations

from django.conf import settings
from django.core.cache import cache
from django.db import models
from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _


class ReminderKind(models.TextChoices):
    RENEWAL = "renewal", _("Renewal reminder")
    # The renewal exists but is not signed yet while the current term runs out.
    RENEWAL_UNSIGNED = "renewal_unsigned", _("Renewal awaiting signatures")
    SIGNING = "signing", _("Signature reminder")
    SIGNING_EXPIRED = "signing_expired", _("Signing link expired")
    COMMITMENT_DUE = "commitment_due", _("Commitment due soon")
    COMMITMENT_OVERDUE = "commitment_overdue", _("Commitment overdue")
    AGREEMENT_EXPIRED = "agreement_expired", _("Agreement ended")
    PERIOD_REPORT_DUE = "period_report_due", _("Period report due soon")
    PERIOD_REPORT_OVERDUE = "period_report_overdue", _("Period report overdue")
    # In-app only, not sent by the sweep.
    PROGRESS_SUBMITTED = "progress_submitted", _("Progress reported")
    PROGRESS_REVIEWED = "progress_reviewed", _("Progress reviewed")


class ReminderStatus(models.TextChoices):
    PENDING = "pending", _("To send")
    SENDING = "sending", _("Sending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Reminder(models.Model):
    """One reminder to one recipient, for one occasion (agreement, kind, offset, subject).

    `key` is unique: the sweep may plan the same reminder any number of times (two
    sweeps at once, a sweep retried after a crash, two beat processes) and it exists
    once. Sending claims the row with a conditional UPDATE, so it is sent once.
    """

    key = models.CharField(max_length=255, unique=True, editable=False)
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, related_name="reminders", verbose_name=_("agreement")
    )
    commitment = models.ForeignKey(
        "agreements.Commitment", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    signing_request = models.ForeignKey(
        "agreements.SigningRequest", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    period_report = models.ForeignKey(
        "agreements.PeriodReport", on_delete=models.CASCADE, null=True, blank=True, related_name="reminders"
    )
    offset_days = models.IntegerField(_("days before"), help_text=_("Days before the date the reminder is about."))
    due_on = models.DateField(_("due on"), help_text=_("The day this reminder became due."))
    recipient_email = models.EmailField(_("recipient"))
    recipient_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="reminders"
    )
    status = models.CharField(
        _("status"), max_length=10, choices=ReminderStatus.choices, default=ReminderStatus.PENDING
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("error"), blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("reminder")
        verbose_name_plural = _("reminders")
        ordering = ["-due_on", "-id"]
        indexes = [
            models.Index(fields=["status", "claimed_at"]),
            # The sweep's "not planned yet" lookups.
            models.Index(fields=["agreement", "kind", "offset_days"]),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} → {self.recipient_email}"


class Notification(models.Model):
    """A message in a user's in-app list, with an unread mark.

    It keeps a message key and its parameters (`reminders.messages`) and is rendered
    when read, in the reader's language (`headline`, `text`). `title` and `body` hold
    the Arabic rendering, for the admin's search; rows made before the message key
    existed have only those, and show them as they are.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    agreement = models.ForeignKey(
        "agreements.Agreement", on_delete=models.CASCADE, null=True, blank=True, related_name="notifications"
    )
    reminder = models.OneToOneField(
        Reminder, on_delete=models.CASCADE, null=True, blank=True, related_name="notification"
    )
    kind = models.CharField(_("kind"), max_length=30, choices=ReminderKind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("message"), blank=True)
    message = models.CharField(max_length=40, blank=True, editable=False)
    params = models.JSONField(default=dict, blank=True, editable=False)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"])]

    def __str__(self) -> str:
        return self.headline

    def _rendered(self) -> dict[str, str]:
        if not self.message:
            return {"headline": self.title, "body": self.body}
        from .messages import render

        return render(self.message, self.params)

    @property
    def headline(self) -> str:
        """The title in the active language."""
        return self._rendered()["headline"]

    @property
    def text(self) -> str:
        """The body in the active language."""
        return self._rendered()["body"]

    @classmethod
    def build(cls, *, message: str, params: dict, **fields) -> Notification:
        """An unsaved notification of `message`, with its Arabic rendering kept for search."""
        from .messages import render

        with translation.override("ar"):
            arabic = render(message, params)
        title = arabic["headline"][: cls._meta.get_field("title").max_length]
        return cls(message=message, params=params, title=title, body=arabic["body"], **fields)

    @staticmethod
    def _cache_key(user_id: int) -> str:
        return f"unread-notifications:{user_id}"

    @classmethod
    def unread_count(cls, user) -> int:
        """Shown on every page: cached, and cleared whenever the user's list changes."""
        key = cls._cache_key(user.pk)
        count = cache.get(key)
        if count is None:
            count = cls.objects.filter(user=user, read_at__isnull=True).count()
            cache.set(key, count, 300)
        return count

    @classmethod
    def forget_count(cls, user_id: int) -> None:
        cache.delete(cls._cache_key(user_id))

    @classmethod
    def notify(cls, *, users, kind: str, message: str, params: dict, url: str = "", agreement=None) -> None:
        """Add the same notification (a message key and its parameters) to several users' lists."""
        users = [user for user in users if user is not None and user.is_active]
        cls.objects.bulk_create(
            [
                cls.build(message=message, params=params, user=user, kind=kind, url=url, agreement=agreement)
                for user in users
            ]
        )
        for user in users:
            cls.forget_count(user.pk)


class CalendarFeed(models.Model):
    """A user's private calendar address (ICS); only the token's hash is kept.

    Regenerating replaces the token, so the old address stops working at once.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="calendar_feed")
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self) -> str:
        return str(self.user)
