"""Who sees what: staff see everything; a partner user only their partner, in the portal."""

import pytest
from django.urls import reverse

from tests.factories import AgreementFactory, ContactFactory, PartnerUserFactory, UserFactory, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_partners():
    mine = set_status(AgreementFactory(title_ar="اتفاقية الكلية"), "active")
    theirs = set_status(AgreementFactory(title_ar="اتفاقية جهة أخرى"), "active")
    ContactFactory(partner=mine.partner, name_ar="ممثل الكلية")
    ContactFactory(partner=theirs.partner, name_ar="ممثل الجهة الأخرى")
    user = PartnerUserFactory(partner=mine.partner)
    return user, mine, theirs


def staff_pages(mine, theirs):
    return [
        reverse("agreements:list"),
        reverse("agreements:detail", args=[mine.reference]),
        reverse("agreements:detail", args=[theirs.reference]),
        reverse("partners:list"),
        reverse("partners:detail", args=[mine.partner.pk]),
        reverse("partners:detail", args=[theirs.partner.pk]),
        reverse("board_reports:list"),
    ]


def test_partner_users_are_taken_to_the_portal(client, two_partners):
    user, mine, theirs = two_partners
    client.force_login(user)
    response = client.get(reverse("home"))
    assert response["Location"] == reverse("portal:home")
    body = client.get(reverse("portal:home")).content.decode()
    assert mine.title_ar in body
    assert theirs.title_ar not in body and theirs.partner.name_ar not in body
    assert 'data-testid="portal-menu"' in body and 'data-testid="staff-menu"' not in body


def test_partner_users_get_404_on_every_staff_page(client, two_partners):
    user, mine, theirs = two_partners
    client.force_login(user)
    for url in staff_pages(mine, theirs):
        assert client.get(url).status_code == 404, url


def test_partner_user_gets_404_for_another_partners_portal_pages(client, two_partners):
    user, _mine, theirs = two_partners
    client.force_login(user)
    assert client.get(reverse("portal:agreement", args=[theirs.reference])).status_code == 404


@pytest.mark.parametrize("role", ["staff_user", "readonly_user", "admin_user"])
def test_charity_staff_see_every_partner(client, two_partners, role, request):
    _user, mine, theirs = two_partners
    client.force_login(request.getfixturevalue(role))
    for url in staff_pages(mine, theirs):
        assert client.get(url).status_code == 200, url
    body = client.get(reverse("agreements:list")).content.decode()
    assert mine.title_ar in body and theirs.title_ar in body
    assert client.get(reverse("portal:home")).status_code == 404  # the portal is for partners


def test_user_without_a_role_sees_nothing(client, two_partners):
    _user, mine, _theirs = two_partners
    client.force_login(UserFactory())
    assert client.get(reverse("agreements:detail", args=[mine.reference])).status_code == 404
    assert client.get(reverse("agreements:list")).status_code == 404
    assert client.get(reverse("portal:home")).status_code == 404


def test_anonymous_visitors_are_sent_to_login(client, two_partners):
    _user, mine, theirs = two_partners
    for url in [*staff_pages(mine, theirs), reverse("portal:home")]:
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
