"""Work handed to Celery, recorded in the database first (the transactional outbox).

A page that signs an agreement must not fail, nor lose the PDF and emails it queues, because
Redis is down for a minute. So the work is written in the same transaction as the change
that causes it, published to the broker after commit, and re-published by a periodic drain
until a worker has run it. Each message runs at most once to completion: a worker claims it
before running (see services.outbox_start).
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    task = models.CharField(_("task"), max_length=100)
    args = models.JSONField(_("arguments"), default=list, blank=True)
    kwargs = models.JSONField(_("keyword arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not to be run before (a retry's countdown); the drain leaves it alone until then.
    due_at = models.DateTimeField(_("due at"))
    # Handed to the broker; a publisher holds `publishing_at` while it tries.
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    publishing_at = models.DateTimeField(null=True, blank=True, editable=False)
    publish_attempts = models.PositiveIntegerField(_("publish attempts"), default=0)
    # A worker is running it (a lease: a worker that died loses it), then it is done.
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    runs = models.PositiveIntegerField(_("runs"), default=0)
    # The Celery retry count of the run holding the claim: the task's own retry may take over.
    attempt = models.PositiveIntegerField(default=0, editable=False)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    error = models.TextField(_("last error"), blank=True)

    class Meta:
        verbose_name = _("queued task")
        verbose_name_plural = _("queued tasks")
        ordering = ["-created_at"]
        indexes = [
            # The drain reads only what is not done yet.
            models.Index(fields=["due_at"], condition=models.Q(done_at__isnull=True), name="outbox_pending_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.task}{tuple(self.args)} #{self.pk}"

    @property
    def celery_task_id(self) -> str:
        return f"outbox-{self.pk}"

    @staticmethod
    def pk_from_task_id(task_id: str | None) -> int | None:
        """The message behind a Celery task id, when the task was published from the outbox."""
        if task_id and task_id.startswith("outbox-") and task_id[7:].isdigit():
            return int(task_id[7:])
        return None
