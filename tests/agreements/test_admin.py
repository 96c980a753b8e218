"""Django admin goes through the same lifecycle and locking rules as the portal."""

import datetime

import pytest
from django.urls import reverse

from agreements.models import Agreement, AgreementStatus
from tests.factories import AgreementFactory, agreement_with_clauses, set_status

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client_logged(client, admin_user):
    client.force_login(admin_user)
    return client


def test_locked_agreement_is_read_only_in_admin(admin_client_logged):
    agreement = set_status(agreement_with_clauses(clauses=1), AgreementStatus.ACTIVE)
    url = reverse("admin:agreements_agreement_change", args=[agreement.pk])
    page = admin_client_logged.get(url)
    assert page.status_code == 200
    assert b'name="title_ar"' not in page.content  # shown, not editable
    response = admin_client_logged.post(url, {"title_ar": "تغيير من لوحة الإدارة"})
    assert response.status_code == 403
    agreement.refresh_from_db()
    assert agreement.title_ar != "تغيير من لوحة الإدارة"


def test_draft_is_editable_in_admin(admin_client_logged):
    agreement = AgreementFactory()
    page = admin_client_logged.get(reverse("admin:agreements_agreement_change", args=[agreement.pk]))
    assert b'name="title_ar"' in page.content
    assert b'name="status"' not in page.content  # status moves only through actions


def test_admin_action_expires_only_agreements_past_their_end(admin_client_logged):
    past = set_status(
        AgreementFactory(starts_on=datetime.date(2020, 1, 1), ends_on=datetime.date(2021, 1, 1)), "active"
    )
    running = set_status(AgreementFactory(ends_on=datetime.date(2099, 1, 1)), "active")
    response = admin_client_logged.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": "expire_agreements", "_selected_action": [past.pk, running.pk]},
        follow=True,
    )
    assert Agreement.objects.get(pk=past.pk).status == AgreementStatus.EXPIRED
    assert Agreement.objects.get(pk=running.pk).status == AgreementStatus.ACTIVE
    assert "لم تبلغ الاتفاقية تاريخ انتهائها بعد" in response.content.decode()


def test_admin_search_ignores_hamza(admin_client_logged):
    AgreementFactory(title_ar="اتفاقية تأهيل الأسر")
    response = admin_client_logged.get(reverse("admin:agreements_agreement_changelist"), {"q": "الاسر"})
    assert "اتفاقية تأهيل الأسر" in response.content.decode()


@pytest.mark.parametrize("selected", [[""], ["abc"], ["1", "x"], ["9" * 30]])
def test_admin_action_on_a_made_up_selection_is_refused_with_a_message(admin_client_logged, selected):
    """Found by the fuzz tests: a non-numeric id reached the query and failed with a 500."""
    agreement = AgreementFactory()
    response = admin_client_logged.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": "recall_agreements", "_selected_action": selected},
        follow=True,
    )
    assert response.status_code == 200
    assert "لم تُفهم الاتفاقيات المحددة" in response.content.decode()
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


def test_admin_action_on_rows_that_are_gone_says_so(admin_client_logged):
    """Found by the fuzz tests: an action over no existing row redirected without a word."""
    response = admin_client_logged.post(
        reverse("admin:agreements_agreement_changelist"),
        {"action": "expire_agreements", "_selected_action": ["987654"]},
        follow=True,
    )
    assert "لم يُعثر على أي من الاتفاقيات المحددة" in response.content.decode()
