"""Arabic first, right to left, with English as the second language."""

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import AgreementFactory

pytestmark = pytest.mark.django_db


def test_portal_is_arabic_and_rtl_even_for_an_english_browser(staff_client):
    response = staff_client.get(reverse("home"), HTTP_ACCEPT_LANGUAGE="en-US,en;q=0.9")
    body = response.content.decode()
    assert '<html lang="ar" dir="rtl">' in body
    assert "bootstrap.rtl.min.css" in body
    assert "لوحة المعلومات" in body


def test_language_switch_turns_the_portal_to_english_ltr(staff_client):
    response = staff_client.post(reverse("set_language"), {"language": "en", "next": reverse("home")})
    assert response.status_code == 302
    assert response.cookies[settings.LANGUAGE_COOKIE_NAME].value == "en"
    body = staff_client.get(reverse("home")).content.decode()
    assert '<html lang="en" dir="ltr">' in body
    assert "bootstrap.min.css" in body and "bootstrap.rtl" not in body
    assert "Dashboard" in body


def test_unknown_language_cookie_falls_back_to_arabic(staff_client):
    staff_client.cookies[settings.LANGUAGE_COOKIE_NAME] = "xx"
    assert '<html lang="ar" dir="rtl">' in staff_client.get(reverse("home")).content.decode()


def test_bilingual_fields_follow_the_language(staff_client):
    agreement = AgreementFactory(title_ar="اتفاقية التدريب", title_en="Training agreement")
    url = reverse("agreements:detail", args=[agreement.reference])
    assert "اتفاقية التدريب" in staff_client.get(url).content.decode()
    staff_client.post(reverse("set_language"), {"language": "en", "next": url})
    assert "Training agreement" in staff_client.get(url).content.decode()


def test_agreement_page_shows_both_calendars(staff_client):
    import datetime

    agreement = AgreementFactory(starts_on=datetime.date(2026, 11, 29), ends_on=datetime.date(2027, 11, 29))
    body = staff_client.get(reverse("agreements:detail", args=[agreement.reference])).content.decode()
    assert "29 نوفمبر 2026" in body
    assert "19 جمادى الآخرة 1448 هـ" in body
