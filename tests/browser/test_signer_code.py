"""A link signer receives the e-mailed code and types it in a real browser; a wrong code is
refused in Arabic and counted; the right one opens the agreement."""

from __future__ import annotations

import pytest
from django.core import mail

from tests.agreements.signing_helpers import LINK, sent_agreement
from tests.browser.fixtures import newest_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER = "rep@partner.example"


def test_a_wrong_code_is_refused_in_arabic_and_the_right_one_opens_the_agreement(browser, live_server, settings, shoot):
    settings.SITE_URL = live_server.url
    agreement, _contact, _chairman = sent_agreement()
    link = next(LINK.search(m.body).group(0) for m in mail.outbox if m.to == [PARTNER])
    page = browser.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()
    page.goto(link)
    page.get_by_test_id("code-send").click()
    page.wait_for_load_state("networkidle")
    code = newest_code(m.body for m in mail.outbox if m.to == [PARTNER])
    assert code and code not in page.content()
    wrong = f"{(int(code) + 1) % 10**6:06d}"
    page.get_by_test_id("code-input").fill(wrong)
    page.get_by_test_id("code-submit").click()
    page.wait_for_load_state("networkidle")
    assert "رمز خاطئ. بقيت 4 محاولات." in page.inner_text("main")
    shoot(page, "22-signing-code-wrong-phone-ar")
    # Typed on an Arabic keyboard: Arabic-Indic digits.
    page.get_by_test_id("code-input").fill(code.translate(str.maketrans("0123456789", "٠١٢٣٤٥٦٧٨٩")))
    page.get_by_test_id("code-submit").click()
    page.wait_for_load_state("networkidle")
    assert agreement.clauses.order_by("order").first().text_ar in page.inner_text("main")
    page.get_by_test_id("sign-button").wait_for()
