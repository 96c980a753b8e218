"""#21 finding 1, in real browsers: a signatory's browser opened the link and confirmed the code;
staff press "Send a new link" (a link sent to the wrong person); the page left open in that
browser can no longer sign, and the new link asks for its own code."""

from __future__ import annotations

import pytest
from django.core import mail

from agreements.models import AuditEvent, SigningRequest, SigningStatus
from tests.agreements.signing_helpers import LINK, sent_agreement
from tests.browser.fixtures import login, newest_code, type_signing_code
from tests.factories import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PARTNER = "rep@partner.example"


def test_a_page_left_open_after_the_link_was_replaced_signs_nothing(browser, live_server, settings, shoot):
    base = live_server.url
    settings.SITE_URL = base
    agreement, _contact, _chairman = sent_agreement()
    link = next(LINK.search(m.body).group(0) for m in mail.outbox if m.to == [PARTNER])
    codes = lambda: newest_code(m.body for m in mail.outbox if m.to == [PARTNER])  # noqa: E731

    wrong_person = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    wrong_person.goto(link)
    type_signing_code(wrong_person, codes)
    wrong_person.get_by_test_id("sign-button").wait_for()

    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(staff, base, agreement.owner.username, PASSWORD)
    staff.goto(f"{base}/agreements/{agreement.reference}/")
    request = SigningRequest.objects.get(email=PARTNER)
    staff.locator(f"form[action$='/signatories/{request.pk}/resend/'] button").click()
    staff.wait_for_load_state("networkidle")
    assert "ولم يعد الرابط السابق يعمل" in staff.inner_text("main")

    # The page still shows the agreement; signing from it is refused and records nothing.
    wrong_person.check("input[name=method][value=typed]")
    wrong_person.fill("#id_typed", "شخص آخر")
    wrong_person.check("#id_consent")
    wrong_person.get_by_test_id("sign-button").click()
    wrong_person.wait_for_load_state("networkidle")
    assert "رابط التوقيع هذا لا يعمل" in wrong_person.inner_text("main")
    shoot(wrong_person, "27-replaced-link-refused-ar")
    request.refresh_from_db()
    assert request.status != SigningStatus.SIGNED
    assert not AuditEvent.objects.filter(signing_request=request, kind="signed").exists()

    # The new link, opened by its rightful signatory, asks for a code of its own.
    new_link = [LINK.search(m.body).group(0) for m in mail.outbox if m.to == [PARTNER] and LINK.search(m.body)][-1]
    assert new_link != link
    rightful = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    rightful.goto(new_link)
    rightful.get_by_test_id("code-page").wait_for()
