"""Refusals at login and on the two-factor page that once failed or said nothing
(found by the fuzz tests in tests/fuzz/)."""

from __future__ import annotations

import pytest
from axes.models import AccessAttempt
from django.contrib.messages import get_messages
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice

from tests.factories import PASSWORD, StaffFactory

pytestmark = pytest.mark.django_db


def test_an_overlong_username_is_refused_with_the_login_message(client):
    # Longer than any username (150) and than django-axes' record of failures (255).
    response = client.post(reverse("accounts:login"), {"username": "ا" * 256, "password": PASSWORD})
    assert response.status_code == 200
    assert "لا يطابق أي حساب" in response.content.decode()
    assert "_auth_user_id" not in client.session
    assert not AccessAttempt.objects.exists()


def test_a_username_of_the_longest_allowed_length_still_logs_in(client):
    user = StaffFactory(username="u" * 150)
    response = client.post(reverse("accounts:login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    assert int(client.session["_auth_user_id"]) == user.pk


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("accounts:two_factor_backup_codes", {"renew-code": "123456"}),
        ("accounts:two_factor_off", {"disable-code": "123456", "disable-password": PASSWORD}),
    ],
)
def test_backup_codes_and_switching_off_say_so_when_two_factor_is_off(client, name, data):
    user = StaffFactory()
    client.force_login(user)
    response = client.post(reverse(name), data)
    assert response.status_code == 302
    assert response["Location"] == reverse("accounts:two_factor")
    assert [str(m) for m in get_messages(response.wsgi_request)] == ["التحقق بخطوتين غير مفعّل في حسابك."]
    assert not StaticDevice.objects.filter(user=user).exists()
