"""What each reminder says and where it leads: the e-mail, its subject, the in-app notification."""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail

from agreements.models import AgreementStatus
from agreements.progress import progress_review
from reminders.calendar import feed_ics
from reminders.emails import send_reminder_email
from reminders.models import Notification, Reminder, ReminderKind, ReminderStatus
from reminders.services import reminder_send, reminders_sweep
from tests.factories import (
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerUserFactory,
    ProgressUpdateFactory,
    ReadOnlyStaffFactory,
    StaffFactory,
    set_status,
)

pytestmark = pytest.mark.django_db
D = datetime.date
PARTNER_USER = "rep@partner.example"
NO_ACCOUNT = "no-account@partner.example"


def run(today: datetime.date) -> list[Reminder]:
    """One sweep, then every queued reminder sent (as the beat task and the workers do)."""
    before = set(Reminder.objects.filter(status=ReminderStatus.SENT).values_list("pk", flat=True))
    for pk in reminders_sweep(today=today).new_reminders:
        reminder_send(reminder_id=pk)
    return list(
        Reminder.objects.filter(status=ReminderStatus.SENT)
        .exclude(pk__in=before)
        .select_related("recipient_user", "notification")
    )


def link_in(message) -> str:
    """The path of the one link in a reminder e-mail (the same in both languages)."""
    paths = set(re.findall(re.escape(settings.SITE_URL) + r"(/\S*)", message.body))
    assert len(paths) == 1, paths
    return paths.pop()


def message_to(email: str):
    (message,) = [m for m in mail.outbox if m.to == [email]]
    return message


def partner_agreement(*, owner=None, ends=None, commitment_due=None):
    """An active agreement whose partner has a user with an account and a contact without one.

    With `commitment_due`, it has one partner commitment due that day (returned too).
    """
    agreement = AgreementFactory(
        starts_on=D(2026, 1, 1), signed_on=D(2026, 1, 1), ends_on=ends or D(2027, 1, 1), owner=owner or StaffFactory()
    )
    commitment = None
    if commitment_due:
        clause = ClauseFactory(agreement=agreement, order=1)
        commitment = CommitmentFactory(clause=clause, party="partner", due_on=commitment_due)
    user = PartnerUserFactory(partner=agreement.partner, email=PARTNER_USER)
    ContactFactory(partner=agreement.partner, email=PARTNER_USER)
    ContactFactory(partner=agreement.partner, email=NO_ACCOUNT)
    return set_status(agreement, AgreementStatus.ACTIVE), user, commitment


# --- Links ----------------------------------------------------------------------------


def test_renewal_links_lead_partners_to_the_portal_and_editors_to_one_click_renewal(client):
    agreement, partner_user, _c = partner_agreement()
    ref = agreement.reference
    mail.outbox.clear()
    sent = run(D(2026, 10, 3))  # 90 days before the end
    assert {r.kind for r in sent} == {ReminderKind.RENEWAL}
    expected = {
        agreement.owner.email: f"/agreements/{ref}/renew/",
        PARTNER_USER: f"/portal/agreements/{ref}/",
        NO_ACCOUNT: f"/portal/agreements/{ref}/",
    }
    assert {r.recipient_email: link_in(message_to(r.recipient_email)) for r in sent} == expected
    # The notification leads to the same page, and that page opens for its reader.
    for reminder in sent:
        if reminder.recipient_user is not None:
            assert reminder.notification.url == expected[reminder.recipient_email]
            client.force_login(reminder.recipient_user)
            assert client.get(reminder.notification.url).status_code == 200
    assert (
        "افتح الاتفاقية" in message_to(PARTNER_USER).body and "ابدأ التجديد" in message_to(agreement.owner.email).body
    )
    # Without an account, the portal page asks the contact to log in first, then shows the agreement.
    client.logout()
    response = client.get(expected[NO_ACCOUNT])
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/?next=/portal/")
    assert partner_user.partner_id == agreement.partner_id


def test_a_read_only_owner_gets_the_staff_page_not_the_renewal():
    agreement, _user, _c = partner_agreement(owner=ReadOnlyStaffFactory())
    mail.outbox.clear()
    run(D(2026, 10, 3))
    assert link_in(message_to(agreement.owner.email)) == f"/agreements/{agreement.reference}/"


def test_commitment_links_open_the_commitment_on_the_page_each_recipient_can_open(client):
    agreement, _user, commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2026, 12, 10))
    ref, anchor = agreement.reference, f"#commitment-{commitment.pk}"
    expected = {
        agreement.owner.email: f"/agreements/{ref}/{anchor}",
        PARTNER_USER: f"/portal/agreements/{ref}/{anchor}",
        NO_ACCOUNT: f"/portal/agreements/{ref}/{anchor}",
    }
    for today, kind in (
        (D(2026, 11, 26), ReminderKind.COMMITMENT_DUE),
        (D(2026, 12, 11), ReminderKind.COMMITMENT_OVERDUE),
    ):
        mail.outbox.clear()
        sent = run(today)
        assert {r.kind for r in sent} == {kind}
        assert {r.recipient_email: link_in(message_to(r.recipient_email)) for r in sent} == expected
        assert "افتح الالتزام" in message_to(PARTNER_USER).body
        for reminder in sent:
            if reminder.recipient_user is not None:
                assert reminder.notification.url == expected[reminder.recipient_email]
                client.force_login(reminder.recipient_user)
                page = client.get(reminder.notification.url.split("#")[0])
                assert page.status_code == 200
                assert f'id="commitment-{commitment.pk}"' in page.content.decode()


def test_the_end_of_an_agreement_is_told_to_its_owner_on_the_staff_page():
    agreement, _user, _c = partner_agreement()
    mail.outbox.clear()
    sent = run(D(2027, 1, 2))
    assert [(r.kind, r.recipient_email) for r in sent] == [(ReminderKind.AGREEMENT_EXPIRED, agreement.owner.email)]
    assert link_in(message_to(agreement.owner.email)) == f"/agreements/{agreement.reference}/"


def test_progress_review_notifications_open_the_commitment_where_the_reporter_can(client):
    agreement, partner_user, commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2027, 6, 30))
    staff_reporter = StaffFactory()
    reviewer = agreement.owner
    for reporter, page, anchor in (
        # A partner user opens the accepted report itself in the portal's list of reports.
        (partner_user, f"/portal/agreements/{agreement.reference}/", "progress-{update}"),
        (staff_reporter, f"/agreements/{agreement.reference}/", f"commitment-{commitment.pk}"),
    ):
        update = ProgressUpdateFactory(commitment=commitment, reported_by=reporter, status="submitted")
        progress_review(update=update, accept=True, comment="", by=reviewer)
        notification = Notification.objects.get(user=reporter, kind=ReminderKind.PROGRESS_REVIEWED)
        assert notification.url == f"{page}#{anchor.format(update=update.pk)}"
        client.force_login(reporter)
        assert client.get(page).status_code == 200


def test_the_owner_hears_of_reported_progress_counted_in_its_unit(client):
    from agreements.progress import progress_report

    agreement, partner_user, commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2027, 6, 30))
    progress_report(commitment=commitment, by=partner_user, amount=2, reported_on=D(2026, 6, 1), note="", files=[])
    notification = Notification.objects.get(user=agreement.owner, kind=ReminderKind.PROGRESS_SUBMITTED)
    assert (notification.body, notification.url) == ("+متدربان", "/agreements/progress/")


def test_calendar_events_link_each_reader_to_their_own_page_and_count_days_in_arabic():
    agreement, partner_user, commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2027, 6, 30))
    feed = feed_ics(partner_user).decode()
    unfolded = feed.replace("\r\n ", "")
    assert f"{settings.SITE_URL}/portal/agreements/{agreement.reference}/#commitment-{commitment.pk}" in unfolded
    assert "/agreements/" + agreement.reference + "/\r\n" not in unfolded.replace("/portal/agreements/", "")
    assert "تذكير بالتجديد (قبل الانتهاء بـ 7 أيام)" in unfolded
    assert "تذكير بالتجديد (قبل الانتهاء بـ 90 يومًا)" in unfolded
    staff_feed = feed_ics(agreement.owner).decode().replace("\r\n ", "")
    assert f"{settings.SITE_URL}/agreements/{agreement.reference}/#commitment-{commitment.pk}" in staff_feed


# --- Subjects -------------------------------------------------------------------------


def test_reminder_subjects_are_plain_text_with_the_title_intact():
    """Was `تنتهي «[U+2068]اتفاقية التدريب[U+2069]» خلال 90 يومًا`: the isolation the e-mail
    body adds around names was then revealed by the subject line as visible markers."""
    agreement, _user, _c = partner_agreement()
    agreement.title_ar, agreement.title_en = "اتفاقية التدريب", "Training agreement"
    agreement.save(update_fields=["title_ar", "title_en"])
    mail.outbox.clear()
    run(D(2026, 10, 3))
    subject = message_to(PARTNER_USER).subject
    assert subject == "تنتهي «اتفاقية التدريب» خلال 90 يومًا | “Training agreement” ends in 90 days"
    assert "[U+" not in subject and "\n" not in subject
    assert not {"\u2066", "\u2067", "\u2068", "\u2069"} & set(subject)


def test_a_direction_control_stored_in_a_title_still_shows_as_a_marker_in_the_subject():
    agreement, _user, _c = partner_agreement()
    agreement.title_ar = "اتفاقية\u202eالتدريب"
    agreement.save(update_fields=["title_ar"])
    mail.outbox.clear()
    run(D(2026, 10, 3))
    message = message_to(PARTNER_USER)
    arabic = message.subject.split(" | ")[0]
    assert arabic == "تنتهي «اتفاقية\u2066[U+202E]\u2069التدريب» خلال 90 يومًا"
    assert "\u202e" not in message.subject
    for isolate in ("2066", "2067", "2068", "2069"):
        assert f"[U+{isolate}]" not in message.subject
    # The body isolates the title (FSI…PDI) and shows the same marker.
    assert "«\u2068اتفاقية\u2066[U+202E]\u2069التدريب\u2069»" in message.body


# --- Counted days and units ----------------------------------------------------------

HEADLINES = {
    0: "تنتهي «عقد» اليوم",
    1: "تنتهي «عقد» خلال يوم واحد",
    2: "تنتهي «عقد» خلال يومين",
    3: "تنتهي «عقد» خلال 3 أيام",
    7: "تنتهي «عقد» خلال 7 أيام",
    10: "تنتهي «عقد» خلال 10 أيام",
    11: "تنتهي «عقد» خلال 11 يومًا",
    20: "تنتهي «عقد» خلال 20 يومًا",
    99: "تنتهي «عقد» خلال 99 يومًا",
    100: "تنتهي «عقد» خلال 100 يوم",
    101: "تنتهي «عقد» خلال 101 يوم",
    102: "تنتهي «عقد» خلال 102 يوم",
}


def reminder_to_owner(kind: str, *, days: int = 14, **commitment_fields) -> Reminder:
    """An unsaved reminder about «عقد» ("Contract") for its owner; with a commitment if fields are given."""
    agreement = AgreementFactory(title_ar="عقد", title_en="Contract", owner=StaffFactory())
    commitment = None
    if commitment_fields:
        commitment = CommitmentFactory(clause=ClauseFactory(agreement=agreement), **commitment_fields)
    agreement = set_status(agreement, AgreementStatus.ACTIVE)
    return Reminder(
        kind=kind,
        agreement=agreement,
        commitment=commitment,
        offset_days=days,
        due_on=agreement.ends_on - datetime.timedelta(days=days),
        recipient_email=agreement.owner.email,
        recipient_user=agreement.owner,
    )


@pytest.mark.parametrize("days", sorted(HEADLINES))
def test_renewal_headline_counts_the_days_left_in_arabic_grammar(days):
    mail.outbox.clear()
    send_reminder_email(reminder_to_owner(ReminderKind.RENEWAL, days=days))
    arabic, english = mail.outbox[0].subject.split(" | ")
    assert arabic == HEADLINES[days]
    assert english == ("“Contract” ends in 1 day" if days == 1 else f"“Contract” ends in {days} days")
    # The body isolates the title (FSI…PDI) in the same sentence.
    assert mail.outbox[0].body.startswith(HEADLINES[days].replace("«عقد»", "«\u2068عقد\u2069»") + "\n")


@pytest.mark.parametrize(
    ("target", "unit", "arabic", "english"),
    [
        (1, "trainees", "(متدرب واحد)", "(1 trainee)"),
        (2, "trainees", "(متدربان)", "(2 trainees)"),
        (7, "workshops", "(7 ورش عمل)", "(7 workshops)"),
        (20, "trainees", "(20 متدربًا)", "(20 trainees)"),
        (100, "beneficiaries", "(100 مستفيد)", "(100 beneficiaries)"),
    ],
)
def test_commitment_reminders_count_the_target_in_its_unit(target, unit, arabic, english):
    mail.outbox.clear()
    send_reminder_email(reminder_to_owner(ReminderKind.COMMITMENT_DUE, target_quantity=target, unit=unit))
    body = mail.outbox[0].body
    assert arabic in body and english in body
