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
from django.db.models import Exists, F, OuterRef, Q
from django.db.models.functions import Coalesce, Greatest
from django.utils import timezone

from accounts.models import ReminderEmails, User
from agreements import lifecycle
from agreements.amendments.content import ChangeConflict
from agreements.amendments.services import AMENDABLE, amendment_in_force, amendments_due
from agreements.audit import audit_record
from agreements.models import (
    Agreement,
    AgreementStatus,
    AmendmentStatus,
    AuditKind,
    Commitment,
    Party,
    PeriodReport,
    ProgressUpdate,
    SigningRequest,
    SigningStatus,
)
from agreements.models.signing import OPEN_SIGNING_STATUSES
from agreements.periods import period_reports_open
from common import clock
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
    period_report_id: int | None = None
    # Renewal reminders: the end date they remind of (an amendment may move it; the new
    # end date's reminders are new occasions).
    term_end: datetime.date | None = None

    @property
    def key(self) -> str:
        period = f"p{self.period_report_id}" if self.period_report_id else None
        subject = self.commitment_id or self.signing_request_id or period or "-"
        key = f"{self.kind}:{self.agreement_id}:{subject}:{self.offset_days}:{self.email.lower()}"
        return f"{key}:{self.term_end.isoformat()}" if self.term_end else key


@dataclass
class SweepReport:
    today: datetime.date
    started_agreements: list[str] = field(default_factory=list)
    # "QC-2026-0004/1": amendments that came into force.
    amendments_in_force: list[str] = field(default_factory=list)
    expired_agreements: list[str] = field(default_factory=list)
    expired_requests: int = 0
    planned: list[Planned] = field(default_factory=list)
    new_reminders: list[int] = field(default_factory=list)


def sweep_today() -> datetime.date:
    """Today in the portal's time zone, or the date a demo or test set (common/clock.py)."""
    return clock.today()


def renewal_offsets(agreement: Agreement) -> list[int]:
    return agreement.reminder_offset_list or settings.REMINDER_OFFSETS


def _not_planned(kind: str, *, offset: int | None = None, via: str = "agreement") -> Exists:
    reminders = Reminder.objects.filter(kind=kind, **{via: OuterRef("pk")})
    if offset is not None:
        reminders = reminders.filter(offset_days=offset)
    return ~Exists(reminders)


def _partner_emails(partner_ids: set[int]) -> dict[int, list[str]]:
    """Who hears about a partner's agreements: its active contacts and every active user of it."""
    emails: dict[int, list[str]] = defaultdict(list)
    contacts = Contact.objects.filter(partner_id__in=partner_ids, is_active=True).exclude(email="")
    users = User.objects.filter(partner_id__in=partner_ids, is_active=True).exclude(email="")
    for partner_id, email in [
        *contacts.values_list("partner_id", "email"),
        *users.order_by("pk").values_list("partner_id", "email"),
    ]:
        if email.lower() not in {known.lower() for known in emails[partner_id]}:
            emails[partner_id].append(email)
    return emails


def _term_reminders_due(today: datetime.date) -> list[tuple[Agreement, int, int]]:
    """(agreement, offset, days left) for running agreements with a renewal reminder due today.

    One reminder per occasion, at the agreement's offsets before its end date (90, 60, 30,
    7 days by default), for offsets the agreement lived through: one that came into force
    20 days before its end gets the 7-day reminder only. After days without a sweep
    (worker down), only the latest offset passed is sent, once, saying the real number of
    days left; a reminder already sent at a smaller offset means the earlier ones are over.
    """
    running = (
        Agreement.objects.filter(status=AgreementStatus.ACTIVE, ends_on__gte=today)
        # In force since its start date, or since its signing when signed later (dates, not the
        # activation's timestamp: a demo's moved clock moves them too).
        .annotate(active_since=Greatest("starts_on", Coalesce("signed_on", "starts_on")))
        .select_related("owner", "renewed_by__owner")
        .only(
            "id",
            "partner_id",
            "ends_on",
            "reminder_offsets",
            "activated_at",
            "signed_on",
            "starts_on",
            "owner__email",
            "renewed_by__id",
            "renewed_by__status",
            "renewed_by__owner__email",
        )
    )
    # Only agreements with an offset already passed: the portal's largest offset bounds those
    # on the default offsets; the few with their own offsets are all read.
    widest = today + datetime.timedelta(days=max(settings.REMINDER_OFFSETS))
    candidates = list(running.filter(Q(reminder_offsets="", ends_on__lte=widest) | ~Q(reminder_offsets="")))
    # The smallest offset already reminded, of the end date in force: reminders name the days
    # left on the day sent, so an amendment that moved the end date starts them afresh.
    ends = {a.pk: a.ends_on for a in candidates}
    sent: dict[int, int] = {}
    for agreement_id, offset, day in Reminder.objects.filter(
        agreement__in=list(ends), kind__in=[ReminderKind.RENEWAL, ReminderKind.RENEWAL_UNSIGNED]
    ).values_list("agreement_id", "offset_days", "due_on"):
        if day + datetime.timedelta(days=offset) == ends[agreement_id]:
            sent[agreement_id] = min(offset, sent.get(agreement_id, offset))
    due = []
    for agreement in candidates:
        left = (agreement.ends_on - today).days
        passed = [
            offset
            for offset in renewal_offsets(agreement)
            if offset >= left and agreement.active_since <= agreement.ends_on - datetime.timedelta(days=offset)
        ]
        if not passed:
            continue
        offset = min(passed)
        if agreement.pk in sent and sent[agreement.pk] <= offset:
            continue  # this offset, or a later one, was already reminded
        due.append((agreement, offset, left))
    return due


def _plan_renewals(today: datetime.date) -> list[Planned]:
    """Renewal reminders, or, once a renewal exists, reminders to finish it in time.

    Without a renewal: the owner and the partner are told the agreement ends soon. With a
    renewal still a draft or awaiting signatures: its owner, and its signatories who have
    not signed (with a fresh link), are asked to finish it before the current term ends.
    A renewal signed already needs nothing.
    """
    due = _term_reminders_due(today)
    emails = _partner_emails({agreement.partner_id for agreement, _offset, _left in due})
    unsigned = {
        agreement.renewed_by.pk: agreement
        for agreement, _offset, _left in due
        if getattr(agreement, "renewed_by", None) is not None
        and agreement.renewed_by.status in (AgreementStatus.DRAFT, AgreementStatus.AWAITING_SIGNATURES)
    }
    signatories: dict[int, list[SigningRequest]] = defaultdict(list)
    for request in SigningRequest.objects.filter(
        agreement_id__in=unsigned,
        amendment=None,
        status__in=OPEN_SIGNING_STATUSES,
        agreement__status=AgreementStatus.AWAITING_SIGNATURES,
    ).order_by("pk"):
        signatories[request.agreement_id].append(request)
    planned = []
    for agreement, _offset, left in due:
        renewal = getattr(agreement, "renewed_by", None)
        if renewal is None:
            recipients = [agreement.owner.email, *emails.get(agreement.partner_id, [])]
            planned += [
                Planned(ReminderKind.RENEWAL, agreement.pk, left, today, email, term_end=agreement.ends_on)
                for email in dict.fromkeys(recipients)
                if email
            ]
        elif renewal.pk in unsigned:
            if renewal.owner.email:
                planned.append(
                    Planned(
                        ReminderKind.RENEWAL_UNSIGNED,
                        agreement.pk,
                        left,
                        today,
                        renewal.owner.email,
                        term_end=agreement.ends_on,
                    )
                )
            planned += [
                Planned(
                    ReminderKind.RENEWAL_UNSIGNED,
                    agreement.pk,
                    left,
                    today,
                    request.email,
                    signing_request_id=request.pk,
                    term_end=agreement.ends_on,
                )
                for request in signatories[renewal.pk]
            ]
    return planned


def _start_agreements(today: datetime.date, report: SweepReport, dry_run: bool) -> None:
    """Signed agreements whose start date has come are in force (a renewal supersedes its predecessor)."""
    for agreement in Agreement.objects.filter(status=AgreementStatus.SIGNED, starts_on__lte=today).order_by("pk"):
        if not dry_run:
            try:
                lifecycle.transition(agreement, "start", today=today)
            except lifecycle.TransitionError:
                continue  # another sweep got there first
        report.started_agreements.append(agreement.reference)


def _amendments_into_force(today: datetime.date, report: SweepReport, dry_run: bool) -> None:
    """Signed amendments whose effective date has come are written into their agreements."""
    for amendment in amendments_due(today):
        if amendment.agreement.status not in AMENDABLE:
            continue  # ended or terminated before the amendment's date: it never takes effect
        if not dry_run:
            try:
                if not amendment_in_force(amendment=amendment, today=today):
                    continue  # another sweep got there first
            except ChangeConflict:
                logger.exception("amendment %s no longer fits its agreement", amendment)
                continue
        report.amendments_in_force.append(f"{amendment.agreement.reference}/{amendment.number}")


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
    now = clock.now()
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
        Q(amendment=None, agreement__status=AgreementStatus.AWAITING_SIGNATURES)
        | Q(amendment__status=AmendmentStatus.AWAITING_SIGNATURES),
        status__in=[SigningStatus.SENT, SigningStatus.OPENED],
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


def _period_reports(today: datetime.date, dry_run: bool) -> list[Planned]:
    """Open the reports of periods that ended; remind those due soon and, once, those overdue.

    Due soon: PERIOD_REPORT_DUE_SOON_DAYS before the due date, not submitted. Overdue: the day
    after the due date, not submitted. Each once (the reminder's key names the report); a
    sweep missed for days sends the one still true, late. The partner's side goes to its
    contacts and users, the charity's side to the agreement's owner.
    """
    if not dry_run:
        period_reports_open(today=today)
    soon = datetime.timedelta(days=settings.PERIOD_REPORT_DUE_SOON_DAYS)
    to_report = PeriodReport.objects.to_report().select_related("agreement__owner")
    overdue = to_report.late(today).filter(_not_planned(ReminderKind.PERIOD_REPORT_OVERDUE, via="period_report"))
    due_soon = to_report.filter(due_on__gte=today, due_on__lte=today + soon).filter(
        _not_planned(ReminderKind.PERIOD_REPORT_DUE, via="period_report")
    )
    rows = [(r, ReminderKind.PERIOD_REPORT_DUE, settings.PERIOD_REPORT_DUE_SOON_DAYS) for r in due_soon] + [
        (r, ReminderKind.PERIOD_REPORT_OVERDUE, 0) for r in overdue
    ]
    emails = _partner_emails({r.agreement.partner_id for r, _kind, _offset in rows if r.party == Party.PARTNER})
    planned = []
    for report, kind, offset in rows:
        agreement = report.agreement
        if report.party == Party.PARTNER:
            recipients = emails.get(agreement.partner_id, [])
        else:
            recipients = [agreement.owner.email]
        # The day it became true: the first day of the due-soon window, or the day after the due date.
        day = report.due_on - soon if kind == ReminderKind.PERIOD_REPORT_DUE else report.due_on + datetime.timedelta(1)
        planned += [
            Planned(kind, agreement.pk, offset, min(day, today), email, period_report_id=report.pk)
            for email in dict.fromkeys(recipients)
            if email
        ]
    return planned


def reminders_sweep(*, today: datetime.date | None = None, dry_run: bool = False) -> SweepReport:
    """Run the daily sweep for `today`; with dry_run, change nothing and report the plan."""
    today = today or sweep_today()
    report = SweepReport(today=today)
    # Starts first: a renewal starting today supersedes its predecessor, which then does not expire.
    _start_agreements(today, report, dry_run)
    # Then amendments in force: one that extends the term today keeps the agreement running.
    _amendments_into_force(today, report, dry_run)
    planned = _expire_agreements(today, report, dry_run)
    planned += _plan_renewals(today)
    planned += _signing(today, report, dry_run)
    planned += _commitments(today)
    planned += _period_reports(today, dry_run)
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
                period_report_id=p.period_report_id,
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
        "agreement__partner",
        "agreement__owner",
        "commitment__clause",
        "signing_request",
        "period_report",
        "recipient_user",
    ).get(pk=reminder_id)


# Reminders whose e-mail is a fresh signing link: always sent on their own.
SIGNING_LINK_KINDS = (ReminderKind.SIGNING, ReminderKind.RENEWAL_UNSIGNED)


def _by_signing_link(reminder: Reminder) -> bool:
    return reminder.kind in SIGNING_LINK_KINDS and reminder.signing_request_id is not None


def reminder_batches(reminder_ids: list[int]) -> list[list[int]]:
    """The reminders to send, grouped into e-mails: one digest per recipient and day.

    A recipient gets all of the reminders due for them in one e-mail (each item once),
    unless their account asks for one e-mail each. Signing links go on their own.
    """
    single: list[list[int]] = []
    digests: dict[str, list[int]] = defaultdict(list)
    rows = (
        Reminder.objects.filter(pk__in=reminder_ids)
        .select_related("recipient_user")
        .only("pk", "kind", "signing_request_id", "recipient_email", "recipient_user__reminder_emails")
        .order_by("pk")
    )
    for reminder in rows:
        user = reminder.recipient_user
        if _by_signing_link(reminder) or (user is not None and user.reminder_emails == ReminderEmails.EACH):
            single.append([reminder.pk])
        else:
            digests[reminder.recipient_email.lower()].append(reminder.pk)
    return single + list(digests.values())


def reminder_send_batch(*, reminder_ids: list[int]) -> int:
    """Send claimed reminders to one recipient: one e-mail (a digest for several), and a
    notification each. Returns how many this call sent (0 when others had them)."""
    from .emails import send_reminder_digest, send_reminder_email

    reminders = [r for r in (reminder_claim(pk) for pk in reminder_ids) if r is not None]
    if not reminders:
        return 0
    user = reminders[0].recipient_user
    try:
        if len(reminders) == 1 and _by_signing_link(reminders[0]):
            from agreements.signing.services import signing_invite

            signing_invite(signing_request_id=reminders[0].signing_request_id, resend=True, reminder=True)
        elif user is not None and user.reminder_emails == ReminderEmails.NONE:
            pass  # the notifications below are all this user wants
        elif len(reminders) == 1:
            send_reminder_email(reminders[0])
        else:
            send_reminder_digest(reminders)
    except Exception as error:
        # Back to the queue for the task's retry; the final failure is recorded by the task.
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
            status=ReminderStatus.PENDING, error=str(error)[:2000]
        )
        raise
    with transaction.atomic():
        Reminder.objects.filter(pk__in=[r.pk for r in reminders]).update(
            status=ReminderStatus.SENT, sent_at=timezone.now(), error=""
        )
        from .emails import notification_for

        for reminder in reminders:
            if reminder.recipient_user_id:
                Notification.build(
                    user_id=reminder.recipient_user_id, reminder=reminder, **notification_for(reminder)
                ).save()
                Notification.forget_count(reminder.recipient_user_id)
    return len(reminders)


def reminder_send(*, reminder_id: int) -> bool:
    """Send one reminder on its own (email + in-app notification); True if this call sent it."""
    return reminder_send_batch(reminder_ids=[reminder_id]) == 1


def reminder_failed(*, reminder_ids: list[int], error: str) -> None:
    Reminder.objects.filter(pk__in=reminder_ids).exclude(status=ReminderStatus.SENT).update(
        status=ReminderStatus.FAILED, error=error[:2000]
    )
