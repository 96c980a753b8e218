"""In-portal notifications for what happens in the agreements app (agreements/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse

from agreements.progress import review_outcome_path
from agreements.signals import progress_reported, progress_reviewed

from . import messages
from .models import Notification, ReminderKind


@receiver(progress_reported, dispatch_uid="reminders.progress_reported")
def notify_owner_of_progress(sender, *, update, by, resubmitted=False, **kwargs) -> None:
    """The agreement's owner hears of each progress report (and each one sent again), unless they reported it."""
    commitment = update.commitment
    agreement = commitment.clause.agreement
    owner = agreement.owner
    if owner.pk == by.pk:
        return
    Notification.notify(
        users=[owner],
        kind=ReminderKind.PROGRESS_SUBMITTED,
        message="progress_resubmitted" if resubmitted else "progress_reported",
        params={
            "who": by.display_name,
            "commitment": messages.bilingual(commitment, "description"),
            "amount": {"count": update.amount, "noun": commitment.unit},
        },
        # The owner is staff (agreements.Agreement.owner): the review queue is theirs.
        url=reverse("agreements:progress_queue"),
        agreement=agreement,
    )


@receiver(progress_reviewed, dispatch_uid="reminders.progress_reviewed")
def notify_reporter_of_review(sender, *, update, accepted, comment, **kwargs) -> None:
    """The reporter hears whether the report was accepted or sent back, with the comment."""
    commitment = update.commitment
    agreement = commitment.clause.agreement
    Notification.notify(
        users=[update.reported_by],
        kind=ReminderKind.PROGRESS_REVIEWED,
        message="progress_accepted" if accepted else "progress_returned",
        params={"commitment": messages.bilingual(commitment, "description"), "text": comment.text},
        # A partner user opens the returned report's form, or the accepted report; staff the agreement's page.
        url=review_outcome_path(update),
        agreement=agreement,
    )
