"""A partner name carrying a RIGHT-TO-LEFT OVERRIDE, as Chromium shows it on the signing page."""

import pytest
from django.core import mail
from django.urls import reverse

from partners.models import Partner
from tests.agreements.signing_helpers import sent_agreement, token_sent_to
from tests.browser.fixtures import newest_code, type_signing_code

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

RLO = "\u202e"


def test_the_signer_sees_the_override_as_a_marker_and_a_warning(page, live_server, shoot):
    agreement, contact, _chairman = sent_agreement()
    # Stored around the forms (an import): "elpmaxe.live" displays as "evil.example" when obeyed.
    Partner.objects.filter(pk=agreement.partner_id).update(name_ar=f"جمعية الخير {RLO}elpmaxe.live")
    page.goto(live_server.url + reverse("signing:link", args=[token_sent_to(contact.email)]))
    type_signing_code(page, lambda: newest_code(m.body for m in mail.outbox if m.to == [contact.email]))

    warning = page.get_by_test_id("hidden-direction-warning")
    assert warning.is_visible()
    assert "رموز اتجاه نص مخفية" in warning.inner_text()
    party = page.locator("article.agreement-text dd").nth(1)
    marker = party.locator(".bidi-marker")
    assert marker.is_visible() and marker.inner_text() == "[U+202E]"
    # The stored characters are shown in the order they were typed, not reversed.
    assert party.inner_text().replace("\u2066", "").replace("\u2069", "") == "جمعية الخير [U+202E]elpmaxe.live"
    box = marker.bounding_box()
    assert box["width"] > 20 and box["height"] > 8  # a marker a person can see, not a zero-width mark
    shoot(page, "60-signing-page-hidden-direction-ar")
