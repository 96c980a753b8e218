"""The daily sweep: what is due today, planned once, sent once.

`reminders_sweep(today=...)` moves ended agreements to expired, expires dead signing
links, and plans every reminder that is due on or before `today` and not planned yet:
renewal reminders at the agreement's offsets before its end date, reminders to
signatories who have not signed, and reminders about commitments due soon or overdue.
A reminder whose day passed while no sweep ran (worker down) is still due, so the next
sweep sends it, late, once. Planning writes rows with a unique key; sending claims each
row with a conditional UPDATE. Queries per sweep do not grow with the number of
agreements: each kind is found by one query that already excludes what was planned.
"""

from __future__ import annotations

import datetime
import logging
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import DateField, Exists, ExpressionWrapper, F, OuterRef, Q
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from accounts.models import User
from agreements import lifecycle
from agreements.audit import audit_record
from agreements.models import (
    Agreement,
    AgreementStatus,
    AuditKind,
    Commitment,
    Party,
    ProgressUpdate,
    SigningRequest,
    SigningStatus,
)
from agreements.models.signing import OPEN_SIGNING_STATUSES
from partners.models import Contact

from .models import Notification, Reminder, ReminderKind, ReminderStatus

logger = logging.getLogger(__name__)

# A row claimed for sending longer ago than this was abandoned by a crashed worker.
CLAIM_LEASE = datetime.timedelta(minutes=10)


@dataclass(frozen=True)
class Planned:
    kind: str
    agreement_id: int
    offset_days: int
    due_on: datetime.date
    email: str
    commitment_id: int | None = None
    signing_request_id: int | None = None

    @property
    def key(self) -> str:
        subject = self.commitment_id or self.signing_request_id or "-"
        return f"{self.kind}:{self.agreement_id}:{subject}:{self.offset_days}:{self.email.lower()}"


@dataclass
class SweepReport:
    today: datetime.date
    expired_agreements: list[str] = field(default_factory=list)
    expired_requests: int = 0
    planned: list[Planned] = field(default_factory=list)
    new_reminders: list[int] = field(default_factory=list)


def sweep_today() -> datetime.date:
    """Today in the portal's time zone, or the configured override (tests and demos)."""
    override = settings.REMINDER_TODAY_OVERRIDE
    return datetime.date.fromisoformat(override) if override else timezone.localdate()


def renewal_offsets(agreement: Agreement) -> list[int]:
    return agreement.reminder_offset_list or settings.REMINDER_OFFSETS


def _date_minus(days: int):
    return ExpressionWrapper(F("ends_on") - datetime.timedelta(days=days), output_field=DateField())


def _not_planned(kind: str, *, offset: int | None = None, via: str = "agreement") -> Exists:
    reminders = Reminder.objects.filter(kind=kind, **{via: OuterRef("pk")})
    if offset is not None:
        reminders = reminders.filter(offset_days=offset)
    return ~Exists(reminders)


def _partner_emails(partner_ids: set[int]) -> dict[int, list[str]]:
    emails: dict[int, list[str]] = defaultdict(list)
    contacts = Contact.objects.filter(partner_id__in=partner_ids, is_active=True).exclude(email="")
    for partner_id, email in contacts.values_list("partner_id", "email"):
        emails[partner_id].append(email)
    return emails


def _plan_renewals(today: datetime.date) -> list[Planned]:
    """Renewal reminders at each offset before the end date, once per recipient.

    Only the few columns needed are read (not whole agreements): the sweep reads the
    due rows much as a hand-written SELECT would.
    """
    fields = ("pk", "partner_id", "ends_on", "owner__email", "active_since")
    active = Agreement.objects.filter(status=AgreementStatus.ACTIVE, ends_on__gte=today).annotate(
        active_since=Coalesce(TruncDate("activated_at"), "signed_on", "starts_on")
    )
    due: list[tuple[tuple, int]] = []
    # The common case: agreements on the global offsets, one query per offset.
    for offset in settings.REMINDER_OFFSETS:
        rows = active.filter(
            reminder_offsets="",
            ends_on__lte=today + datetime.timedelta(days=offset),
            # Only offsets the agreement lived through: one signed 20 days before its end
            # gets the 7-day reminder, not three late ones for 90, 60 and 30.
            active_since__lte=_date_minus(offset),
        ).filter(_not_planned(ReminderKind.RENEWAL, offset=offset))
        due += [(row, offset) for row in rows.values_list(*fields)]
    # Agreements with their own offsets are few; their offsets are read in Python.
    for agreement in active.exclude(reminder_offsets="").select_related("owner"):
        for offset in agreement.reminder_offset_list:
            day = agreement.ends_on - datetime.timedelta(days=offset)
            if day <= today and agreement.active_since <= day:
                row = (
                    agreement.pk,
                    agreement.partner_id,
                    agreement.ends_on,
                    agreement.owner.email,
                    agreement.active_since,
                )
                due.append((row, offset))
    emails = _partner_emails({row[1] for row, _offset in due})
    planned = []
    for (pk, partner_id, ends_on, owner_email, _since), offset in due:
        day = ends_on - datetime.timedelta(days=offset)
        for email in dict.fromkeys([owner_email, *emails.get(partner_id, [])]):
            if email:
                planned.append(Planned(ReminderKind.RENEWAL, pk, offset, day, email))
    return planned


def _expire_agreements(today: datetime.date, report: SweepReport, dry_run: bool) -> list[Planned]:
    planned = []
    ended = Agreement.objects.filter(status=AgreementStatus.ACTIVE, ends_on__lt=today).select_related("owner")
    for agreement in ended:
        if not dry_run:
            try:
                lifecycle.transition(agreement, "expire", today=today)
            except lifecycle.TransitionError:
                continue  # another sweep got there first
        report.expired_agreements.append(agreement.reference)
        if agreement.owner.email:
            planned.append(
                Planned(ReminderKind.AGREEMENT_EXPIRED, agreement.pk, 0, agreement.ends_on, agreement.owner.email)
            )
    return planned


def _signing(today: datetime.date, report: SweepReport, dry_run: bool) -> list[Planned]:
    planned = []
    now = timezone.now()
    # Links past their deadline: the request expires and the owner is told.
    stale = SigningRequest.objects.filter(status__in=OPEN_SIGNING_STATUSES, token_expires_at__lt=now).select_related(
        "agreement__owner"
    )
    for request in stale:
        if not dry_run:
            with transaction.atomic():
                claimed = SigningRequest.objects.filter(pk=request.pk, status__in=OPEN_SIGNING_STATUSES).update(
                    status=SigningStatus.EXPIRED, token_hash=None
                )
                if not claimed:
                    continue
                audit_record(
                    agreement=request.agreement,
                    kind=AuditKind.EXPIRED,
                    actor_label="—",
                    signing_request=request,
                    details={"expired_at": request.token_expires_at.isoformat()},
                )
        report.expired_requests += 1
        owner = request.agreement.owner
        if owner.email:
            planned.append(
                Planned(
                    ReminderKind.SIGNING_EXPIRED,
                    request.agreement_id,
                    0,
                    request.token_expires_at.date(),
                    owner.email,
                    signing_request_id=request.pk,
                )
            )
    # Signatories who have not signed N days after the request was sent.
    waiting = SigningRequest.objects.filter(
        status__in=[SigningStatus.SENT, SigningStatus.OPENED],
        agreement__status=AgreementStatus.AWAITING_SIGNATURES,
        amendment=None,
        token_expires_at__gte=now,
    )
    for days in settings.SIGNING_REMINDER_DAYS:
        rows = waiting.filter(created_at__date__lte=today - datetime.timedelta(days=days)).filter(
            _not_planned(ReminderKind.SIGNING, offset=days, via="signing_request")
        )
        for request in rows:
            day = timezone.localdate(request.created_at) + datetime.timedelta(days=days)
            planned.append(
                Planned(
                    ReminderKind.SIGNING, request.agreement_id, days, day, request.email, signing_request_id=request.pk
                )
            )
    return planned


def _commitments(today: datetime.date) -> list[Planned]:
    """Commitments due within N days, and overdue ones with no progress reported."""
    # Agreements past their end are expired by this same sweep: not reminded about.
    open_commitments = Commitment.objects.open().filter(
        clause__agreement__status=AgreementStatus.ACTIVE, clause__agreement__ends_on__gte=today
    )
    window = settings.COMMITMENT_DUE_WITHIN_DAYS
    due_soon = open_commitments.filter(due_on__gte=today, due_on__lte=today + datetime.timedelta(days=window)).filter(
        _not_planned(ReminderKind.COMMITMENT_DUE, via="commitment")
    )
    overdue = (
        open_commitments.overdue(today)
        .filter(~Exists(ProgressUpdate.objects.filter(commitment=OuterRef("pk"))))
        .filter(_not_planned(ReminderKind.COMMITMENT_OVERDUE, via="commitment"))
    )
    rows = [(c, ReminderKind.COMMITMENT_DUE, window) for c in due_soon.select_related("clause__agreement__owner")] + [
        (c, ReminderKind.COMMITMENT_OVERDUE, 0) for c in overdue.select_related("clause__agreement__owner")
    ]
    emails = _partner_emails({c.clause.agreement.partner_id for c, _kind, _offset in rows})
    planned = []
    for commitment, kind, offset in rows:
        agreement = commitment.clause.agreement
        # Each side is reminded of what it promised; the owner follows both.
        recipients = [agreement.owner.email]
        if commitment.party == Party.PARTNER:
            recipients += emails.get(agreement.partner_id, [])
        day = commitment.due_on - datetime.timedelta(days=offset)
        planned += [
            Planned(kind, agreement.pk, offset, min(day, today), email, commitment_id=commitment.pk)
            for email in dict.fromkeys(recipients)
            if email
        ]
    return planned


def reminders_sweep(*, today: datetime.date | None = None, dry_run: bool = False) -> SweepReport:
    """Run the daily sweep for `today`; with dry_run, change nothing and report the plan."""
    today = today or sweep_today()
    report = SweepReport(today=today)
    planned = _expire_agreements(today, report, dry_run)
    planned += _plan_renewals(today)
    planned += _signing(today, report, dry_run)
    planned += _commitments(today)
    planned = list({p.key: p for p in planned}.values())
    existing = set(Reminder.objects.filter(key__in=[p.key for p in planned]).values_list("key", flat=True))
    report.planned = [p for p in planned if p.key not in existing]
    if dry_run:
        return report
    users = {
        u.email.lower(): u.pk
        for u in User.objects.filter(email__in={p.email for p in report.planned}, is_active=True).exclude(email="")
    }
    Reminder.objects.bulk_create(
        [
            Reminder(
                key=p.key,
                kind=p.kind,
                agreement_id=p.agreement_id,
                commitment_id=p.commitment_id,
                signing_request_id=p.signing_request_id,
                offset_days=p.offset_days,
                due_on=p.due_on,
                recipient_email=p.email,
                recipient_user_id=users.get(p.email.lower()),
            )
            for p in report.planned
        ],
        ignore_conflicts=True,
    )
    # Everything still to send: this sweep's rows, earlier failures waiting for their
    # retry, and rows a crashed worker had claimed but never sent.
    lease_over = timezone.now() - CLAIM_LEASE
    report.new_reminders = list(
        Reminder.objects.filter(
            Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.SENDING, claimed_at__lt=lease_over)
        )
        .order_by("id")
        .values_list("pk", flat=True)
    )
    return report


def reminder_claim(reminder_id: int) -> Reminder | None:
    """Claim a reminder for sending; None when someone else has it or it was sent."""
    now = timezone.now()
    claimed = (
        Reminder.objects.filter(pk=reminder_id)
        .filter(Q(status=ReminderStatus.PENDING) | Q(status=ReminderStatus.SENDING, claimed_at__lt=now - CLAIM_LEASE))
        .update(status=ReminderStatus.SENDING, claimed_at=now, attempts=F("attempts") + 1)
    )
    if claimed != 1:
        return None
    return Reminder.objects.select_related(
        "agreement__partner", "agreement__owner", "commitment__clause", "signing_request", "recipient_user"
    ).get(pk=reminder_id)


def reminder_send(*, reminder_id: int) -> bool:
    """Send one claimed reminder (email + in-app notification); True if this call sent it."""
    from .emails import send_reminder_email

    reminder = reminder_claim(reminder_id)
    if reminder is None:
        return False
    try:
        if reminder.kind == ReminderKind.SIGNING:
            from agreements.signing.services import signing_invite

            signing_invite(signing_request_id=reminder.signing_request_id, resend=True, reminder=True)
        else:
            send_reminder_email(reminder)
    except Exception as error:
        # Back to the queue for the task's retry; the final failure is recorded by the task.
        Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.PENDING, error=str(error)[:2000])
        raise
    with transaction.atomic():
        Reminder.objects.filter(pk=reminder.pk).update(status=ReminderStatus.SENT, sent_at=timezone.now(), error="")
        if reminder.recipient_user_id:
            from .emails import notification_for

            Notification.objects.create(
                user_id=reminder.recipient_user_id, reminder=reminder, **notification_for(reminder)
            )
            Notification.forget_count(reminder.recipient_user_id)
    return True


def reminder_failed(*, reminder_id: int, error: str) -> None:
    Reminder.objects.filter(pk=reminder_id).exclude(status=ReminderStatus.SENT).update(
        status=ReminderStatus.FAILED, error=error[:2000]
    )
