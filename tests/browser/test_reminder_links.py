"""Issue 15: every reminder link, opened in the browser by the person it was sent to.

Two agreements of one partner go through the daily sweep day by day: one reaches its renewal
reminders and its end, the other has a partner commitment that falls due and then overdue.
Each sent e-mail's link, and each in-app notification, is opened in Chromium by its
recipient: staff editor, read-only staff owner, a partner user, and a partner contact who
has no account yet (the link asks them to log in, then shows the page). Each must answer 200
and show the agreement, or the commitment, the reminder is about.
"""

import datetime
import re

import pytest
from django.conf import settings
from django.core import mail

from agreements.models import AgreementStatus
from reminders.models import Reminder, ReminderKind, ReminderStatus
from reminders.services import reminder_send, reminders_sweep
from tests.browser.fixtures import login
from tests.factories import (
    PASSWORD,
    AgreementFactory,
    ClauseFactory,
    CommitmentFactory,
    ContactFactory,
    PartnerFactory,
    PartnerUserFactory,
    ReadOnlyStaffFactory,
    StaffFactory,
    set_status,
)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date
REP, NEWCOMER = "rep@college.example", "newcomer@college.example"


def sweep(today: datetime.date) -> list[Reminder]:
    """The day's sweep, and every reminder it queued sent (e-mail and notification): the ones sent."""
    before = set(Reminder.objects.filter(status=ReminderStatus.SENT).values_list("pk", flat=True))
    mail.outbox.clear()
    for pk in reminders_sweep(today=today).new_reminders:
        reminder_send(reminder_id=pk)
    return list(
        Reminder.objects.filter(status=ReminderStatus.SENT)
        .exclude(pk__in=before)
        .select_related("recipient_user", "notification", "commitment", "agreement")
        .order_by("pk")
    )


def email_link(reminder: Reminder) -> str:
    """The one link of the reminder's e-mail, as a path."""
    (message,) = [
        m for m in mail.outbox if m.to == [reminder.recipient_email] and reminder.agreement.reference in m.body
    ]
    paths = set(re.findall(re.escape(settings.SITE_URL) + r"(/\S*)", message.body))
    assert len(paths) == 1, paths
    return paths.pop()


class Readers:
    """One logged-in browser context per recipient; each link opens in a new tab, as from a mail client."""

    def __init__(self, browser, base: str):
        self.browser, self.base, self.contexts = browser, base, {}

    def new_tab(self, user):
        if user.pk not in self.contexts:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900})
            page = context.new_page()
            page.set_default_timeout(15_000)
            login(page, self.base, user.username, PASSWORD)
            assert "/accounts/login/" not in page.url, f"{user.username} could not log in"
            self.contexts[user.pk] = context
        page = self.contexts[user.pk].new_page()
        page.set_default_timeout(15_000)
        return page

    def close(self):
        for context in self.contexts.values():
            context.close()


def assert_shows(page, response, reminder: Reminder, path: str) -> None:
    """The page answered 200 and shows what the reminder is about."""
    assert response is not None and response.status == 200, (path, response and response.status)
    assert page.url.split("#")[0].endswith(path.split("#")[0]), (page.url, path)
    main = page.inner_text("main")
    agreement = reminder.agreement
    assert agreement.reference in main and agreement.title_ar in main, path
    if reminder.commitment_id:
        target = page.locator(":target")
        assert target.get_attribute("id") == f"commitment-{reminder.commitment_id}"
        assert target.is_visible() and reminder.commitment.description_ar in target.inner_text()
    if path.endswith("/renew/"):
        assert page.get_by_test_id("confirm-renewal").is_visible()


def test_every_reminder_link_opens_for_its_recipient(browser, live_server, shoot):
    base = live_server.url
    college = PartnerFactory(name_ar="الكلية التقنية بالقطيف", name_en="Qatif Technical College")
    editor, reader = StaffFactory(), ReadOnlyStaffFactory()
    rep = PartnerUserFactory(partner=college, email=REP)
    ContactFactory(partner=college, email=REP)
    ContactFactory(partner=college, email=NEWCOMER)  # no account yet

    ending = AgreementFactory(
        partner=college,
        owner=editor,
        title_ar="اتفاقية التدريب الصيفي",
        starts_on=D(2026, 1, 1),
        signed_on=D(2026, 1, 1),
        ends_on=D(2027, 1, 1),
    )
    running = AgreementFactory(
        partner=college,
        owner=reader,
        title_ar="اتفاقية التأهيل المهني",
        starts_on=D(2026, 1, 1),
        signed_on=D(2026, 1, 1),
        ends_on=D(2027, 12, 31),
    )
    commitment = CommitmentFactory(
        clause=ClauseFactory(agreement=running, order=1),
        party="partner",
        description_ar="تدريب عشرين متدربًا على الصيانة",
        target_quantity=20,
        due_on=D(2026, 12, 10),
    )
    set_status(ending, AgreementStatus.ACTIVE)
    set_status(running, AgreementStatus.ACTIVE)

    readers = Readers(browser, base)
    opened: list[tuple[str, str, str]] = []  # (kind, recipient, path) for each link opened
    newcomer = None
    days = [
        D(2026, 10, 3),  # renewal, 90 days before the end of `ending`
        D(2026, 11, 2),  # renewal, 60 days
        D(2026, 11, 26),  # the commitment of `running` is due in 14 days
        D(2026, 12, 2),  # renewal, 30 days
        D(2026, 12, 11),  # the commitment is overdue
        D(2026, 12, 25),  # renewal, 7 days
        D(2027, 1, 2),  # `ending` has ended: its owner is told
    ]
    try:
        for today in days:
            sent = sweep(today)
            assert sent, f"nothing was sent on {today}"
            for reminder in sent:
                path = email_link(reminder)
                user = reminder.recipient_user
                who = user.username if user else reminder.recipient_email
                if user is None:
                    # The contact without an account: the portal page asks them to log in first.
                    assert reminder.recipient_email == NEWCOMER and path.startswith("/portal/agreements/")
                    context = browser.new_context(viewport={"width": 1280, "height": 900})
                    page = context.new_page()
                    page.goto(base + path)
                    assert "/accounts/login/" in page.url and "next=/portal/agreements/" in page.url
                    shoot(page, "60-reminder-link-no-account-login-ar")
                    # They are invited and open an account, then log in from that same page.
                    newcomer = PartnerUserFactory(partner=college, email=NEWCOMER)
                    page.fill("#id_username", newcomer.username)
                    page.fill("#id_password", PASSWORD)
                    with page.expect_navigation():
                        page.click("main button[type=submit]")
                    response = page.goto(base + path)  # the link again, now logged in
                    assert_shows(page, response, reminder, path)
                    context.close()
                else:
                    page = readers.new_tab(user)
                    response = page.goto(base + path)
                    assert_shows(page, response, reminder, path)
                    if user.is_partner_user:
                        assert path.startswith("/portal/agreements/")
                    else:
                        assert not path.startswith("/portal/")
                    # The in-app notification, clicked in the list, leads to the same page.
                    notification = reminder.notification
                    assert notification.url == path
                    page.goto(f"{base}/reminders/notifications/")
                    with page.expect_navigation() as navigation:
                        page.click(f"a[href='/reminders/notifications/{notification.pk}/']")
                    assert_shows(page, navigation.value, reminder, path)
                    shoot(page, f"61-reminder-{reminder.kind}-{'partner' if user.is_partner_user else 'staff'}-ar")
                    page.close()
                opened.append((reminder.kind, who, path))
        # The same commitment link in English: the count reads "0 of 20 trainees".
        page = readers.new_tab(rep)
        page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
        page.goto(f"{base}/portal/agreements/{running.reference}/#commitment-{commitment.pk}")
        assert "0 of 20 trainees" in page.locator(":target").inner_text()
        shoot(page, "62-reminder-commitment-partner-en")
    finally:
        readers.close()

    ref_end, ref_run = ending.reference, running.reference
    anchor = f"#commitment-{commitment.pk}"
    kinds = {(kind, who) for kind, who, _path in opened}
    # Every kind reached every recipient it is meant for, and each link opened.
    assert {
        (ReminderKind.RENEWAL, editor.username),
        (ReminderKind.RENEWAL, rep.username),
        (ReminderKind.RENEWAL, NEWCOMER),
        (ReminderKind.COMMITMENT_DUE, reader.username),
        (ReminderKind.COMMITMENT_DUE, rep.username),
        (ReminderKind.COMMITMENT_OVERDUE, reader.username),
        (ReminderKind.COMMITMENT_OVERDUE, rep.username),
        (ReminderKind.AGREEMENT_EXPIRED, editor.username),
    } <= kinds
    assert newcomer is not None and (ReminderKind.COMMITMENT_DUE, newcomer.username) in kinds
    paths = {(kind, who): path for kind, who, path in opened}
    assert paths[(ReminderKind.RENEWAL, editor.username)] == f"/agreements/{ref_end}/renew/"
    assert paths[(ReminderKind.RENEWAL, rep.username)] == f"/portal/agreements/{ref_end}/"
    assert paths[(ReminderKind.COMMITMENT_DUE, reader.username)] == f"/agreements/{ref_run}/{anchor}"
    assert paths[(ReminderKind.COMMITMENT_OVERDUE, rep.username)] == f"/portal/agreements/{ref_run}/{anchor}"
    assert paths[(ReminderKind.AGREEMENT_EXPIRED, editor.username)] == f"/agreements/{ref_end}/"
