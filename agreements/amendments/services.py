"""Writing amendments: record, change and delete a draft. Each runs in one transaction.

The rules are written here once, for every path: only an agreement in force (or signed and
not yet started) is amended; one amendment at a time is in progress; a change set must
change something, fit the content it amends, keep due dates inside the amended term; the
effective date falls inside the term and not before the start. Each write is recorded in
the agreement's audit trail.
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils.translation import gettext as _

from common import dates

from ..audit import audit_record
from ..lifecycle import TransitionError
from ..models import Agreement, AgreementStatus, Amendment, AmendmentStatus, AuditKind
from .content import ChangeConflict, apply_changes, base_content

if TYPE_CHECKING:
    from accounts.models import User

AMENDABLE = (AgreementStatus.ACTIVE, AgreementStatus.SIGNED)


def amendment_refusal(agreement: Agreement, amendment: Amendment | None = None) -> str | None:
    """Why an amendment cannot be started (or this draft changed) now; None when it can."""
    if agreement.status not in AMENDABLE:
        return _(
            "Only an agreement in force, or signed and not yet started, can be amended. This one is “%(status)s”."
        ) % {"status": agreement.get_status_display()}
    if amendment is not None:
        if amendment.status != AmendmentStatus.DRAFT:
            return _("Amendment %(number)s is no longer a draft, so it cannot be changed or deleted.") % {
                "number": amendment.number
            }
        return None
    busy = agreement.amendments.in_progress().order_by("number").first()
    if busy is not None:
        return _(
            "Amendment %(number)s is still in progress (%(status)s): finish or delete it before recording another."
        ) % {"number": busy.number, "status": busy.get_status_display()}
    return None


def _check(agreement: Agreement, amendment: Amendment | None, changes: list[dict[str, Any]], effective_on) -> None:
    """Refuse a change set that changes nothing or does not fit; errors keyed by the editor's fields."""
    if not changes:
        raise ValidationError(
            _("This amendment changes nothing: change a clause, a commitment or the end date, then save."),
            code="no_change",
        )
    base = base_content(agreement, amendment)
    try:
        amended = apply_changes(base, changes, number=amendment.number if amendment else 0)
    except ChangeConflict:
        raise ValidationError(
            _("The agreement's content changed while the amendment was open. Open it again and redo the changes."),
            code="conflict",
        ) from None
    errors: dict[str, list[str]] = {}
    if amended.ends_on <= amended.starts_on:
        errors.setdefault("ends_on", []).append(_("The end date must be after the start date."))
    last_day = min(base.ends_on, amended.ends_on)
    if effective_on < amended.starts_on:
        errors.setdefault("effective_on", []).append(
            _("An amendment cannot take effect before the agreement starts on %(date)s.")
            % {"date": dates.both(amended.starts_on)}
        )
    elif effective_on > last_day:
        errors.setdefault("effective_on", []).append(
            _("The effective date must fall within the agreement's term, by %(date)s.") % {"date": dates.both(last_day)}
        )
    outside = [m for m in amended.commitments() if not amended.starts_on <= m.due_on <= amended.ends_on]
    if outside:
        errors.setdefault("__all__", []).append(
            _("Due dates must fall within the agreement's term, %(start)s to %(end)s.")
            % {"start": dates.both(amended.starts_on), "end": dates.both(amended.ends_on)}
        )
    if errors:
        raise ValidationError(errors)


def _details(amendment: Amendment) -> dict[str, Any]:
    return {
        "number": amendment.number,
        "effective_on": amendment.effective_on.isoformat(),
        "changes": len(amendment.changes),
    }


@transaction.atomic
def amendment_create(
    *,
    agreement: Agreement,
    by: User,
    changes: list[dict[str, Any]],
    effective_on: datetime.date,
    text_ar: str,
    text_en: str = "",
    title_ar: str = "",
    title_en: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> Amendment:
    """Record the next numbered amendment of an agreement, a draft holding its change set.

    The agreement row is locked while the rules are checked and the number is taken, so
    two editors saving at once get one amendment, never two in progress.
    """
    current = Agreement.objects.select_for_update().get(pk=agreement.pk)
    refusal = amendment_refusal(current)
    if refusal:
        raise TransitionError(refusal)
    _check(current, None, changes, effective_on)
    number = (current.amendments.aggregate(n=Max("number"))["n"] or 0) + 1
    amendment = Amendment(
        agreement=current,
        number=number,
        title_ar=title_ar,
        title_en=title_en,
        text_ar=text_ar,
        text_en=text_en,
        changes=changes,
        effective_on=effective_on,
        status=AmendmentStatus.DRAFT,
        created_by=by,
    )
    amendment._history_user = by
    amendment.full_clean()
    amendment.save()
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_RECORDED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details=_details(amendment),
    )
    return amendment


def _locked_draft(amendment: Amendment) -> tuple[Agreement, Amendment]:
    current = Agreement.objects.select_for_update().get(pk=amendment.agreement_id)
    stored = Amendment.objects.select_for_update().get(pk=amendment.pk)
    refusal = amendment_refusal(current, stored)
    if refusal:
        raise TransitionError(refusal)
    return current, stored


@transaction.atomic
def amendment_update(
    *,
    amendment: Amendment,
    by: User,
    changes: list[dict[str, Any]],
    effective_on: datetime.date,
    text_ar: str,
    text_en: str = "",
    ip: str | None = None,
    user_agent: str = "",
) -> Amendment:
    """Replace a draft amendment's change set, reason and effective date."""
    current, stored = _locked_draft(amendment)
    _check(current, stored, changes, effective_on)
    stored.changes = changes
    stored.effective_on = effective_on
    stored.text_ar = text_ar
    stored.text_en = text_en
    stored._history_user = by
    stored.full_clean()
    stored.save()
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_EDITED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details=_details(stored),
    )
    return stored


@transaction.atomic
def amendment_delete(*, amendment: Amendment, by: User, ip: str | None = None, user_agent: str = "") -> None:
    """Delete a draft amendment. It was the last number, so the next amendment takes it:
    the signed amendments stay numbered 1, 2, … without gaps. The history keeps the draft."""
    current, stored = _locked_draft(amendment)
    details = _details(stored)
    stored._history_user = by
    stored.delete()
    audit_record(
        agreement=current,
        kind=AuditKind.AMENDMENT_DELETED,
        actor=by,
        ip=ip,
        user_agent=user_agent,
        details=details,
    )
