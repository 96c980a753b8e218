"""An amendment's whole life on the real stack (issue 16, "done when").

gunicorn, a Celery worker and beat run as compose starts them, on the demo data, the portal's
date read from `PORTAL_TODAY_FILE`. Staff amend the running agreement with the technical
college in the browser (one target changed, one clause added, the term one year longer) and
send it; the college's dean signs from the e-mailed link without logging in, the chairman
from his account. The worker seals the addendum and the consolidated text; both are opened
(pdftoppm) and the addendum verifies on the public page. The clock then moves day by day to
the effective date, the daily sweep runs on the worker each day, and on that date the
college's user sees the new target with the progress reported before the amendment.
"""

from __future__ import annotations

import datetime
import re
import subprocess

import psycopg2
import pytest

from tests.browser.fixtures import SCREENSHOTS, login, newest_code, type_signing_code
from tests.browser.test_signing_journey import draw
from tests.e2e.conftest import running_stack

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

D = datetime.date
DATABASE = "qatif_amend"
PASSWORD = "qatif-demo-2026"
COLLEGE = "الكلية التقنية بالقطيف"
DEAN = "dean@tech-college-qatif.example"
TODAY, EFFECTIVE = D(2026, 12, 7), D(2027, 1, 1)


@pytest.fixture(scope="module")
def stack(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("amend")
    yield from running_stack(
        tmp,
        database=DATABASE,
        redis_db=8,
        before_start=lambda stack: stack.manage("portal_clock", TODAY.isoformat()),
        PORTAL_TODAY_FILE=str(tmp / "portal-today"),
    )


def _query(sql: str, *params):
    with psycopg2.connect(dbname=DATABASE, host="127.0.0.1", port=5432, user="postgres") as db, db.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def _amendment_row(reference: str):
    rows = _query(
        "SELECT m.status, m.pdf_status, m.content_hash, m.pdf_error FROM agreements_amendment m"
        " JOIN agreements_agreement a ON a.id = m.agreement_id WHERE a.reference = %s AND m.number = 1",
        reference,
    )
    return rows[0] if rows else None


def _pdf_pages(pdf: bytes, name: str) -> list[str]:
    """Each page as PNG under the screenshots (to look at), and its text (pdftotext)."""
    path = SCREENSHOTS / f"{name}.pdf"
    path.write_bytes(pdf)
    subprocess.run(["pdftoppm", "-png", "-r", "60", str(path), str(SCREENSHOTS / name)], check=True)
    text = subprocess.run(["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True)
    return text.stdout.split("\f")


def test_staff_amend_both_sign_the_addendum_verifies_and_on_its_date_the_partner_sees_the_new_target(
    stack, browser, shoot
):
    base = stack.url
    reference = _query(
        "SELECT a.reference FROM agreements_agreement a JOIN partners_partner p ON p.id = a.partner_id"
        " WHERE p.name_ar = %s AND a.status = 'active'",
        COLLEGE,
    )[0][0]
    staff = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True).new_page()
    staff.set_default_timeout(20_000)
    login(staff, base, "staff", PASSWORD)

    # Staff amend the running agreement: a target, a clause, one more year.
    staff.goto(f"{base}/agreements/{reference}/")
    staff.click("[data-testid=record-amendment]")
    staff.wait_for_load_state("networkidle")
    assert staff.input_value("#id_clauses-0-commitments-0-target_quantity") == "20"
    staff.fill("#id_clauses-0-commitments-0-target_quantity", "25")
    assert staff.input_value("#id_ends_on") == "2029-03-15"
    staff.fill("#id_ends_on", "2030-03-15")
    staff.fill("#id_effective_on", EFFECTIVE.isoformat())
    staff.fill("#id_text_ar", "رفع عدد المتدربين وإضافة بند للتغطية الإعلامية وتمديد المدة سنة.")
    staff.fill("#id_text_en", "More trainees, a media clause, and one more year.")
    total = int(staff.input_value("input[name='clauses-TOTAL_FORMS']"))
    staff.click("[data-add-clause]")
    new = f"clauses-{total}"
    staff.select_option(f"#id_{new}-kind", "media")
    staff.fill(f"#id_{new}-text_ar", "يتعاون الطرفان في التغطية الإعلامية لبرامج الشراكة.")
    staff.fill(f"#id_{new}-text_en", "Both parties cooperate on media coverage of the partnership's programmes.")
    staff.click("[data-testid=save-amendment]")
    staff.wait_for_load_state("networkidle")
    assert staff.url.endswith(f"/agreements/{reference}/amendments/1/"), staff.url

    # Sent with the agreement's signatories proposed: the chairman (his account) and the dean.
    staff.click("[data-testid=send-amendment]")
    staff.wait_for_load_state("networkidle")
    assert staff.input_value("#id_charity_email") == "chairman@qatif-charity.example"
    assert staff.locator("input[name=partner_contacts]:checked").count() == 1
    shoot(staff, "80-amendment-send-ar")
    staff.click("main form button.btn-primary")
    staff.wait_for_load_state("networkidle")
    status, _pdf, content_hash, _error = _amendment_row(reference)
    assert status == "awaiting_signatures" and len(content_hash) == 64
    assert "بانتظار التوقيع" in staff.inner_text("[data-testid=amendment-status]")

    # The dean opens the link in the e-mail, without an account, and draws his signature.
    def dean_email():
        found = [m for m in stack.emails() if DEAN in str(m["To"]) and "الملحق رقم 1" in str(m["Subject"])]
        return found[-1] if found else None

    message = stack.wait_for(dean_email, timeout=60, what="the dean's signing e-mail")
    link = re.search(rf"{re.escape(base)}/sign/\S+", message.get_body(("plain",)).get_content()).group(0)
    desk = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    dean = desk.new_page()
    dean.goto(link)
    dean.wait_for_load_state("networkidle")
    type_signing_code(
        dean, lambda: newest_code(m.get_body(("plain",)).get_content() for m in stack.emails() if DEAN in str(m["To"]))
    )
    assert "الملحق رقم 1" in dean.inner_text("[data-testid=amendment-heading]")
    diff = dean.inner_text("[data-testid=amendment-diff]")
    assert "20 متدربًا" in diff and "25 متدربًا" in diff and "يتعاون الطرفان في التغطية الإعلامية" in diff
    assert dean.inner_text("[data-testid=content-hash]") == content_hash
    assert "أوافق على توقيع هذا الملحق إلكترونيًّا" in dean.inner_text("#sign-form")
    draw(dean, "#signature-canvas")
    dean.check("#id_consent")
    shoot(dean, "81-amendment-signing-page-ar")
    dean.click("[data-testid=sign-button]")
    dean.wait_for_load_state("networkidle")
    assert "شكرًا لتوقيعك الملحق رقم 1" in dean.inner_text("[data-testid=signing-done]")
    desk.close()

    # The chairman signs from his account, from the amendment's page.
    chair_context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    chairman = chair_context.new_page()
    login(chairman, base, "chairman", PASSWORD)
    chairman.goto(f"{base}/agreements/{reference}/amendments/1/")
    chairman.click("[data-testid=sign-amendment]")
    chairman.wait_for_load_state("networkidle")
    chairman.check("input[name=method][value=typed]")
    chairman.fill("#id_typed", "أسامة الزاير")
    chairman.check("#id_consent")
    chairman.click("[data-testid=sign-button]")
    chairman.wait_for_load_state("networkidle")
    chair_context.close()
    assert _amendment_row(reference)[0] == "signed"  # signed before its date: in force from 1 January

    # The worker seals the addendum and the consolidated text.
    stack.wait_for(lambda: _amendment_row(reference)[1] == "ready", timeout=180, what="the addendum PDF")
    downloads = {}
    for kind in ("addendum", "consolidated"):
        for language in ("ar", "en"):
            response = staff.request.get(f"{base}/agreements/{reference}/amendments/1/pdf/{kind}/{language}/")
            assert response.status == 200 and response.body().startswith(b"%PDF"), (kind, language)
            downloads[(kind, language)] = response.body()
    addendum = "".join(_pdf_pages(downloads[("addendum", "ar")], "82-addendum-ar"))
    squashed = re.sub(r"\s+", "", addendum)
    assert content_hash in squashed and "25" in addendum and "20" in addendum
    english = " ".join("".join(_pdf_pages(downloads[("addendum", "en")], "83-addendum-en")).split())
    # The college's agreement was signed on paper before the portal: no fingerprint to name.
    assert "Addendum No. 1" in english and "20 trainees 25 trainees" in english
    assert "signed on paper before the portal" in english
    consolidated = "".join(_pdf_pages(downloads[("consolidated", "en")], "84-consolidated-en"))
    plain = " ".join(consolidated.replace("\u2066", "").replace("\u2069", "").split())
    assert "Consolidated text of the agreement as amended by addendum 1" in plain
    assert "25 trainees" in consolidated
    _pdf_pages(downloads[("consolidated", "ar")], "85-consolidated-ar")

    # The addendum verifies on the public page (anyone holding the PDF, no login).
    code = _query("SELECT verification_code FROM agreements_agreement WHERE reference = %s", reference)[0][0]
    public = browser.new_context(ignore_https_errors=True).new_page()
    public.goto(f"{base}/verify/{code}/")
    assert public.locator("[data-testid=verify-amendment-1]").count() == 1
    (SCREENSHOTS / "addendum-upload.pdf").write_bytes(downloads[("addendum", "ar")])
    public.set_input_files("input[type=file]", str(SCREENSHOTS / "addendum-upload.pdf"))
    public.click("main form button[type=submit]")
    public.wait_for_load_state("networkidle")
    assert public.locator("[data-testid=verify-result][data-authentic=yes]").count() == 1
    shoot(public, "86-addendum-verified-ar")
    public.context.close()

    # Day by day to the effective date, the daily sweep on the worker each day.
    from celery import Celery

    celery = Celery(broker=stack.env["CELERY_BROKER_URL"], backend=stack.env["CELERY_BROKER_URL"])
    day = TODAY
    while day < EFFECTIVE:
        day += datetime.timedelta(days=1)
        stack.manage("portal_clock", day.isoformat())
        result = celery.send_task("reminders.sweep").get(timeout=120)
        assert result["today"] == day.isoformat()
        expected = "active" if day >= EFFECTIVE else "signed"
        assert _amendment_row(reference)[0] == expected, day

    # The college's user sees the new target, with the 12 trainees reported before it.
    partner_context = browser.new_context(viewport={"width": 1280, "height": 900}, ignore_https_errors=True)
    partner = partner_context.new_page()
    login(partner, base, "tech-college", PASSWORD)
    partner.goto(f"{base}/portal/agreements/{reference}/")
    text = partner.inner_text("main")
    assert "12 من 25 متدربًا" in text, text[:2000]
    assert "كما عُدّلت بالملحق رقم 1" in text and "15 مارس 2030" in text
    shoot(partner, "87-portal-as-amended-ar")
    partner_context.close()

    staff.goto(f"{base}/agreements/{reference}/")
    assert "كما عُدّلت بالملحق رقم 1" in staff.inner_text("main")
    assert "15 مارس 2030" in staff.inner_text("main")
    shoot(staff, "88-agreement-as-amended-ar")
