"""A real beat process schedules the sweep, a real worker sends the reminders: once each."""

import datetime
import time
from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Agreement
from reminders.models import Notification, Reminder, ReminderStatus
from tests.integration.conftest import wait_for
from tests.stack import read_emails

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def messages(mail_dir) -> list[tuple[str, str]]:
    """(recipient, plain-text body) of every email the worker wrote to the mail folder."""
    return [(message["To"], message.get_body(("plain",)).get_content()) for message in read_emails(mail_dir)]


def test_beat_and_worker_send_the_30_day_reminders_once(celery_processes, mail_dir):
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    firdaws = Agreement.objects.get(partner__name_ar="جمعية الفردوس لإكرام الموتى")
    # The clock moved to 30 days before the Al-Firdaws agreement ends.
    today = firdaws.ends_on - datetime.timedelta(days=30)
    # The sweep runs in the worker, so the worker is the process whose clock moves.
    celery_processes.start(
        "worker",
        "worker",
        "--pool",
        "solo",
        "--without-mingle",
        "--without-gossip",
        "-l",
        "INFO",
        PORTAL_TODAY=today.isoformat(),
    )
    celery_processes.start(
        "beat", "beat", "-l", "INFO", "--schedule", str(mail_dir.parent / "beat-schedule"), REMINDER_SWEEP_INTERVAL="2"
    )
    sent = wait_for(
        lambda: (
            Reminder.objects.filter(agreement=firdaws, offset_days=30, status=ReminderStatus.SENT).count() >= 2
            and not Reminder.objects.exclude(status=ReminderStatus.SENT).exists()
        ),
        timeout=90,
        processes=celery_processes,
    )
    assert sent
    # Let beat fire several more sweeps: nothing is sent twice.
    time.sleep(8)
    # The 90 and 60 day reminders were never sent (no sweep ran on those days): one catch-up
    # reminder per recipient, with the 30 days really left, not three.
    reminders = Reminder.objects.filter(agreement=firdaws, kind="renewal")
    assert sorted(reminders.values_list("offset_days", "recipient_email")) == sorted(
        [(30, "staff@qatif-charity.example"), (30, "rep@alfirdaws.example")]
    )
    assert set(reminders.values_list("status", flat=True)) == {"sent"}
    sent_mail = messages(mail_dir)
    renewal_for_firdaws = [to for to, body in sent_mail if firdaws.reference in body and "تنتهي اتفاقية" in body]
    assert sorted(renewal_for_firdaws) == ["rep@alfirdaws.example", "staff@qatif-charity.example"]
    # One e-mail per recipient for the day (a digest when several), signing links on their own.
    sent = Reminder.objects.filter(status="sent")
    alone = sent.filter(kind__in=["signing", "renewal_unsigned"], signing_request__isnull=False)
    digests = sent.exclude(pk__in=alone).values_list("recipient_email", flat=True).distinct()
    assert len(sent_mail) == alone.count() + len(set(e.lower() for e in digests))
    assert Notification.objects.filter(user__username="staff", agreement=firdaws, kind="renewal").count() == 1
    log = "\n".join(path.read_text() for path in mail_dir.parent.glob("beat.log"))
    assert "reminders.sweep" in log
