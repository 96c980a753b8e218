"""Progress on commitments: reported by the side that promised, reviewed by the charity."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from common import clock, dates

from .models import (
    Commitment,
    CommitmentStatus,
    Evidence,
    Party,
    ProgressStatus,
    ProgressUpdate,
)
from .models.core import REPORTABLE_AFTER_END
from .signals import progress_reported, progress_reviewed
from .uploads import sniff_document

if TYPE_CHECKING:
    from accounts.models import User

MAX_EVIDENCE_FILES = 5


def may_report(user: User, commitment: Commitment) -> bool:
    """A partner's users report on the partner's own commitments; staff editors on any."""
    if user.can_edit_agreements:
        return True
    agreement = commitment.clause.agreement
    return bool(
        user.is_active
        and user.partner_id
        and user.partner_id == agreement.partner_id
        and commitment.party == Party.PARTNER
    )


def removed_refusal(commitment: Commitment) -> str | None:
    """Why no progress is reported on a commitment an amendment in force removed; None otherwise."""
    if commitment.removed_by_id is None:
        return None
    return _(
        "Amendment %(number)s removed this commitment from the agreement, so progress is no longer reported on it."
    ) % {"number": commitment.removed_by.number}


def progress_report(
    *,
    commitment: Commitment,
    by: User,
    amount: int,
    reported_on: datetime.date,
    note: str,
    files: list[UploadedFile],
) -> ProgressUpdate:
    """Record progress with its evidence files; the agreement's owner is notified.

    Files are checked by content (PDF, PNG, JPEG; size limit) before anything is saved:
    one bad file refuses the whole report.
    """
    if not may_report(by, commitment):
        raise PermissionDenied
    agreement = commitment.clause.agreement
    today = clock.today()
    if not agreement.accepts_progress_on(today):
        if agreement.status in REPORTABLE_AFTER_END:
            raise ValidationError(
                _("The final reports of this agreement were due by %(date)s.")
                % {"date": dates.both(agreement.last_report_day)}
            )
        raise ValidationError(_("Progress is reported only on agreements in force."))
    refusal = removed_refusal(commitment)
    if refusal:
        raise ValidationError(refusal)
    if commitment.status == CommitmentStatus.CANCELLED:
        raise ValidationError(_("This commitment was cancelled."))
    if reported_on > today:
        raise ValidationError(_("The date of the progress cannot be in the future."))
    if len(files) > MAX_EVIDENCE_FILES:
        raise ValidationError(
            ngettext("Attach at most %(n)s file.", "Attach at most %(n)s files.", MAX_EVIDENCE_FILES)
            % {"n": MAX_EVIDENCE_FILES}
        )
    checked = [(upload, sniff_document(upload)) for upload in files]
    with transaction.atomic():
        update = ProgressUpdate(
            commitment=commitment,
            reported_on=reported_on,
            amount=amount,
            note=note.strip(),
            reported_by=by,
            late=today > agreement.ends_on,
        )
        update.full_clean()
        update.save()
        for upload, content_type in checked:
            evidence = Evidence(
                update=update, original_name=upload.name[:255], content_type=content_type, size=upload.size
            )
            evidence.file.save(upload.name, upload, save=False)
            evidence.save()
        progress_reported.send(sender=ProgressUpdate, update=update, by=by)
    return update


def _refresh_commitment_status(commitment: Commitment) -> None:
    """Achieved once accepted progress reaches the target; in progress once any is accepted."""
    if commitment.status == CommitmentStatus.CANCELLED:
        return
    accepted = Commitment.objects.with_progress().values_list("achieved", flat=True).get(pk=commitment.pk)
    status = (
        CommitmentStatus.ACHIEVED
        if accepted >= commitment.target_quantity
        else CommitmentStatus.IN_PROGRESS
        if accepted > 0
        else CommitmentStatus.NOT_STARTED
    )
    if status != commitment.status:
        commitment.status = status
        commitment.save(update_fields=["status"])


@transaction.atomic
def progress_review(*, update: ProgressUpdate, accept: bool, comment: str, by: User) -> ProgressUpdate:
    """Accept a reported update (it then counts toward the target) or send it back with a comment."""
    if not by.can_edit_agreements:
        raise PermissionDenied
    update = (
        ProgressUpdate.objects.select_for_update().select_related("commitment__clause__agreement").get(pk=update.pk)
    )
    if update.status != ProgressStatus.SUBMITTED:
        raise ValidationError(_("This progress report was already reviewed."))
    if not accept and not comment.strip():
        raise ValidationError(_("Say why the report is sent back, so it can be corrected."))
    update.status = ProgressStatus.ACCEPTED if accept else ProgressStatus.RETURNED
    update.reviewed_by = by
    update.reviewed_at = timezone.now()
    update.review_comment = comment.strip()
    update.save(update_fields=["status", "reviewed_by", "reviewed_at", "review_comment"])
    commitment = Commitment.objects.select_for_update().get(pk=update.commitment_id)
    _refresh_commitment_status(commitment)
    progress_reviewed.send(sender=ProgressUpdate, update=update, accepted=accept)
    return update
