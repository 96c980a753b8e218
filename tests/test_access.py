"""Who sees what: staff see everything, a partner user only their own partner."""

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, ContactFactory, PartnerUserFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_partners():
    mine = AgreementFactory(title_ar="اتفاقية الكلية")
    theirs = AgreementFactory(title_ar="اتفاقية جهة أخرى")
    ContactFactory(partner=mine.partner, name_ar="ممثل الكلية")
    ContactFactory(partner=theirs.partner, name_ar="ممثل الجهة الأخرى")
    user = PartnerUserFactory(partner=mine.partner)
    return user, mine, theirs


def pages(mine, theirs):
    """Every page of this issue, with whether it shows the other partner's data."""
    return {
        "own": [
            reverse("home"),
            reverse("agreements:list"),
            reverse("agreements:detail", args=[mine.reference]),
            reverse("partners:list"),
            reverse("partners:detail", args=[mine.partner.pk]),
        ],
        "other": [
            reverse("agreements:detail", args=[theirs.reference]),
            reverse("partners:detail", args=[theirs.partner.pk]),
        ],
    }


def test_partner_user_sees_own_data_and_nothing_of_another_partner(client, two_partners):
    user, mine, theirs = two_partners
    client.force_login(user)
    urls = pages(mine, theirs)
    for url in urls["own"]:
        response = client.get(url)
        assert response.status_code == 200, url
        body = response.content.decode()
        assert theirs.partner.name_ar not in body, url
        assert theirs.title_ar not in body, url
        assert theirs.reference not in body, url
        assert "ممثل الجهة الأخرى" not in body, url
    assert mine.title_ar in client.get(reverse("agreements:list")).content.decode()


def test_partner_user_gets_404_for_another_partners_pages(client, two_partners):
    user, mine, theirs = two_partners
    client.force_login(user)
    for url in pages(mine, theirs)["other"]:
        assert client.get(url).status_code == 404, url


def test_partner_user_filtering_by_another_partner_shows_nothing(client, two_partners):
    user, _mine, theirs = two_partners
    client.force_login(user)
    body = client.get(reverse("agreements:list"), {"partner": theirs.partner.pk}).content.decode()
    assert theirs.title_ar not in body


@pytest.mark.parametrize("role", ["staff_user", "readonly_user", "admin_user"])
def test_charity_staff_see_every_partner(client, two_partners, role, request):
    _user, mine, theirs = two_partners
    client.force_login(request.getfixturevalue(role))
    for url in pages(mine, theirs)["own"] + pages(mine, theirs)["other"]:
        assert client.get(url).status_code == 200, url
    body = client.get(reverse("agreements:list")).content.decode()
    assert mine.title_ar in body and theirs.title_ar in body


def test_user_without_a_role_sees_no_agreement(client, two_partners):
    _user, mine, theirs = two_partners
    client.force_login(UserFactory())
    assert client.get(reverse("agreements:detail", args=[mine.reference])).status_code == 404
    body = client.get(reverse("agreements:list")).content.decode()
    assert mine.title_ar not in body and theirs.title_ar not in body


def test_anonymous_visitors_are_sent_to_login(client, two_partners):
    _user, mine, theirs = two_partners
    for url in pages(mine, theirs)["own"]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("accounts:login"))


def test_partner_user_cannot_reach_django_admin(client, two_partners):
    user, _mine, _theirs = two_partners
    client.force_login(user)
    response = client.get(reverse("admin:index"))
    assert response.status_code == 302
    assert "login" in response["Location"]


def test_database_refuses_a_partner_user_with_admin_access(two_partners):
    from django.db import IntegrityError, transaction

    user, _mine, _theirs = two_partners
    user.is_staff = True
    with pytest.raises(IntegrityError), transaction.atomic():
        user.save()
