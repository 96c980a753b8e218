"""Two beat processes started by mistake: every sweep runs twice, no reminder is sent twice."""

from __future__ import annotations

import datetime
import time
from collections import Counter
from io import StringIO

import pytest
from django.core.management import call_command

from agreements.models import Agreement
from reminders.models import Reminder, ReminderStatus
from tests.integration.conftest import wait_for
from tests.stack import read_emails, reminder_items

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]


def test_two_beats_send_each_reminder_once(celery_processes, mail_dir, tmp_path):
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    firdaws = Agreement.objects.get(partner__name_ar="جمعية الفردوس لإكرام الموتى")
    today = firdaws.ends_on - datetime.timedelta(days=30)
    # Two worker processes, so the two beats' sweeps can run at the same time.
    celery_processes.start("worker", "worker", "--concurrency", "2", "-l", "INFO", PORTAL_TODAY=today.isoformat())
    for name in ("beat-1", "beat-2"):
        celery_processes.start(
            name,
            "beat",
            "-l",
            "INFO",
            "--schedule",
            str(tmp_path / f"{name}-schedule"),
            REMINDER_SWEEP_INTERVAL="1",
            OUTBOX_DRAIN_INTERVAL="1",
        )
    wait_for(
        lambda: Reminder.objects.filter(agreement=firdaws, offset_days=30, status=ReminderStatus.SENT).count() >= 2,
        timeout=90,
        processes=celery_processes,
    )
    time.sleep(10)  # ~20 more sweeps from the two beats together

    for name in ("beat-1", "beat-2"):
        assert (tmp_path / f"{name}.log").read_text().count("Sending due task daily-reminder-sweep") >= 5
    messages = read_emails(mail_dir)
    sent = [(m["To"], m["Subject"], m.get_body(("plain",)).get_content()) for m in messages]
    assert sent, "no reminder was sent"
    twice = {key[:2]: count for key, count in Counter(sent).items() if count > 1}
    assert twice == {}
    # Each reminder in exactly one e-mail: on its own, or as one item of its recipient's digest.
    assert sum(reminder_items(m) for m in messages) == Reminder.objects.filter(status=ReminderStatus.SENT).count()
    reminders = Reminder.objects.filter(agreement=firdaws, kind="renewal")
    # One catch-up reminder per recipient with the 30 days left (90 and 60 passed before the first sweep).
    assert sorted(reminders.values_list("offset_days", flat=True)) == [30, 30]
