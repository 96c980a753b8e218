"""Issue 4's journey: send, sign by emailed link with a drawn signature, sign from an account."""

from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command
from django.db import connection

from agreements.audit import audit_verify
from agreements.models import Agreement, AgreementStatus, AuditEvent, Signature
from tests.agreements.signing_helpers import LINK, triggers_off
from tests.browser.fixtures import login, newest_code, type_signing_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"


@pytest.fixture
def demo_draft():
    """The demo data plus a draft agreement with the technical college, ready to send."""
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())
    from accounts.models import User
    from agreements.services import agreement_renew

    college = Agreement.objects.get(partner__name_ar="الكلية التقنية بالقطيف")
    return agreement_renew(agreement=college, by=User.objects.get(username="staff"))


def draw(page, selector: str) -> None:
    """Sign with the mouse: a few strokes across the canvas."""
    box = page.locator(selector).bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    for stroke in ([(0.1, 0.7), (0.25, 0.2), (0.4, 0.8), (0.55, 0.3)], [(0.6, 0.6), (0.75, 0.25), (0.9, 0.7)]):
        page.mouse.move(x + w * stroke[0][0], y + h * stroke[0][1])
        page.mouse.down()
        for px, py in stroke[1:]:
            page.mouse.move(x + w * px, y + h * py, steps=12)
        page.mouse.up()


def test_partner_signs_by_link_the_chairman_from_his_account(browser, page, live_server, demo_draft, shoot, settings):
    base = live_server.url
    settings.SITE_URL = base  # links in emails point at this test server
    agreement = demo_draft

    # Staff send the renewal for signature (the chairman's account is proposed by default).
    login(page, base, "staff", DEMO_PASSWORD)
    page.goto(f"{base}/agreements/{agreement.reference}/")
    page.click("text=إرسال للتوقيع")
    assert page.input_value("#id_charity_name") == "أسامة الزاير"
    page.check("input[name=partner_contacts]")
    shoot(page, "20-send-for-signature-ar")
    page.click("main form button.btn-primary")
    page.wait_for_load_state("networkidle")
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.AWAITING_SIGNATURES
    assert page.get_by_test_id("content-hash").inner_text() == agreement.content_hash

    # The partner representative opens the link from the email: no account, phone first.
    email = next(m for m in mail.outbox if m.to == ["dean@tech-college-qatif.example"])
    link = LINK.search(email.body).group(0)
    phone = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True)
    phone_page = phone.new_page()
    phone_page.goto(link)
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.url.endswith("/sign/")  # the token left the address bar
    # First the signer confirms the address: the page names it half hidden, and offers a code.
    assert "d•••@tech-college-qatif.example" in phone_page.inner_text("[data-testid=code-page]")
    assert phone_page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1")
    shoot(phone_page, "21-signing-code-page-phone-ar")
    phone.close()

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    rep = desk.new_page()
    rep.goto(link)  # the link opens any number of times until its signatory signs or declines
    rep.wait_for_load_state("networkidle")
    type_signing_code(rep, lambda: newest_code(m.body for m in mail.outbox if m.to == [email.to[0]]))
    assert "تأكّدنا من بريدك" in rep.inner_text("main")
    assert rep.locator("html").get_attribute("dir") == "rtl"
    assert agreement.content_hash in rep.inner_text("[data-testid=content-hash]")
    rep.click("[data-testid=sign-button]")  # nothing drawn, no consent yet
    rep.wait_for_load_state("networkidle")
    assert "ارسم توقيعك" in rep.inner_text("main")
    draw(rep, "#signature-canvas")
    rep.check("#id_consent")
    shoot(rep, "22-signing-page-drawn-ar")
    rep.click("[data-testid=sign-button]")
    rep.wait_for_load_state("networkidle")
    assert "سُجّل توقيعك" in rep.inner_text("[data-testid=signing-done]")
    shoot(rep, "23-signed-thanks-ar")
    desk.close()
    signature = Signature.objects.get(request__agreement=agreement, request__party="partner")
    assert signature.method == "drawn" and signature.channel == "link"
    assert signature.image.size > 1000

    # The chairman signs from his account.
    page.context.clear_cookies()
    login(page, base, "chairman", DEMO_PASSWORD)
    page.goto(f"{base}/agreements/{agreement.reference}/")
    page.click("[data-testid=sign-from-account]")
    page.wait_for_load_state("networkidle")
    page.check("input[name=method][value=typed]")
    page.fill("#id_typed", "أسامة الزاير")
    page.check("#id_consent")
    shoot(page, "24-chairman-typed-ar")
    page.click("[data-testid=sign-button]")
    page.wait_for_load_state("networkidle")
    agreement.refresh_from_db()
    # A renewal signed before its start date: signed, in force from then; the running one stays active.
    assert agreement.status == AgreementStatus.SIGNED
    assert agreement.renews.status == AgreementStatus.ACTIVE

    # The page shows the status with its start date, the trail and that it verifies.
    page.goto(f"{base}/agreements/{agreement.reference}/")
    assert "موقّعة — تسري من" in page.inner_text("[data-status=signed]")
    page.wait_for_selector("[data-testid=audit-check]")
    assert "سجل التدقيق سليم" in page.inner_text("[data-testid=audit-check]")
    assert page.locator("[data-testid=signing-status]").all_inner_texts() == ["وُقّع", "وُقّع"]
    shoot(page, "25-signed-with-audit-ar")
    assert audit_verify(agreement).ok

    # Editing one audit row in the database breaks verification, on the page too.
    event = AuditEvent.objects.filter(agreement=agreement, kind="signed").first()
    with connection.cursor() as raw, triggers_off(raw) as cursor:  # an insider with full access
        cursor.execute("UPDATE agreements_auditevent SET ip = '203.0.113.9' WHERE id = %s", [event.pk])
    assert not audit_verify(agreement).ok
    page.reload()
    page.wait_for_selector("[data-testid=audit-check]")
    assert "غير سليم" in page.inner_text("[data-testid=audit-check]")
    shoot(page, "26-audit-broken-ar")
