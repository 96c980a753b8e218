"""A notification made while Arabic was active reads in English in the English interface.

Screenshots: tests/artifacts/screenshots/notifications-en.png and notifications-ar.png.
"""

from __future__ import annotations

import datetime

import pytest
from django.conf import settings
from django.utils import translation

from tests.browser.fixtures import login
from tests.factories import PASSWORD
from tests.reminders.test_emails import partner_agreement, run

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
D = datetime.date


def test_the_reader_sees_a_reminders_notification_in_their_own_language(page, live_server, shoot):
    _agreement, partner_user, _commitment = partner_agreement(ends=D(2027, 12, 31), commitment_due=D(2027, 6, 30))
    with translation.override("ar"):
        run(D(2027, 6, 16))
    base = live_server.url
    login(page, base, partner_user.username, PASSWORD)
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "en", "url": base}])
    page.goto(f"{base}/reminders/notifications/")
    items = page.get_by_test_id("notifications").inner_text()
    assert "Commitment due on 30 June 2027" in items
    shoot(page, "notifications-en")
    page.context.add_cookies([{"name": settings.LANGUAGE_COOKIE_NAME, "value": "ar", "url": base}])
    page.goto(f"{base}/reminders/notifications/")
    items = page.get_by_test_id("notifications").inner_text()
    assert "Commitment due" not in items and "30 يونيو 2027" in items
    shoot(page, "notifications-ar")
