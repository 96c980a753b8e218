"""Pages kept per viewer (qatif_partnerships/page_cache.py): served again only while nothing changed.

These tests commit for real (transactional database), as the web process does: a change is
made the way the portal's code makes them (save, queryset update, raw SQL, group change) and
the very next page view must show it.
"""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group
from django.db import connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from accounts.models import User
from agreements.models import Agreement
from partners.models import CharityProfile
from qatif_partnerships.page_cache import data_version, writes_pending
from tests.factories import AgreementFactory, StaffFactory

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _page_cache_on(settings):
    settings.PAGE_CACHE_SECONDS = 60
    CharityProfile.load()


def logged_in(user: User, **kwargs) -> Client:
    client = Client(**kwargs)
    client.force_login(user)
    # The first page sets the CSRF cookie; only a browser that has one gets stored pages.
    client.get(reverse("home"))
    return client


def queries_of(client: Client, url: str):
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url)
    assert response.status_code == 200
    return response, len(ctx.captured_queries)


def test_a_page_is_served_again_without_queries_until_the_data_changes():
    staff = StaffFactory()
    agreement = AgreementFactory(owner=staff, title_ar="العنوان الأول")
    client = logged_in(staff)
    url = reverse("agreements:detail", args=[agreement.reference])

    first, made = queries_of(client, url)
    again, served = queries_of(client, url)
    assert made > 3 and served == 0
    assert again.content == first.content

    agreement.title_ar = "العنوان بعد الحفظ"
    agreement.save()
    assert "العنوان بعد الحفظ" in client.get(url).content.decode()

    Agreement.objects.filter(pk=agreement.pk).update(title_ar="العنوان بعد التحديث")
    assert "العنوان بعد التحديث" in client.get(url).content.decode()

    with connection.cursor() as cursor:
        cursor.execute("UPDATE agreements_agreement SET title_ar = %s WHERE id = %s", ["العنوان من SQL", agreement.pk])
    assert "العنوان من SQL" in client.get(url).content.decode()

    # Data shown on the page but stored elsewhere: the partner's name.
    agreement.partner.name_ar = "جمعية باسم جديد"
    agreement.partner.save()
    assert "جمعية باسم جديد" in client.get(url).content.decode()


def test_a_transaction_bumps_the_version_once_when_it_commits_and_never_when_it_rolls_back():
    agreement = AgreementFactory()
    before = data_version()
    with transaction.atomic():
        agreement.title_ar = "أثناء المعاملة"
        agreement.save()
        Agreement.objects.filter(pk=agreement.pk).update(summary_ar="ملخص")
        # Readers inside the transaction would see uncommitted rows: they bypass stored pages.
        assert writes_pending()
        assert data_version() == before
    assert not writes_pending()
    assert data_version() == before + 1

    with pytest.raises(RuntimeError), transaction.atomic():
        Agreement.objects.filter(pk=agreement.pk).update(summary_ar="لن يبقى")
        raise RuntimeError
    assert data_version() == before + 1


def test_pages_are_never_shared_between_viewers_and_their_forms_still_work():
    amal = StaffFactory(first_name="أمل", last_name="الناصر")
    huda = StaffFactory(first_name="هدى", last_name="السيهاتي")
    url = reverse("agreements:list")
    amal_1 = logged_in(amal, enforce_csrf_checks=True)
    amal_2 = logged_in(amal, enforce_csrf_checks=True)
    huda_1 = logged_in(huda, enforce_csrf_checks=True)
    for client in (amal_1, amal_2, huda_1):
        client.get(url)  # stored for this browser
    assert "هدى" not in amal_1.get(url).content.decode()
    assert "أمل" not in huda_1.get(url).content.decode()

    # The CSRF token in a stored page belongs to the browser it was stored for, and to the
    # CSRF cookie it has now (a browser that lost the cookie gets a new secret, same session).
    amal_2.cookies["csrftoken"] = "n" * 32
    amal_2.get(url)
    for client in (amal_1, amal_2):
        page, served = queries_of(client, url)
        assert served == 0
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
        switched = client.post(reverse("set_language"), {"language": "en", "next": url, "csrfmiddlewaretoken": token})
        assert switched.status_code == 302
        # The language is part of the key: the English page is not the stored Arabic one.
        assert 'lang="en"' in client.get(url).content.decode()


def test_a_message_waiting_to_be_shown_is_shown_once_and_not_kept():
    staff = StaffFactory()
    agreement = AgreementFactory(owner=staff)
    client = logged_in(staff)
    url = reverse("agreements:detail", args=[agreement.reference])
    client.get(url)
    client.get(url)  # stored
    # A draft's PDF cannot be retried: the view says so and redirects to the agreement page.
    response = client.post(reverse("agreements:pdf_retry", args=[agreement.reference]), follow=True)
    assert "Only a failed PDF can be made again." not in response.content.decode()  # shown in Arabic
    assert response.content.decode().count('role="alert"') == 1
    assert client.get(url).content.decode().count('role="alert"') == 0


def test_losing_the_staff_role_or_the_account_takes_effect_on_the_next_page():
    staff = StaffFactory()
    client = logged_in(staff)
    url = reverse("agreements:list")
    client.get(url)
    assert queries_of(client, url)[1] == 0

    staff.groups.remove(*Group.objects.all())
    assert client.get(url).status_code == 404

    other = StaffFactory()
    client = logged_in(other)
    client.get(url)
    User.objects.filter(pk=other.pk).update(is_active=False)
    response = client.get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_with_the_cache_turned_off_every_view_makes_its_page(settings):
    settings.PAGE_CACHE_SECONDS = 0
    staff = StaffFactory()
    client = logged_in(staff)
    url = reverse("agreements:list")
    client.get(url)
    assert queries_of(client, url)[1] > 0
