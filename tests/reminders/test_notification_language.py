"""Notifications are rendered when read, in the reader's language, not in the one active when made."""

import datetime

import pytest
from django.conf import settings
from django.utils import translation

from agreements.models import Commitment
from agreements.progress import progress_report, progress_review
from reminders.models import Notification, ReminderKind
from tests.factories import PartnerUserFactory, ProgressUpdateFactory
from tests.reminders.test_emails import partner_agreement, run

pytestmark = pytest.mark.django_db
D = datetime.date


def page_in(client, user, language: str, url: str = "/reminders/notifications/") -> str:
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = language
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def test_a_notification_made_in_arabic_reads_in_english_on_an_english_page_and_arabic_on_an_arabic_one(client):
    agreement, partner_user, commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2027, 6, 30))
    # The agreement is active (its content locked): the English text is set as a migration would.
    Commitment.objects.filter(pk=commitment.pk).update(description_en="Training the beneficiaries")
    commitment.refresh_from_db()
    with translation.override("ar"):
        progress_report(commitment=commitment, by=partner_user, amount=2, reported_on=D(2026, 6, 1), note="", files=[])
    owner = agreement.owner
    english = page_in(client, owner, "en")
    assert "reported progress on “Training the beneficiaries”" in english
    assert "+2 trainees" in english
    assert "تدريب المستفيدين" not in english
    arabic = page_in(client, owner, "ar")
    assert "تدريب المستفيدين" in arabic
    assert "+متدربان" in arabic
    assert "Training the beneficiaries" not in arabic


def test_the_review_outcome_and_its_comment_read_in_the_readers_language(client):
    agreement, partner_user, commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2027, 6, 30))
    update = ProgressUpdateFactory(commitment=commitment, reported_by=partner_user, status="submitted")
    with translation.override("ar"):
        progress_review(update=update, accept=False, comment="أرفقوا كشف الحضور", by=agreement.owner)
    english = page_in(client, partner_user, "en")
    assert "Your progress report was sent back" in english
    assert "أرفقوا كشف الحضور" in english  # what the reviewer typed stays as typed
    assert "Your progress report was sent back" not in page_in(client, partner_user, "ar")


def test_a_reminders_notification_shows_its_dates_in_both_calendars_in_the_readers_language(client):
    _agreement, partner_user, _commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2027, 6, 30))
    with translation.override("ar"):
        sent = run(D(2027, 6, 16))
    assert any(r.kind == ReminderKind.COMMITMENT_DUE and r.recipient_user == partner_user for r in sent)
    english = page_in(client, partner_user, "en")
    assert "Commitment due on 30 June 2027" in english
    assert "AH" in english or "هـ" in english  # the Hijri date beside it
    arabic = page_in(client, partner_user, "ar")
    assert "30 يونيو 2027" in arabic
    assert "Commitment due on" not in arabic
    # The portal home's list reads in the page's language too.
    assert "Commitment due on" in page_in(client, partner_user, "en", "/portal/")


def test_a_notification_made_before_message_keys_still_shows_its_stored_text(client):
    user = PartnerUserFactory()
    Notification.objects.create(user=user, kind=ReminderKind.RENEWAL, title="إشعار قديم", body="نصه", url="/")
    english = page_in(client, user, "en")
    assert "إشعار قديم" in english and "نصه" in english


def test_the_notification_list_dates_each_notification_in_both_calendars(client):
    user = PartnerUserFactory()
    note = Notification.objects.create(user=user, kind="renewal", title="t", body="b", url="/")
    Notification.objects.filter(pk=note.pk).update(
        created_at=datetime.datetime(2026, 12, 1, 21, 42, tzinfo=datetime.UTC)
    )
    arabic = page_in(client, user, "ar")
    # 21:42 UTC is 00:42 on 2 December in Riyadh: 22 Jumada al-Akhirah 1448.
    assert "2 ديسمبر 2026 00:42" in arabic and "22 جمادى الآخرة 1448 هـ" in arabic
