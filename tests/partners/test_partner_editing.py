import pytest
from django.urls import reverse

from partners.models import Contact, Partner
from tests.factories import PartnerFactory

pytestmark = pytest.mark.django_db
CREATE = reverse("partners:create")


def partner_post(**overrides):
    data = {
        "name_ar": "جمعية جديدة",
        "name_en": "New association",
        "sector": "non_profit",
        "kind": "association",
        "city": "القطيف",
        "is_active": "on",
        "contacts-TOTAL_FORMS": "1",
        "contacts-INITIAL_FORMS": "0",
        "contacts-MIN_NUM_FORMS": "0",
        "contacts-MAX_NUM_FORMS": "1000",
        "contacts-0-name_ar": "سعيد",
        "contacts-0-email": "saeed@example.org",
        "contacts-0-can_sign": "on",
        "contacts-0-is_active": "on",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_staff_create_a_partner_with_a_signing_contact(staff_client):
    response = staff_client.post(CREATE, partner_post())
    partner = Partner.objects.get(name_ar="جمعية جديدة")
    assert response["Location"] == reverse("partners:detail", args=[partner.pk])
    assert Contact.objects.get(partner=partner).can_sign


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"contacts-0-email": ""}, "يحتاج المفوَّض بالتوقيع إلى بريد إلكتروني"),
        ({"name_ar": "جمعية \u202eمعكوسة"}, "رموز اتجاه النص"),
        ({"contacts-0-name_ar": "\u2066سعيد\u2069"}, "رموز اتجاه النص"),
        ({"phone": "call me"}, "أدخل رقم هاتف"),
        ({"sector": "galactic"}, "انتق خياراً صحيحاً"),
    ],
)
def test_bad_partner_input_is_refused_and_nothing_saved(staff_client, overrides, message):
    response = staff_client.post(CREATE, partner_post(**overrides))
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not Partner.objects.filter(name_ar__startswith="جمعية").exists()
    assert not Contact.objects.exists()


def test_duplicate_partner_name_is_refused(staff_client):
    PartnerFactory(name_ar="جمعية جديدة")
    response = staff_client.post(CREATE, partner_post())
    assert response.status_code == 200
    assert Partner.objects.filter(name_ar="جمعية جديدة").count() == 1


def test_read_only_staff_and_partner_users_cannot_edit_partners(client, readonly_user):
    partner = PartnerFactory()
    client.force_login(readonly_user)
    assert client.get(reverse("partners:edit", args=[partner.pk])).status_code == 403
    from tests.factories import PartnerUserFactory

    client.force_login(PartnerUserFactory(partner=partner))
    assert client.get(reverse("partners:edit", args=[partner.pk])).status_code == 404
