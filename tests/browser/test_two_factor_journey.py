"""Two-factor login in a real browser, in Arabic: a staff member turns it on from the QR page,
logs out, and logs in again with the password and then a code from the "phone"."""

import re
from base64 import b32decode
from io import StringIO

import pytest
from django.core.management import call_command
from django_otp.oath import totp

from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def test_staff_turns_on_two_factor_and_logs_in_with_a_code(page, live_server, demo, shoot):
    base = live_server.url
    console = []
    page.on("console", lambda message: console.append(message.text))

    login(page, base, "staff", DEMO_PASSWORD)
    page.get_by_test_id("two-factor-link").click()
    page.wait_for_load_state()
    assert page.get_by_test_id("two-factor-status").get_attribute("data-enabled") == "no"
    page.click("main button:has-text('تفعيل التحقق بخطوتين')")
    page.wait_for_load_state("networkidle")

    assert page.url == f"{base}/accounts/two-factor/setup/"
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "إعداد التحقق بخطوتين" in page.inner_text("h1")
    # The QR code (an inline data: SVG) is drawn: the policy lets it load.
    qr = page.get_by_test_id("totp-qr")
    assert qr.evaluate("img => img.complete && img.naturalWidth > 100")
    shoot(page, "two-factor-01-setup-ar")

    # The phone: the key typed by hand, and the code it shows now.
    key = b32decode(page.get_by_test_id("totp-secret").inner_text().replace(" ", ""))
    page.fill("#id_code", f"{totp(key):06d}")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    codes = page.get_by_test_id("backup-codes").locator("li").all_inner_texts()
    assert len(codes) == 10 and all(re.fullmatch(r"[a-z2-7]{8}", code) for code in codes)
    assert "فُعّل التحقق بخطوتين" in page.inner_text("main")
    shoot(page, "two-factor-02-backup-codes-ar")
    page.click("main a:has-text('حفظتها، متابعة')")
    page.wait_for_load_state()
    assert page.get_by_test_id("two-factor-status").get_attribute("data-enabled") == "yes"
    assert "لديك 10 رموز احتياطية غير مستخدمة" in page.inner_text("main")
    shoot(page, "two-factor-03-status-on-ar")

    page.click("nav form[action='/accounts/logout/'] button")
    page.wait_for_load_state()

    # The password alone no longer logs in: the code step follows.
    login(page, base, "staff", DEMO_PASSWORD)
    assert page.url == f"{base}/accounts/login/code/"
    assert page.locator("[data-testid=staff-menu]").count() == 0
    assert "أدخل رمز التحقق" in page.inner_text("main")
    page.fill("#id_code", "000000" if f"{totp(key):06d}" != "000000" else "111111")
    page.click("main button[type=submit]")
    page.wait_for_load_state()
    assert "الرمز غير صحيح" in page.inner_text("main")
    assert page.locator("html").get_attribute("dir") == "rtl"
    shoot(page, "two-factor-04-code-step-ar")

    # The same step in English through the language switch, and back to Arabic.
    page.click("button[name=language][value=en]")
    page.wait_for_load_state()
    assert page.url == f"{base}/accounts/login/code/"
    assert page.locator("html").get_attribute("dir") == "ltr"
    assert "Enter your code" in page.inner_text("main")
    shoot(page, "two-factor-05-code-step-en")
    page.click("button[name=language][value=ar]")
    page.wait_for_load_state()

    # django-otp waits a second after a wrong code. The code used at setup cannot be used again,
    # so the phone's next code (the following 30-second step) is given; it is within tolerance.
    page.wait_for_timeout(1500)
    page.fill("#id_code", f"{totp(key, drift=1):06d}")
    page.click("main button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert page.url == f"{base}/"
    assert page.get_by_test_id("staff-menu").is_visible()
    assert page.get_by_test_id("total-agreements").inner_text() == "4"
    shoot(page, "two-factor-06-dashboard-ar")
    # Nothing on the way was blocked by the Content-Security-Policy.
    assert not [line for line in console if "Content Security Policy" in line]
