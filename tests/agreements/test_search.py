"""List search (Arabic normalisation), filters and sorting."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from agreements.models import AgreementStatus
from common.search import normalize
from tests.factories import AgreementFactory, ClauseFactory, PartnerFactory, set_status

pytestmark = pytest.mark.django_db
LIST = reverse("agreements:list")


@pytest.mark.parametrize(
    ("typed", "stored"),
    [
        ("احمد", "أحمد"),
        ("ابراهيم", "إبراهيم"),
        ("المستفيدين", "المُستفيدِين"),
        ("مستشفي", "مستشفى"),
        ("الجمعيه", "الجمعية"),
        ("مسوولية", "مسؤولية"),
        ("مسئولية", "مسؤولية"),
        ("شئون", "شؤون"),
        ("2026", "٢٠٢٦"),
        ("training", "TRAINING"),
    ],
)
def test_normalisation_folds_the_variants_users_type(typed, stored):
    assert normalize(typed) == normalize(stored)


def titles(response):
    return [a.title_ar for a in response.context["page"]]


def test_search_finds_arabic_words_typed_without_hamza_or_diacritics(staff_client):
    AgreementFactory(title_ar="اتفاقية تأهيل الأسر المنتجة")
    AgreementFactory(title_ar="اتفاقية أخرى")
    assert titles(staff_client.get(LIST, {"q": "الاسر"})) == ["اتفاقية تأهيل الأسر المنتجة"]
    assert titles(staff_client.get(LIST, {"q": "تَأهِيل"})) == ["اتفاقية تأهيل الأسر المنتجة"]


def test_search_covers_reference_english_title_partner_and_clause_text(staff_client):
    partner = PartnerFactory(name_ar="الكلية التقنية بالقطيف")
    by_partner = AgreementFactory(partner=partner, title_ar="أ")
    by_clause = AgreementFactory(title_ar="ب")
    ClauseFactory(agreement=by_clause, text_ar="ورش العمل التوعوية", text_en="Awareness workshops")
    by_english = AgreementFactory(title_ar="ج", title_en="Volunteering Partnership")
    assert titles(staff_client.get(LIST, {"q": "الكليه التقنيه"})) == ["أ"]
    assert titles(staff_client.get(LIST, {"q": "التوعويه"})) == ["ب"]
    assert titles(staff_client.get(LIST, {"q": "awareness"})) == ["ب"]
    assert titles(staff_client.get(LIST, {"q": "volunteering partnership"})) == ["ج"]
    assert titles(staff_client.get(LIST, {"q": by_partner.reference})) == ["أ"]
    assert by_english  # created for the English search above


def test_filters_combine(staff_client):
    gov = PartnerFactory(sector="government")
    set_status(AgreementFactory(partner=gov, title_ar="هدف"), AgreementStatus.ACTIVE)
    ClauseFactory(agreement=AgreementFactory(partner=gov, title_ar="مسودة"), kind="media")
    set_status(AgreementFactory(title_ar="قطاع آخر"), AgreementStatus.ACTIVE)
    assert titles(staff_client.get(LIST, {"status": "active", "sector": "government"})) == ["هدف"]
    assert titles(staff_client.get(LIST, {"kind": "media"})) == ["مسودة"]
    assert sorted(titles(staff_client.get(LIST, {"partner": gov.pk}))) == ["مسودة", "هدف"]


def test_ending_within_n_days(staff_client):
    today = timezone.localdate()
    soon = set_status(
        AgreementFactory(
            title_ar="قريبة",
            starts_on=today - datetime.timedelta(days=300),
            ends_on=today + datetime.timedelta(days=20),
        ),
        AgreementStatus.ACTIVE,
    )
    set_status(AgreementFactory(title_ar="بعيدة", ends_on=today + datetime.timedelta(days=400)), AgreementStatus.ACTIVE)
    assert titles(staff_client.get(LIST, {"ending_within": 30})) == [soon.title_ar]


def test_sorting_by_end_date_both_ways(staff_client):
    for title, year in (("ب", 2030), ("أ", 2028), ("ج", 2029)):
        AgreementFactory(title_ar=title, ends_on=datetime.date(year, 1, 1))
    assert titles(staff_client.get(LIST, {"sort": "ends_on"})) == ["أ", "ج", "ب"]
    assert titles(staff_client.get(LIST, {"sort": "-ends_on"})) == ["ب", "ج", "أ"]


@pytest.mark.parametrize(
    "params",
    [{"status": "nonsense"}, {"ending_within": "abc"}, {"partner": "999999"}, {"sort": "password"}, {"page": "x"}],
)
def test_bad_filter_values_are_ignored_with_a_message_not_a_500(staff_client, params):
    AgreementFactory(title_ar="موجودة")
    response = staff_client.get(LIST, params)
    assert response.status_code == 200
    assert "موجودة" in response.content.decode()
    if "page" not in params:
        assert "لم تُفهم بعض عوامل التصفية" in response.content.decode()


def test_pagination(staff_client):
    owner_partner = PartnerFactory()
    for i in range(30):
        AgreementFactory(partner=owner_partner, title_ar=f"اتفاقية {i}")
    first = staff_client.get(LIST)
    second = staff_client.get(LIST, {"page": 2})
    assert len(first.context["page"]) == 25 and len(second.context["page"]) == 5
