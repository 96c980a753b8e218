"""Reminders that help (issue 15): none once a renewal exists, the renewal's signatories
reminded instead, every partner user told, one digest per recipient and day."""

import datetime

import pytest
from django.core import mail
from django.urls import reverse

from accounts.models import ReminderEmails
from agreements import lifecycle
from agreements.lifecycle import transition
from agreements.models import Agreement, AgreementStatus, SigningRequest
from agreements.services import agreement_renew
from reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from reminders.services import reminder_batches, reminder_send_batch, reminders_sweep
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerUserFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date


def run(today):
    before = set(Reminder.objects.filter(status=ReminderStatus.SENT).values_list("pk", flat=True))
    report = reminders_sweep(today=today)
    for ids in reminder_batches(report.new_reminders):
        reminder_send_batch(reminder_ids=ids)
    return list(Reminder.objects.filter(status=ReminderStatus.SENT).exclude(pk__in=before).order_by("pk"))


def running_agreement(*commitments: tuple[datetime.date, str]):
    """Runs 2 January 2026 – 1 January 2027, one clause with these (due date, description) commitments."""
    agreement = AgreementFactory(starts_on=D(2026, 1, 2), signed_on=D(2026, 1, 2), ends_on=D(2027, 1, 1))
    ContactFactory(partner=agreement.partner, email="contact@partner.example")
    clause = ClauseFactory(agreement=agreement, order=1)
    for due_on, description in commitments:
        CommitmentFactory(clause=clause, party="partner", due_on=due_on, description_ar=description)
    return set_status(agreement, AgreementStatus.ACTIVE)


@pytest.fixture
def running():
    return running_agreement()


def send_renewal(renewal):
    contact = ContactFactory(partner=renewal.partner, email="signer@partner.example")
    return transition(
        renewal,
        "send_for_signature",
        signatories=[
            {"party": "charity", "name": "أسامة الزاير", "title": "", "email": "chair@example.org"},
            {"party": "partner", "contact": contact, "name": contact.name_ar, "title": "", "email": contact.email},
        ],
    )


def test_every_active_partner_user_gets_the_partners_reminders(running):
    first = PartnerUserFactory(partner=running.partner, email="dean@partner.example")
    second = PartnerUserFactory(partner=running.partner, email="Coordinator@Partner.example")
    PartnerUserFactory(partner=running.partner, email="gone@partner.example", is_active=False)
    sent = run(D(2026, 10, 3))
    recipients = sorted(r.recipient_email.lower() for r in sent)
    assert recipients == sorted(
        [running.owner.email.lower(), "contact@partner.example", "dean@partner.example", "coordinator@partner.example"]
    )
    assert Notification.objects.filter(user=first).count() == 1
    assert Notification.objects.filter(user=second).count() == 1


def test_no_renewal_reminder_once_a_renewal_exists_and_its_signatories_are_reminded_instead(running):
    run(D(2026, 10, 3))  # 90 days: "start the renewal"
    renewal = agreement_renew(agreement=running, by=running.owner)
    # Drafted: the owner is asked to finish it, the partner is not told to renew again.
    sent = run(D(2026, 11, 2))
    assert [(r.kind, r.recipient_email) for r in sent] == [(ReminderKind.RENEWAL_UNSIGNED, renewal.owner.email)]
    renewal = send_renewal(Agreement.objects.get(pk=renewal.pk))
    mail.outbox.clear()
    sent = run(D(2026, 12, 2))  # 30 days
    assert {r.kind for r in sent} == {ReminderKind.RENEWAL_UNSIGNED}
    assert sorted(r.recipient_email for r in sent) == sorted(
        [renewal.owner.email, "chair@example.org", "signer@partner.example"]
    )
    # The signatories get a fresh signing link; the owner a link to the renewal.
    signer_mail = next(m for m in mail.outbox if m.to == ["signer@partner.example"])
    assert "/sign/" in signer_mail.body
    owner_mail = next(m for m in mail.outbox if m.to == [renewal.owner.email])
    assert "أكمل تجديد" in owner_mail.subject
    # Once signed, nothing more about renewing.
    SigningRequest.objects.filter(agreement=renewal).update(status="signed")
    lifecycle.signatures_complete(Agreement.objects.get(pk=renewal.pk))
    assert run(D(2026, 12, 25)) == []


def test_several_reminders_on_one_day_make_one_digest_per_recipient():
    running = running_agreement((D(2026, 10, 10), "تدريب 20 متدربًا"), (D(2026, 10, 12), "ورشة توعوية"))
    mail.outbox.clear()
    sent = run(D(2026, 10, 3))  # renewal at 90 days + two commitments due within 14 days
    assert len(sent) == 6  # 3 items x (owner, partner contact)
    assert sorted(m.to[0] for m in mail.outbox) == sorted([running.owner.email, "contact@partner.example"])
    digest = next(m for m in mail.outbox if m.to == ["contact@partner.example"])
    assert digest.subject.startswith("3 تذكيرات")
    # Each item once per language, its description in the headline and the text (no English one given).
    assert digest.body.count("تدريب 20 متدربًا") == 4
    assert digest.body.count("ورشة توعوية") == 4
    arabic = digest.body.split("-" * 40)[0]
    numbers = [line[:3] for line in arabic.splitlines() if line[:1].isdigit() and line[1:3] == ". "]
    assert numbers == ["1. ", "2. ", "3. "]
    assert "3 reminders for today" in digest.body


def test_a_user_may_ask_for_one_email_each_or_none(client):
    running = running_agreement((D(2026, 10, 10), "تدريب"))
    each = PartnerUserFactory(partner=running.partner, email="each@partner.example")
    quiet = PartnerUserFactory(partner=running.partner, email="quiet@partner.example")
    client.force_login(each)
    client.post(reverse("reminders:reminder_emails"), {"reminder_emails": "each"})
    client.force_login(quiet)
    client.post(reverse("reminders:reminder_emails"), {"reminder_emails": "none"})
    response = client.post(reverse("reminders:reminder_emails"), {"reminder_emails": "sometimes"}, follow=True)
    assert "اختر كيف تصلك التذكيرات بالبريد" in response.content.decode()
    each.refresh_from_db()
    quiet.refresh_from_db()
    assert (each.reminder_emails, quiet.reminder_emails) == (ReminderEmails.EACH, ReminderEmails.NONE)
    mail.outbox.clear()
    run(D(2026, 10, 3))
    assert [m.to for m in mail.outbox].count(["each@partner.example"]) == 2
    assert ["quiet@partner.example"] not in [m.to for m in mail.outbox]
    assert Notification.objects.filter(user=quiet).count() == 2


def test_a_signed_agreement_is_not_reminded_before_it_starts_and_comes_into_force_on_its_day():
    agreement = AgreementFactory(starts_on=D(2027, 1, 1), ends_on=D(2027, 3, 31))
    ContactFactory(partner=agreement.partner)
    set_status(agreement, AgreementStatus.SIGNED)
    assert run(D(2026, 12, 31)) == []
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.SIGNED
    run(D(2027, 1, 1))
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.ACTIVE
    # Came into force 89 days before its end: it lived through the 60, 30 and 7 day offsets only.
    assert run(D(2027, 1, 29)) == []
    assert {r.offset_days for r in run(D(2027, 1, 30))} == {60}


def test_renewed_agreement_calendar_has_no_renewal_reminders(running, client):
    from reminders.calendar import feed_ics

    renewal = agreement_renew(agreement=running, by=StaffFactory())
    ics = feed_ics(running.owner).decode()
    assert f"agreement-{running.pk}-renewal" not in ics
    assert f"agreement-{running.pk}-end" in ics
    assert renewal.pk
