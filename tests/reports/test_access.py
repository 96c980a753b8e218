"""Only admin staff with permission to view agreements reach the reports."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from reports.definitions import REPORTS
from tests.factories import PartnerUserFactory, ReadOnlyStaffFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db

URLS = [
    reverse("reports:index"),
    *[reverse("reports:report", args=[slug]) for slug in REPORTS],
    *[reverse("reports:print", args=[slug]) for slug in REPORTS],
    *[reverse("reports:download", args=[slug, fmt]) for slug in REPORTS for fmt in ("csv", "xlsx")],
]


@pytest.mark.parametrize("url", URLS)
def test_anonymous_visitors_are_sent_to_the_admin_login(client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


@pytest.mark.parametrize("make_user", [PartnerUserFactory, StaffFactory, ReadOnlyStaffFactory, UserFactory])
def test_partner_users_and_non_admin_staff_cannot_reach_any_report(client, make_user):
    client.force_login(make_user())
    for url in URLS:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("admin:login"))


def test_admin_staff_without_permission_to_view_agreements_get_404(client):
    user = UserFactory(is_staff=True)
    client.force_login(user)
    for url in URLS:
        assert client.get(url).status_code == 404, url
    user.user_permissions.add(Permission.objects.get(codename="view_agreement"))
    client.force_login(user)
    assert client.get(reverse("reports:report", args=["commitments"])).status_code == 200


def test_admin_index_links_to_the_reports(admin_client):
    html = admin_client.get(reverse("admin:index")).content.decode()
    assert reverse("reports:index") in html
    for slug in REPORTS:
        assert reverse("reports:report", args=[slug]) in html
