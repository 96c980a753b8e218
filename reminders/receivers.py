"""In-portal notifications for what happens in the agreements app (agreements/signals.py)."""

from __future__ import annotations

from django.dispatch import receiver
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext as _

from agreements.signals import progress_reported, progress_reviewed
from common.counting import counted

from .links import agreement_path
from .models import Notification, ReminderKind


@receiver(progress_reported, dispatch_uid="reminders.progress_reported")
def notify_owner_of_progress(sender, *, update, by, **kwargs) -> None:
    """The agreement's owner hears of each progress report, unless they reported it."""
    commitment = update.commitment
    agreement = commitment.clause.agreement
    owner = agreement.owner
    if owner.pk == by.pk:
        return
    with translation.override("ar"):
        title = _("%(who)s reported progress on “%(commitment)s”") % {
            "who": by.display_name,
            "commitment": commitment.description_ar,
        }
        amount = counted(update.amount, commitment.unit)
    Notification.notify(
        users=[owner],
        kind=ReminderKind.PROGRESS_SUBMITTED,
        title=title,
        body=f"+{amount}",
        # The owner is staff (agreements.Agreement.owner): the review queue is theirs.
        url=reverse("agreements:progress_queue"),
        agreement=agreement,
    )


@receiver(progress_reviewed, dispatch_uid="reminders.progress_reviewed")
def notify_reporter_of_review(sender, *, update, accepted, **kwargs) -> None:
    """The reporter hears whether the report was accepted or sent back, with the comment."""
    commitment = update.commitment
    agreement = commitment.clause.agreement
    with translation.override("ar"):
        title = (
            _("Your progress report was accepted: %(commitment)s")
            if accepted
            else _("Your progress report was sent back: %(commitment)s")
        ) % {"commitment": commitment.description_ar}
    reporter = update.reported_by
    # A partner user opens the commitment in the portal; staff on the staff page.
    url = agreement_path(agreement.reference, partner=reporter.is_partner_user, commitment_id=commitment.pk)
    Notification.notify(
        users=[reporter],
        kind=ReminderKind.PROGRESS_REVIEWED,
        title=title,
        body=update.review_comment,
        url=url,
        agreement=agreement,
    )
