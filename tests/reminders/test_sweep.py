"""The daily sweep: renewal, signing and commitment reminders, each sent exactly once."""

import datetime
import threading
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import close_old_connections, connection
from django.test.utils import CaptureQueriesContext

from agreements.models import AgreementStatus, SigningRequest, SigningStatus
from reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from reminders.services import reminder_batches, reminder_send, reminder_send_batch, reminders_sweep
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    ProgressUpdateFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def active_agreement(*, starts=None, ends=None, **kwargs):
    starts, ends = starts or D(2026, 1, 1), ends or D(2027, 1, 1)
    agreement = AgreementFactory(starts_on=starts, signed_on=starts, ends_on=ends, **kwargs)
    ContactFactory(partner=agreement.partner, email="contact@partner.example")
    return set_status(agreement, AgreementStatus.ACTIVE)


def run(today: datetime.date) -> list[Reminder]:
    """One sweep as beat runs it: plan, then send everything queued (tasks run in-process)."""
    before = set(Reminder.objects.filter(status=ReminderStatus.SENT).values_list("pk", flat=True))
    report = reminders_sweep(today=today)
    for ids in reminder_batches(report.new_reminders):
        reminder_send_batch(reminder_ids=ids)
    return list(Reminder.objects.filter(status=ReminderStatus.SENT).exclude(pk__in=before))


def offsets_sent(agreement, kind=ReminderKind.RENEWAL):
    return sorted(
        set(
            Reminder.objects.filter(agreement=agreement, kind=kind, status="sent").values_list("offset_days", flat=True)
        ),
        reverse=True,
    )


def test_renewal_reminders_go_out_at_each_offset_to_owner_and_partner_contacts():
    agreement = active_agreement()
    assert run(D(2026, 10, 2)) == []  # 91 days before the end
    sent = run(D(2026, 10, 3))  # 90 days before
    assert sorted(r.recipient_email for r in sent) == sorted([agreement.owner.email, "contact@partner.example"])
    assert {r.offset_days for r in sent} == {90}
    assert run(D(2026, 10, 3)) == []  # the same day again: nothing new
    assert run(D(2026, 10, 20)) == []
    assert {r.offset_days for r in run(D(2026, 11, 2))} == {60}
    assert offsets_sent(agreement) == [90, 60]


def test_missed_offsets_make_one_catch_up_reminder_with_the_real_days_left():
    agreement = active_agreement()
    run(D(2026, 10, 3))
    # No sweep ran for weeks (worker down): the 60 and 30 day reminders both passed. One
    # catch-up reminder goes out per recipient, saying the 12 days really left.
    late = run(D(2026, 12, 20))
    assert [r.offset_days for r in late] == [12, 12]
    assert all(r.due_on == D(2026, 12, 20) for r in late)
    assert run(D(2026, 12, 21)) == []
    assert {r.offset_days for r in run(D(2026, 12, 25))} == {7}
    assert offsets_sent(agreement) == [90, 12, 7]
    assert Reminder.objects.filter(agreement=agreement).count() == 6  # 3 reminders x 2 recipients
    # The catch-up e-mail is the second one sent (the title's number may hold "12" too).
    subjects = list(dict.fromkeys(m.subject for m in mail.outbox))
    assert "ends in 12 days" in subjects[1] and "خلال 12 يومًا" in subjects[1], subjects


def test_an_agreement_signed_shortly_before_its_end_only_gets_the_offsets_it_lived_through():
    agreement = active_agreement(starts=D(2026, 12, 10), ends=D(2027, 1, 1))
    run(D(2026, 12, 25))
    assert offsets_sent(agreement) == [7]


def test_per_agreement_offsets_override_the_default():
    agreement = active_agreement(reminder_offsets="45,10")
    assert run(D(2026, 10, 3)) == []  # the default 90 does not apply
    assert {r.offset_days for r in run(D(2026, 11, 17))} == {45}
    assert {r.offset_days for r in run(D(2026, 12, 22))} == {10}
    assert offsets_sent(agreement) == [45, 10]


def test_emails_are_arabic_first_with_english_below_and_link_to_the_agreement():
    agreement = active_agreement()
    mail.outbox.clear()
    run(D(2026, 10, 3))
    message = next(m for m in mail.outbox if m.to == [agreement.owner.email])
    assert message.subject.startswith("تنتهي «")
    assert " | " in message.subject and "ends in 90 days" in message.subject
    assert message.body.index("تنتهي اتفاقية الشراكة") < message.body.index("The partnership agreement")
    # Staff who may edit get the one-click renewal link.
    assert f"/agreements/{agreement.reference}/renew/" in message.body
    partner_message = next(m for m in mail.outbox if m.to == ["contact@partner.example"])
    assert f"/portal/agreements/{agreement.reference}/" in partner_message.body
    assert "/renew/" not in partner_message.body


def test_ended_agreements_expire_through_the_lifecycle_and_the_owner_is_told_once():
    agreement = active_agreement()
    sent = run(D(2027, 1, 2))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED
    assert [r.kind for r in sent if r.kind == ReminderKind.AGREEMENT_EXPIRED] == ["agreement_expired"]
    assert agreement.history.filter(status=AgreementStatus.EXPIRED).count() == 1
    assert run(D(2027, 1, 3)) == []


def test_commitments_due_soon_and_overdue_without_progress():
    agreement = AgreementFactory(starts_on=D(2026, 1, 1), ends_on=D(2027, 12, 31))
    ContactFactory(partner=agreement.partner, email="contact@partner.example")
    clause = ClauseFactory(agreement=agreement, order=1)
    partner_side = CommitmentFactory(clause=clause, party="partner", due_on=D(2026, 12, 10))
    charity_side = CommitmentFactory(clause=clause, party="charity", due_on=D(2026, 12, 10))
    with_progress = CommitmentFactory(clause=clause, party="partner", due_on=D(2026, 11, 1))
    set_status(agreement, AgreementStatus.ACTIVE)
    ProgressUpdateFactory(commitment=with_progress, amount=3)

    due = run(D(2026, 11, 26))  # 14 days before the due date
    by_commitment = {(r.commitment_id, r.recipient_email) for r in due if r.kind == ReminderKind.COMMITMENT_DUE}
    assert (partner_side.pk, "contact@partner.example") in by_commitment
    assert (partner_side.pk, agreement.owner.email) in by_commitment
    assert (charity_side.pk, agreement.owner.email) in by_commitment
    assert (charity_side.pk, "contact@partner.example") not in by_commitment  # not the partner's promise

    overdue = run(D(2026, 12, 11))
    overdue_ids = {r.commitment_id for r in overdue if r.kind == ReminderKind.COMMITMENT_OVERDUE}
    assert overdue_ids == {partner_side.pk, charity_side.pk}  # with_progress has progress
    assert run(D(2026, 12, 12)) == []


def test_unsigned_signatories_are_reminded_after_3_and_7_days_with_a_new_link(client):
    from tests.agreements.signing_helpers import sent_agreement, token_sent_to

    agreement, _contact, chairman = sent_agreement()
    SigningRequest.objects.filter(agreement=agreement).update(created_at="2026-11-01T09:00:00+03:00")
    first_link = token_sent_to("rep@partner.example")
    mail.outbox.clear()
    sent = run(D(2026, 11, 4))
    assert sorted(r.recipient_email for r in sent) == sorted(["rep@partner.example", chairman.email])
    reminder_mail = next(m for m in mail.outbox if m.to == ["rep@partner.example"])
    assert reminder_mail.subject.startswith("تذكير بطلب توقيع")
    new_link = token_sent_to("rep@partner.example")
    assert new_link != first_link
    assert client.get(f"/sign/{first_link}/").status_code == 404
    assert client.get(f"/sign/{new_link}/").status_code == 302
    assert run(D(2026, 11, 5)) == []
    assert {r.offset_days for r in run(D(2026, 11, 8))} == {7}


def test_expired_signing_links_expire_the_request_and_tell_the_owner():
    from tests.agreements.signing_helpers import sent_agreement

    agreement, _contact, _chairman = sent_agreement()
    SigningRequest.objects.filter(agreement=agreement).update(token_expires_at="2026-11-10T00:00:00Z")
    sent = run(D(2026, 11, 20))
    assert set(SigningRequest.objects.filter(agreement=agreement).values_list("status", flat=True)) == {
        SigningStatus.EXPIRED
    }
    notices = [r for r in sent if r.kind == ReminderKind.SIGNING_EXPIRED]
    assert {r.recipient_email for r in notices} == {agreement.owner.email}
    assert len(notices) == 2  # one per expired request
    from agreements.audit import audit_verify

    assert audit_verify(agreement).ok


def test_dry_run_lists_and_changes_nothing():
    agreement = active_agreement()
    out = StringIO()
    call_command("run_reminders", "--dry-run", "--today", "2027-01-05", stdout=out)
    text = out.getvalue()
    assert f"would expire agreement {agreement.reference}" in text
    assert "reminder(s) would be sent" in text
    assert not Reminder.objects.exists()
    assert len(mail.outbox) == 0
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE


def test_the_command_sends_and_a_second_run_sends_nothing():
    active_agreement()
    out = StringIO()
    call_command("run_reminders", "--today", "2026-10-03", stdout=out)
    assert "2 reminder(s) sent" in out.getvalue()
    again = StringIO()
    call_command("run_reminders", "--today", "2026-10-03", stdout=again)
    assert "0 reminder(s) sent" in again.getvalue()
    assert len(mail.outbox) == 2


def test_a_reminder_is_sent_once_even_if_sent_twice():
    active_agreement()
    report = reminders_sweep(today=D(2026, 10, 3))
    pk = report.new_reminders[0]
    assert reminder_send(reminder_id=pk) is True
    assert reminder_send(reminder_id=pk) is False
    assert len(mail.outbox) == 1


def test_a_claim_abandoned_by_a_crashed_worker_is_sent_by_the_next_sweep_once():
    active_agreement()
    report = reminders_sweep(today=D(2026, 10, 3))
    stuck, fresh = report.new_reminders
    old = datetime.datetime(2026, 10, 3, 7, 0, tzinfo=datetime.UTC)
    Reminder.objects.filter(pk=stuck).update(status=ReminderStatus.SENDING, claimed_at=old)
    Reminder.objects.filter(pk=fresh).update(
        status=ReminderStatus.SENDING, claimed_at=datetime.datetime.now(datetime.UTC)
    )
    again = reminders_sweep(today=D(2026, 10, 3))
    assert again.new_reminders == [stuck]  # the fresh claim belongs to a live worker
    assert reminder_send(reminder_id=stuck) is True
    assert reminder_send(reminder_id=fresh) is False
    assert len(mail.outbox) == 1


def test_a_permanent_email_failure_is_recorded_and_visible(settings, staff_client):
    from reminders.tasks import send

    agreement = active_agreement()
    settings.EMAIL_BACKEND = "tests.reminders.failing_backend.RefusingBackend"
    report = reminders_sweep(today=D(2026, 10, 3))
    result = send.apply(args=[report.new_reminders[0]], throw=False)
    assert result.failed()
    reminder = Reminder.objects.get(pk=report.new_reminders[0])
    assert reminder.status == ReminderStatus.FAILED  # a 5xx answer is final: no retry
    assert "550" in reminder.error
    assert reminder.attempts == 1
    page = staff_client.get(f"/reminders/agreements/{agreement.reference}/")
    assert "تعذّر الإرسال" in page.content.decode()


def test_a_temporary_email_failure_leaves_the_reminder_for_the_retry(settings):
    import smtplib

    from common.mail import is_transient

    active_agreement()
    settings.EMAIL_BACKEND = "tests.reminders.failing_backend.BusyBackend"
    report = reminders_sweep(today=D(2026, 10, 3))
    with pytest.raises(smtplib.SMTPResponseException) as excinfo:
        reminder_send(reminder_id=report.new_reminders[0])
    assert is_transient(excinfo.value)  # the task retries it with backoff
    reminder = Reminder.objects.get(pk=report.new_reminders[0])
    assert reminder.status == ReminderStatus.PENDING and "421" in reminder.error
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    assert reminder_send(reminder_id=reminder.pk) is True
    assert Reminder.objects.get(pk=reminder.pk).status == ReminderStatus.SENT


def test_staff_and_partner_users_get_notifications_with_an_unread_count(client):
    from tests.factories import PartnerUserFactory

    agreement = active_agreement()
    partner_user = PartnerUserFactory(partner=agreement.partner, email="contact@partner.example")
    run(D(2026, 10, 3))
    assert Notification.objects.filter(user=agreement.owner).count() == 1
    client.force_login(partner_user)
    home = client.get("/portal/")
    assert 'data-testid="unread-count">1<' in home.content.decode()
    notification = Notification.objects.get(user=partner_user)
    response = client.get(f"/reminders/notifications/{notification.pk}/")
    # A partner user reads the agreement in the portal: the staff page is a 404 for them.
    assert response["Location"] == f"/portal/agreements/{agreement.reference}/"
    assert 'data-testid="unread-count"' not in client.get("/portal/").content.decode()


def test_sweep_queries_do_not_grow_with_the_number_of_agreements():
    owner = StaffFactory()

    def make(n):
        for _ in range(n):
            active_agreement(owner=owner, starts=D(2020, 1, 1), ends=D(2030, 1, 1))

    make(5)
    due = active_agreement()
    with CaptureQueriesContext(connection) as small:
        reminders_sweep(today=D(2026, 10, 3))
    Reminder.objects.all().delete()
    make(100)
    with CaptureQueriesContext(connection) as large:
        reminders_sweep(today=D(2026, 10, 3))
    assert len(small.captured_queries) == len(large.captured_queries)
    assert Reminder.objects.filter(agreement=due).count() == 2


@pytest.mark.django_db(transaction=True)
def test_two_sweeps_at_the_same_time_send_each_reminder_once(postgres):
    for _ in range(5):
        active_agreement()
    barrier = threading.Barrier(2)
    sent_counts = []

    def one_sweep():
        try:
            barrier.wait()
            report = reminders_sweep(today=D(2026, 10, 3))
            sent_counts.append(sum(reminder_send(reminder_id=pk) for pk in report.new_reminders))
        finally:
            close_old_connections()
            connection.close()

    threads = [threading.Thread(target=one_sweep) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sum(sent_counts) == 10  # 5 agreements x 2 recipients
    assert Reminder.objects.count() == 10
    assert len(mail.outbox) == 10
    assert len({(m.to[0], m.subject) for m in mail.outbox}) == 10
