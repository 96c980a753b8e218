"""Issue 20's partner roles in Arabic: the college's authorised officer invites a colleague as a
viewer; the colleague accepts from the e-mailed link, logs in with the e-mail typed in another
case and reads the agreement without a report button; promoted to editor, the button appears."""

import re
from io import StringIO

import pytest
from django.core import mail
from django.core.management import call_command

from accounts.models import User
from agreements.models import Agreement, Commitment
from tests.browser.fixtures import login

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

DEMO_PASSWORD = "qatif-demo-2026"
COLLEAGUE = "huda.salman@tech-college-qatif.example"
LINK = re.compile(r"https?://[^/\s]+(/accounts/invitation/[A-Za-z0-9_\-]+/)")


@pytest.fixture
def demo():
    call_command("load_demo", "--i-know-this-is-production", stdout=StringIO())


def test_an_officer_invites_a_viewer_who_is_later_promoted_to_editor(browser, page, live_server, demo, shoot):
    base = live_server.url
    college = Agreement.objects.get(partner__name_ar="الكلية التقنية بالقطيف")
    training = Commitment.objects.get(clause__agreement=college, clause__kind="training", party="partner")
    report_link = f"a[href='/portal/commitments/{training.pk}/report/']"

    # The officer invites a colleague as a viewer.
    login(page, base, "tech-college", DEMO_PASSWORD)
    page.goto(f"{base}/portal/team/")
    page.fill("#id_name", "هدى سلمان")
    page.fill("#id_email", COLLEAGUE)
    page.select_option("#id_role", "viewer")
    page.click("main form.card button[type=submit]")
    page.wait_for_load_state("networkidle")
    assert f"تم: سيصل إلى {COLLEAGUE} بريد عن البوابة قريبًا." in page.inner_text("main")
    pending = page.get_by_test_id("pending-invitations").inner_text()
    assert COLLEAGUE in pending and "مُطّلِع" in pending
    shoot(page, "roles-0-team-page-pending-invitation-ar")

    # The colleague opens the link from the e-mail addressed to her and sets a password.
    message = next(m for m in mail.outbox if m.to == [COLLEAGUE])
    link = LINK.search(message.body).group(1)
    colleague_context = browser.new_context(viewport={"width": 1280, "height": 900})
    colleague = colleague_context.new_page()
    colleague.goto(base + link)
    colleague.fill("#id_first_name", "هدى سلمان")
    colleague.fill("#id_password1", "Qatif-Viewer-Pass-9")
    colleague.fill("#id_password2", "Qatif-Viewer-Pass-9")
    colleague.click("main form button[type=submit]")
    colleague.wait_for_load_state("networkidle")
    assert colleague.url.endswith("/portal/")
    colleague_context.close()
    huda = User.objects.get(email=COLLEAGUE)
    assert huda.partner_role == "viewer"

    # Later, from another browser: the e-mail in another case logs her in; she reads, cannot report.
    colleague_context = browser.new_context(viewport={"width": 1280, "height": 900})
    colleague = colleague_context.new_page()
    login(colleague, base, "Huda.Salman@Tech-College-QATIF.example", "Qatif-Viewer-Pass-9")
    assert colleague.url.endswith("/portal/")
    assert college.title_ar in colleague.get_by_test_id("portal-agreements").inner_text()
    colleague.goto(f"{base}/portal/agreements/{college.reference}/")
    assert training.description_ar in colleague.inner_text("main")
    assert colleague.locator(report_link).count() == 0
    assert colleague.locator("text=الإبلاغ عن إنجاز").count() == 0

    # The officer promotes her to editor; the team page, looked at on a desktop and a phone.
    page.goto(f"{base}/portal/team/")
    member = page.get_by_test_id(f"member-{huda.pk}")
    member.locator("select[name=role]").select_option("editor")
    member.get_by_test_id(f"change-role-{huda.pk}").click()
    page.wait_for_load_state("networkidle")
    assert "دور هدى سلمان الآن: مُحرِّر." in page.inner_text("main")
    assert page.get_by_test_id(f"role-{huda.pk}").inner_text() == "مُحرِّر"
    shoot(page, "roles-1-team-page-ar-desktop")
    page.set_viewport_size({"width": 390, "height": 844})
    page.reload()
    # Nothing wider than the phone: no sideways scrolling.
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    shoot(page, "roles-2-team-page-ar-390")

    # Her next page shows the report button.
    colleague.reload()
    assert colleague.locator(report_link).count() == 1
    colleague.click(report_link)
    colleague.wait_for_load_state("networkidle")
    assert colleague.url.endswith(f"/portal/commitments/{training.pk}/report/")
    colleague_context.close()
