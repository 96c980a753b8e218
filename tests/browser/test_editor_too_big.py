"""#21 finding 4 in the browser: a save larger than a request may carry is not sent; the editor
says so in Arabic and everything typed stays on the page."""

from __future__ import annotations

import pytest

from agreements.models import Clause
from tests.browser.fixtures import login
from tests.factories import PASSWORD, StaffFactory, agreement_with_clauses

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_save_too_large_for_one_request_is_held_back_with_what_was_typed(browser, live_server, settings, shoot):
    staff = StaffFactory()
    agreement = agreement_with_clauses(clauses=1, commitments_per_clause=1)
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 20_000  # the page reads the limit it must respect
    page = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    login(page, live_server.url, staff.username, PASSWORD)
    page.goto(f"{live_server.url}/agreements/{agreement.reference}/edit/")
    long_text = "تقدم الكلية دورات تقنية لمستفيدي الخيرية في محافظة القطيف. " * 70  # about 25 KB encoded
    page.fill("textarea[name='clauses-0-text_ar']", long_text)
    page.click("#agreement-form button[type=submit]")
    alert = page.locator("[data-too-big]")
    alert.wait_for(state="visible")
    assert "أكبر من أن تُرسل في حفظ واحد" in alert.inner_text()
    assert page.url.endswith("/edit/")
    assert page.input_value("textarea[name='clauses-0-text_ar']") == long_text  # nothing lost
    shoot(page, "17-editor-too-big-ar")
    assert Clause.objects.get(agreement=agreement).text_ar != long_text  # nothing sent
    # Shorter, it saves as usual.
    page.fill("textarea[name='clauses-0-text_ar']", "نص أقصر")
    page.click("#agreement-form button[type=submit]")
    page.wait_for_url(f"{live_server.url}/agreements/{agreement.reference}/")
    assert Clause.objects.get(agreement=agreement).text_ar == "نص أقصر"
