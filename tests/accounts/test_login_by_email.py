"""Login by username or e-mail address, in any case; both unique in any case; lockout per account."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse
from freezegun import freeze_time

from accounts.models import User
from accounts.two_factor import authenticator_setup_confirm, authenticator_setup_start
from tests.accounts.test_two_factor import code_now
from tests.factories import PASSWORD, PartnerUserFactory, StaffFactory

pytestmark = pytest.mark.django_db


def login(client, typed: str, password: str = PASSWORD):
    return client.post(reverse("accounts:login"), {"username": typed, "password": password})


def logged_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


@pytest.mark.parametrize("typed", ["Ahmed@Example.COM", "ahmed@example.com", "  ahmed@EXAMPLE.com ", "ahmed", "AHMED"])
def test_the_username_or_the_e_mail_in_any_case_logs_in(client, typed):
    user = PartnerUserFactory(username="ahmed", email="ahmed@example.com")
    response = login(client, typed)
    assert response.status_code == 302, typed
    assert logged_in_as(client) == user.pk


def test_a_wrong_password_by_e_mail_is_refused_in_arabic(client):
    PartnerUserFactory(username="ahmed", email="ahmed@example.com")
    response = login(client, "AHMED@example.com", "wrong-password")
    assert response.status_code == 200 and logged_in_as(client) is None
    assert "لا يطابق أي حساب" in response.content.decode()


def test_a_deactivated_account_cannot_log_in_by_e_mail(client):
    PartnerUserFactory(username="ahmed", email="ahmed@example.com", is_active=False)
    login(client, "Ahmed@Example.com")
    assert logged_in_as(client) is None


def test_the_username_wins_when_it_is_another_accounts_e_mail(client):
    """One account's username may be the e-mail of another (old usernames were e-mails)."""
    first = PartnerUserFactory(username="shared@example.com", email="first@example.com")
    PartnerUserFactory(username="second", email="other@example.com")
    login(client, "SHARED@example.com")
    assert logged_in_as(client) == first.pk


def test_the_login_page_says_it_accepts_either(client):
    html = client.get(reverse("accounts:login")).content.decode()
    assert "اسم المستخدم أو البريد الإلكتروني" in html


@pytest.mark.parametrize(
    ("field", "first", "second"), [("username", "ahmed", "AHMED"), ("email", "a@x.org", "A@X.ORG")]
)
def test_usernames_and_e_mails_are_unique_in_any_case(field, first, second):
    PartnerUserFactory(**{field: first})
    duplicate = PartnerUserFactory.build(**{field: second})
    with pytest.raises(ValidationError):
        duplicate.full_clean(exclude=["password", "partner"])
    with pytest.raises(IntegrityError), transaction.atomic():
        PartnerUserFactory(**{field: second})


def test_many_users_without_an_e_mail_are_allowed():
    StaffFactory(email="")
    StaffFactory(email="")
    assert User.objects.filter(email="").count() == 2


def test_failures_in_every_spelling_count_toward_one_lockout(client, settings):
    """Typing the e-mail in another case, or the username, does not buy more guesses."""
    PartnerUserFactory(username="ahmed", email="ahmed@example.com")
    spellings = ["ahmed@example.com", "Ahmed@Example.com", "AHMED@EXAMPLE.COM", "ahmed", "Ahmed", "aHmEd@example.com"]
    for typed in spellings[: settings.AXES_FAILURE_LIMIT]:
        login(client, typed, "wrong-password")
    locked = login(client, "AHMED@example.COM")  # the right password, too late
    assert locked.status_code == 429
    assert logged_in_as(client) is None


def test_staff_logging_in_by_e_mail_still_give_the_two_factor_code(client):
    with freeze_time("2026-11-29 09:00:05", tick=False) as clock:
        user = StaffFactory(username="noura", email="noura@charity.example")
        device = authenticator_setup_start(user=user)
        authenticator_setup_confirm(device=device, code=code_now(device))
        clock.tick(30)
        response = login(client, "Noura@Charity.Example")
        assert response["Location"] == reverse("accounts:login_code")
        assert logged_in_as(client) is None
        response = client.post(reverse("accounts:login_code"), {"code": code_now(device)})
        assert response.status_code == 302 and logged_in_as(client) == user.pk
