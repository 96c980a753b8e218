"""A year in the life of one agreement (issue 15), on the real stack, the portal's date moved day by day.

gunicorn, a Celery worker and beat run as compose starts them, all reading the date from
`PORTAL_TODAY_FILE` (common/clock.py): the same mechanism the README offers for demos
(`manage.py portal_clock`). Every simulated day, the daily sweep runs on the worker (the task
beat sends at 07:00), and the test waits until everything it queued was sent.

The agreement with the technical college is signed two weeks before its start, comes into
force on its start day, the college reports progress in the browser, reminders arrive at
each offset (once, to each recipient) and their links are opened by their recipients; a
renewal is drafted inside the notice window and signed 30 days before the end: the running
agreement stays in force and reportable until its last day, the renewal takes over the next
day, a final report in the grace period is accepted and marked late. Each checkpoint compares
the status on the staff page, the partner's page, the public verification page, the calendar
feed and the admin report. Every e-mail is counted: each expected one exactly once, no other.
"""

from __future__ import annotations

import datetime
import re
from collections import Counter

import psycopg2
import pytest

from common.clock import set_today
from tests.browser.fixtures import SCREENSHOTS, login, newest_code, type_signing_code
from tests.e2e.conftest import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

D = datetime.date
DATABASE = "qatif_year"
PASSWORD = "qatif-demo-2026"
COLLEGE = "الكلية التقنية بالقطيف"
TITLE = "اتفاقية تدريب وتوعية مع الكلية التقنية"
STAFF = "staff@qatif-charity.example"
CHAIRMAN = "chairman@qatif-charity.example"
DEAN = "dean@tech-college-qatif.example"  # the college's contact who signs, and its first user
COORDINATOR = "coordinator@tech-college-qatif.example"  # a second user of the college
PARTNER_SIDE = [DEAN, COORDINATOR]
# Who reads each address, to open the links it receives (the demo's usernames).
READER = {STAFF: "staff", CHAIRMAN: "chairman", DEAN: "tech-college", COORDINATOR: "coordinator"}

START, END = D(2027, 1, 15), D(2028, 1, 14)
RENEWAL_START, RENEWAL_END = D(2028, 1, 15), D(2029, 1, 14)
FIRST_DAY, LAST_DAY = D(2027, 1, 1), D(2028, 2, 14)


def _arrange(stack) -> None:
    """The demo's own agreements are set aside (ended) so that every e-mail is this agreement's;
    the college gets a second user, who must hear its reminders too."""
    stack.manage(
        "shell",
        "-c",
        "from agreements.models import Agreement;"
        "Agreement.objects.update(status='terminated');"
        # The demo amendment's addendum (and its e-mails) was queued while loading: set aside too.
        "from django.utils import timezone; from outbox.models import OutboxMessage;"
        "OutboxMessage.objects.filter(done_at=None).update(done_at=timezone.now());"
        "from accounts.models import User; from partners.models import Partner;"
        f"User.objects.create_user('coordinator', '{COORDINATOR}', '{PASSWORD}',"
        f" partner=Partner.objects.get(name_ar='{COLLEGE}'), first_name='منسق الكلية', partner_role='editor')",
    )
    stack.manage("portal_clock", FIRST_DAY.isoformat())


@pytest.fixture(scope="module")
def year(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("year")
    yield from running_stack(
        tmp, database=DATABASE, redis_db=5, before_start=_arrange, PORTAL_TODAY_FILE=str(tmp / "portal-today")
    )


class World:
    """The stack, the simulated date, and every e-mail read so far (by the day it arrived)."""

    def __init__(self, stack, browser):
        from celery import Celery

        self.stack = stack
        self.browser = browser
        self.today = FIRST_DAY
        self.celery = Celery(broker=stack.env["CELERY_BROKER_URL"], backend=stack.env["CELERY_BROKER_URL"])
        self.db = psycopg2.connect(dbname=DATABASE, host="127.0.0.1", port=5432, user="postgres")
        self.db.autocommit = True
        self.seen: set[str] = set()  # Message-IDs: the mail files' names do not sort in sending order
        self.received: list[tuple[datetime.date, str, str, str]] = []  # (day, to, subject, text)
        self.expected: list[tuple[datetime.date, str, str]] = []  # (day, to, kind)
        self.pages = {}
        self.links_opened: dict[tuple, int] = {}  # (day, to, subject): links opened from that e-mail

    # --- time ------------------------------------------------------------------------------

    def sweep(self) -> None:
        """The daily sweep as beat sends it, run by the worker on the portal's date."""
        result = self.celery.send_task("reminders.sweep").get(timeout=120)
        assert result["today"] == self.today.isoformat(), result  # the worker reads the moved date
        self.settle()

    def settle(self) -> None:
        """Wait until every queued task (PDF, e-mails) ran, then collect the new e-mails."""

        def idle():
            with self.db.cursor() as cursor:
                cursor.execute("SELECT count(*) FROM outbox_outboxmessage WHERE done_at IS NULL")
                queued = cursor.fetchone()[0]
                cursor.execute("SELECT count(*) FROM reminders_reminder WHERE status IN ('pending', 'sending')")
                return queued + cursor.fetchone()[0] == 0

        self.stack.wait_for(idle, timeout=120, what=f"the queue to empty on {self.today}", interval=0.1)
        for message in self.stack.emails():
            if message["Message-ID"] in self.seen:
                continue
            self.seen.add(message["Message-ID"])
            text = message.get_body(("plain",)).get_content()
            subject = str(message["Subject"]).strip(" \u200f\u200e")
            # One message to several people counts once for each of them.
            for to in str(message["To"]).split(","):
                self.received.append((self.today, to.strip(), subject, text))
                self.links_opened[(self.today, to.strip(), subject)] = self.open_links(to.strip(), text)

    def open_links(self, to: str, text: str) -> int:
        """Each recipient opens every portal link of the e-mail, the day it arrives: 200, in the
        portal's own pages for partner users. Signing links are followed by the signing steps."""
        links = set(re.findall(rf"{re.escape(self.stack.url)}/\S+", text))
        opened = 0
        for link in sorted(links):
            if "/sign/" in link:
                continue
            tab = self.page(READER[to]).context.new_page()
            response = tab.goto(link)
            assert response.status == 200, f"{to} opened {link} on {self.today}: {response.status}"
            if to in PARTNER_SIDE:
                assert "/portal/" in tab.url or "/verify/" in tab.url or "/media/" in tab.url, (to, link, tab.url)
            opened += 1
            tab.close()
        return opened

    def next_day(self) -> None:
        self.today += datetime.timedelta(days=1)
        set_today(self.stack.env["PORTAL_TODAY_FILE"], self.today)
        self.sweep()

    def until(self, day: datetime.date) -> None:
        while self.today < day:
            self.next_day()

    # --- e-mails ---------------------------------------------------------------------------

    def expect(self, kind: str, *recipients: str) -> None:
        self.expected += [(self.today, to, kind) for to in recipients]

    def mails_today(self, to: str) -> list[tuple[str, str]]:
        return [(subject, text) for day, rcpt, subject, text in self.received if day == self.today and rcpt == to]

    def link_in(self, to: str, pattern: str) -> str:
        """The first link matching `pattern` in the e-mail `to` received today."""
        (mail,) = self.mails_today(to)
        match = re.search(rf"{re.escape(self.stack.url)}{pattern}", mail[1])
        assert match, f"no link {pattern} in the mail to {to}:\n{mail[1]}"
        return match.group(0)

    # --- pages -----------------------------------------------------------------------------

    def page(self, who: str):
        """A logged-in browser page for `who` (a demo username), kept for the whole year."""
        if who not in self.pages:
            context = self.browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
            page = context.new_page()
            page.set_default_timeout(30_000)
            login(page, self.stack.url, who, PASSWORD)
            self.pages[who] = page
        return self.pages[who]

    def status_everywhere(self, reference: str, code: str) -> dict[str, str]:
        """The status as each reader sees it: staff page, partner page, verification page."""
        base = self.stack.url
        staff = self.page("staff")
        staff.goto(f"{base}/agreements/{reference}/")
        partner = self.page("coordinator")
        partner.goto(f"{base}/portal/agreements/{reference}/")
        with self.stack.open(f"{base}/verify/{code}/") as response:
            verify = response.read().decode()
        public = re.search(r'data-status="(\w+)"', verify).group(1)
        return {
            "staff": staff.locator(".status-badge").first.get_attribute("data-status"),
            "partner": partner.locator(".status-badge").first.get_attribute("data-status"),
            "verification": public,
        }


def _row(world, column: str, reference: str):
    with world.db.cursor() as cursor:
        cursor.execute(f"SELECT {column} FROM agreements_agreement WHERE reference = %s", [reference])  # noqa: S608
        return cursor.fetchone()[0]


def _sign_by_link(world, link: str, name: str, to: str) -> None:
    """`to` opens the signing link from their e-mail, types the e-mailed code, and signs."""
    context = world.browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    page = context.new_page()
    page.goto(link)
    page.wait_for_load_state("networkidle")
    type_signing_code(
        page, lambda: newest_code(m.get_body(("plain",)).get_content() for m in world.stack.emails() if m["To"] == to)
    )
    page.check("input[name=method][value=typed]")
    page.fill("#id_typed", name)
    page.check("#id_consent")
    page.click("[data-testid=sign-button]")
    page.wait_for_load_state("networkidle")
    assert "سُجّل توقيعك" in page.inner_text("main")
    context.close()


def _sign_as_chairman(world, reference: str) -> None:
    chairman = world.page("chairman")
    chairman.goto(f"{world.stack.url}/agreements/{reference}/")
    chairman.click("[data-testid=sign-from-account]")
    chairman.check("input[name=method][value=typed]")
    chairman.fill("#id_typed", "أسامة الزاير")
    chairman.check("#id_consent")
    chairman.click("[data-testid=sign-button]")
    chairman.wait_for_load_state("networkidle")


def _send_for_signature(world, reference: str) -> None:
    staff = world.page("staff")
    staff.goto(f"{world.stack.url}/agreements/{reference}/send/")
    staff.check("input[name=partner_contacts]")
    staff.click("main form button.btn-primary")
    staff.wait_for_load_state("networkidle")
    assert "بانتظار التوقيعات" in staff.inner_text("main")


def _open_as(world, who: str, link: str, expect_text: str) -> None:
    """The recipient opens the e-mailed link in their browser: it answers 200 with the right page."""
    tab = world.page(who).context.new_page()  # a new tab of their logged-in browser, as a mail client opens it
    response = tab.goto(link)
    assert response.status == 200, f"{who} opened {link}: {response.status}"
    assert expect_text in tab.inner_text("main"), f"{who} at {link}"
    fragment = link.partition("#")[2]
    if fragment:
        assert tab.locator(f"#{fragment}").is_visible(), f"{who}: {link} does not show #{fragment}"
    tab.close()


def _report_progress(world, reference: str, description: str, amount: int) -> None:
    college = world.page("coordinator")
    college.goto(f"{world.stack.url}/portal/agreements/{reference}/")
    college.locator(".commitment", has_text=description).locator("a", has_text="الإبلاغ عن إنجاز").click()
    college.fill("#id_amount", str(amount))
    college.fill("#id_reported_on", world.today.isoformat())
    college.fill("#id_note", f"إنجاز {world.today.isoformat()}")
    college.click("main form button[type=submit]")
    college.wait_for_load_state("networkidle")
    assert "أُرسل تقرير إنجازك" in college.inner_text("main")


def _calendar_events(world, feed_url: str) -> str:
    with world.stack.open(feed_url) as response:
        return response.read().decode()


def _status_report(world) -> dict[str, int]:
    """The admin report of agreements by status: {status label: count}."""
    admin = world.page("admin")
    admin.goto(f"{world.stack.url}/admin/reports/agreements/?by=status&start=2026-01-01&end=2030-12-31")
    counts = {}
    for line in admin.inner_text("main").splitlines():
        cells = line.split("\t")
        if len(cells) == 3 and cells[1].isdigit():
            counts[cells[0]] = int(cells[1])
    return counts


def test_a_year_in_the_life(year, browser, shoot):
    world = World(year, browser)
    base = year.url
    world.settle()

    # 1 January 2027. Staff record the agreement: a one-year term from 15 January, counted by the portal.
    staff = world.page("staff")
    staff.goto(f"{base}/agreements/new/")
    staff.fill("#id_title_ar", TITLE)
    staff.select_option("#id_partner", label=COLLEGE)
    staff.fill("#id_starts_on", START.isoformat())
    staff.fill("#id_term_years", "1")
    commitments = [
        ("training", "تقدّم الكلية دورات تدريبية للمستفيدين.", "تدريب المستفيدين", "20", "trainees", "2027-06-30"),
        ("awareness", "تقيم الكلية ورشًا توعوية.", "ورش توعوية", "4", "workshops", "2027-03-31"),
    ]
    for index, (kind, text, description, target, unit, due_on) in enumerate(commitments):
        staff.click("[data-add-clause]")
        staff.select_option(f"#id_clauses-{index}-kind", kind)
        staff.fill(f"#id_clauses-{index}-text_ar", text)
        staff.click(f"[data-prefix='clauses-{index}'] [data-add-commitment]")
        staff.select_option(f"#id_clauses-{index}-commitments-0-party", "partner")
        staff.fill(f"#id_clauses-{index}-commitments-0-description_ar", description)
        staff.fill(f"#id_clauses-{index}-commitments-0-target_quantity", target)
        staff.select_option(f"#id_clauses-{index}-commitments-0-unit", unit)
        staff.fill(f"#id_clauses-{index}-commitments-0-due_on", due_on)
    staff.click("form#agreement-form > div > button[type=submit]")
    staff.wait_for_load_state("networkidle")
    reference = re.search(r"QC-\d{4}-\d{4}", staff.url).group(0)
    assert "14 يناير 2028" in staff.inner_text("main")  # the end date counted from the length
    _send_for_signature(world, reference)
    world.settle()
    world.expect("invitation", DEAN, CHAIRMAN)

    # Signed two weeks before its start: by the dean from the e-mailed link, the chairman from his account.
    _sign_by_link(world, world.link_in(DEAN, r"/sign/[A-Za-z0-9_\-]+/"), "عميد الكلية التقنية", DEAN)
    _sign_as_chairman(world, reference)
    world.settle()
    world.expect("signer_code", DEAN)
    world.expect("signed_pdf", DEAN, CHAIRMAN)
    code = _row(world, "verification_code", reference)
    assert world.status_everywhere(reference, code) == dict.fromkeys(("staff", "partner", "verification"), "signed")
    assert "موقّعة — تسري من 15 يناير 2027" in world.page("staff").inner_text("main")
    college = world.page("coordinator")
    college.goto(f"{base}/portal/agreements/{reference}/")
    assert college.locator("a", has_text="الإبلاغ عن إنجاز").count() == 0  # not in force yet
    shoot(college, "year-01-signed-before-start")
    college.click("button[name=language][value=en]")
    college.wait_for_load_state("networkidle")
    assert "Signed — in force from 15 January 2027 (7 Sha'ban 1448 AH)" in college.inner_text("main")
    shoot(college, "year-01-signed-before-start-en")
    college.click("button[name=language][value=ar]")
    college.wait_for_load_state("networkidle")
    staff.goto(f"{base}/reminders/calendar/")
    staff.click("button[name=action][value=issue]")
    feed = staff.get_by_test_id("calendar-url").input_value()
    ics = _calendar_events(world, feed)
    agreement_id = _row(world, "id", reference)
    assert f"agreement-{agreement_id}-start" in ics
    assert _status_report(world)["موقّعة"] == 1

    # Day by day to its start date: in force on 15 January, not a day before.
    world.until(START - datetime.timedelta(days=1))
    assert _row(world, "status", reference) == "signed"
    world.next_day()
    assert world.status_everywhere(reference, code) == dict.fromkeys(("staff", "partner", "verification"), "active")
    assert f"agreement-{agreement_id}-renewal-90" in _calendar_events(world, feed)
    report = _status_report(world)
    assert (report["موقّعة"], report["سارية"]) == (0, 1)

    # 17 March: the workshops are due within 14 days. Each recipient opens the link.
    world.until(D(2027, 3, 17))
    world.expect("commitment_due", STAFF, *PARTNER_SIDE)
    _open_as(world, "coordinator", world.link_in(COORDINATOR, r"/portal/\S+"), "ورش توعوية")
    _open_as(world, "tech-college", world.link_in(DEAN, r"/portal/\S+"), "ورش توعوية")
    _open_as(world, "staff", world.link_in(STAFF, r"/agreements/\S+"), "ورش توعوية")

    # 1 April: overdue, nothing reported.
    world.until(D(2027, 4, 1))
    world.expect("commitment_overdue", STAFF, *PARTNER_SIDE)
    _open_as(world, "coordinator", world.link_in(COORDINATOR, r"/portal/\S+"), "ورش توعوية")
    _open_as(world, "staff", world.link_in(STAFF, r"/agreements/\S+"), "ورش توعوية")

    # 2 May: the college reports training progress in the browser; staff accept it.
    world.until(D(2027, 5, 2))
    _report_progress(world, reference, "تدريب المستفيدين", 5)
    staff.goto(f"{base}/agreements/progress/")
    staff.locator("button[value=accept]").first.click()
    staff.wait_for_load_state("networkidle")
    world.settle()
    # The coordinator who reported is told, and the e-mail's link opens the report.
    world.expect("progress_accepted", COORDINATOR)
    _open_as(world, "coordinator", world.link_in(COORDINATOR, r"/portal/\S+"), "تدريب المستفيدين")

    # 16 June: training due within 14 days.
    world.until(D(2027, 6, 16))
    world.expect("commitment_due", STAFF, *PARTNER_SIDE)
    _open_as(world, "coordinator", world.link_in(COORDINATOR, r"/portal/\S+"), "تدريب المستفيدين")

    # 16 October, 90 days before the end: the renewal reminder. Staff open it: one-click renewal.
    world.until(END - datetime.timedelta(days=90))
    world.expect("renewal", STAFF, *PARTNER_SIDE)
    _open_as(world, "coordinator", world.link_in(COORDINATOR, r"/portal/\S+"), TITLE)
    renew_link = world.link_in(STAFF, r"/agreements/\S+/renew/")
    _open_as(world, "staff", renew_link, "15 يناير 2028")

    # 20 October: the renewal is drafted (inside the notice window) with the next term.
    world.until(D(2027, 10, 20))
    staff.goto(renew_link)
    shoot(staff, "year-02-renewal-proposed")
    staff.click("[data-testid=confirm-renewal]")
    staff.wait_for_load_state("networkidle")
    renewal = re.search(r"QC-\d{4}-\d{4}", staff.url).group(0)
    assert renewal != reference
    assert (_row(world, "starts_on", renewal), _row(world, "ends_on", renewal)) == (RENEWAL_START, RENEWAL_END)
    assert _row(world, "status", reference) == "active"

    # 60 days before the end: the draft renewal's owner is asked to finish it; nobody is told to renew again.
    world.until(END - datetime.timedelta(days=60))
    world.expect("renewal_unsigned", STAFF)
    _open_as(world, "staff", world.link_in(STAFF, r"/agreements/\S+"), renewal)

    # 5 December: sent for signature; the signatories are reminded after 3 and 7 days with new links.
    world.until(D(2027, 12, 5))
    _send_for_signature(world, renewal)
    world.settle()
    world.expect("invitation", DEAN, CHAIRMAN)
    world.until(D(2027, 12, 8))
    world.expect("signing_reminder", DEAN, CHAIRMAN)
    world.until(D(2027, 12, 12))
    world.expect("signing_reminder", DEAN, CHAIRMAN)

    # 15 December, 30 days before the end: owner and signatories reminded to finish the renewal;
    # the dean signs from that very e-mail's link, then the chairman.
    world.until(END - datetime.timedelta(days=30))
    # The owner is asked to finish it; the signatories get a reminder to sign, with a new link.
    world.expect("renewal_unsigned", STAFF)
    world.expect("signing_reminder", DEAN, CHAIRMAN)
    _sign_by_link(world, world.link_in(DEAN, r"/sign/[A-Za-z0-9_\-]+/"), "عميد الكلية التقنية", DEAN)
    _sign_as_chairman(world, renewal)
    world.settle()
    world.expect("signer_code", DEAN)
    world.expect("signed_pdf", DEAN, CHAIRMAN)
    assert (_row(world, "status", reference), _row(world, "status", renewal)) == ("active", "signed")
    assert f"agreement-{agreement_id}-renewal-7" not in _calendar_events(world, feed)

    # To its last day the running agreement stays in force and reportable; no more renewal reminders.
    world.until(END)
    assert world.status_everywhere(reference, code)["partner"] == "active"
    _report_progress(world, reference, "تدريب المستفيدين", 6)
    world.settle()
    assert _row(world, "status", reference) == "active"
    shoot(world.page("coordinator"), "year-03-last-day-reportable")

    # The next day the renewal is in force and the old agreement renewed (not "ended": no e-mail).
    world.next_day()
    renewal_code = _row(world, "verification_code", renewal)
    assert world.status_everywhere(reference, code) == dict.fromkeys(("staff", "partner", "verification"), "renewed")
    assert world.status_everywhere(renewal, renewal_code) == dict.fromkeys(
        ("staff", "partner", "verification"), "active"
    )
    ics = _calendar_events(world, feed)
    assert f"agreement-{agreement_id}-end" not in ics
    report = _status_report(world)
    assert (report["سارية"], report["مجدَّدة"], report["منتهية"]) == (1, 1, 0)
    assert f"agreement-{_row(world, 'id', renewal)}-renewal-90" in ics

    # 20 January 2028: the final report, in the grace period, accepted and marked late.
    world.until(D(2028, 1, 20))
    _report_progress(world, reference, "تدريب المستفيدين", 9)
    world.settle()
    college = world.page("coordinator")
    college.goto(f"{base}/portal/agreements/{reference}/")
    assert college.get_by_test_id("late-report").count() == 1
    shoot(college, "year-04-final-report-late")

    # After the grace period (30 days after 14 January) reports are refused, with the date.
    world.until(LAST_DAY)
    college.goto(f"{base}/portal/agreements/{reference}/")
    assert college.locator("a", has_text="الإبلاغ عن إنجاز").count() == 0

    # Every e-mail of the year: each expected one exactly once, and no other.
    def kind_of(subject: str, text: str) -> str:
        kinds = [
            ("الاتفاقية الموقعة:", "signed_pdf"),
            ("رمز التحقق للتوقيع:", "signer_code"),
            ("قُبل تقرير الإنجاز", "progress_accepted"),
            ("أُعيد تقرير الإنجاز", "progress_returned"),
            ("تذكير بطلب توقيع:", "signing_reminder"),
            ("طلب توقيع:", "invitation"),
            ("أكمل تجديد", "renewal_unsigned"),
            ("التزام متأخر:", "commitment_overdue"),
            ("التزام يستحق في", "commitment_due"),
        ]
        for prefix, kind in kinds:
            if subject.startswith(prefix):
                return kind
        if subject.startswith("تنتهي «") and "خلال" in subject:
            return "renewal"
        return f"other: {subject}"

    with (SCREENSHOTS.parent / "year-in-the-life-emails.txt").open("w", encoding="utf-8") as log:
        for day, to, subject, _text in world.received:
            log.write(f"{day}  {to}  {subject}\n")
    received = Counter((day, to, kind_of(subject, text)) for day, to, subject, text in world.received)
    expected = Counter(world.expected)
    assert received == expected, f"unexpected: {received - expected}\nmissing: {expected - received}"
    assert all(n == 1 for n in received.values())
    # Every reminder e-mail led its recipient somewhere they could open (links opened the day it came).
    reminder_kinds = {"commitment_due", "commitment_overdue", "renewal", "renewal_unsigned"}
    for day, to, subject, text in world.received:
        if kind_of(subject, text) in reminder_kinds:
            assert world.links_opened[(day, to, subject)] >= 1, (day, to, subject)
    for page in world.pages.values():
        page.context.close()
