"""Password reset: the link comes from SITE_URL, never the request's Host header, and requests
are limited per e-mail address and per client address without telling who has an account."""

from __future__ import annotations

import uuid

import pytest
from django.core import mail
from django.urls import reverse

from tests.factories import StaffFactory

pytestmark = pytest.mark.django_db


def ask(client, email: str, ip: str, **headers):
    return client.post(reverse("accounts:password_reset"), {"email": email}, REMOTE_ADDR=ip, **headers)


def fresh_ip() -> str:
    """A client address of this test alone: the counters live in the shared cache."""
    value = uuid.uuid4().int
    return f"10.{value % 250}.{value // 250 % 250}.{value // 62500 % 250 + 1}"


def test_the_link_is_built_from_site_url_not_from_the_host_header(client, settings):
    settings.SITE_URL = "https://portal.qatif-charity.example"
    settings.ALLOWED_HOSTS = ["portal.qatif-charity.example", "127.0.0.1"]
    user = StaffFactory(email=f"{uuid.uuid4().hex[:8]}@charity.example")
    response = ask(client, user.email, fresh_ip(), HTTP_HOST="127.0.0.1:9999")
    assert response.status_code == 302
    (message,) = mail.outbox
    assert "https://portal.qatif-charity.example/accounts/password-reset/" in message.body
    assert "9999" not in message.body and "127.0.0.1" not in message.body
    # The link works for its recipient.
    link = next(w for w in message.body.split() if "/password-reset/" in w)
    opened = client.get(
        link.removeprefix("https://portal.qatif-charity.example"),
        follow=True,
        secure=True,
        HTTP_HOST="portal.qatif-charity.example",
    )
    assert opened.status_code == 200 and "new_password1" in opened.content.decode()


def test_one_address_gets_at_most_its_limit_of_emails_and_the_page_never_says(client, settings):
    settings.PASSWORD_RESET_PER_EMAIL = 3
    user = StaffFactory(email=f"{uuid.uuid4().hex[:8]}@charity.example")
    answers = [ask(client, user.email, fresh_ip()) for _ in range(5)]
    assert len(mail.outbox) == 3
    assert {a.status_code for a in answers} == {302}
    assert {a["Location"] for a in answers} == {reverse("accounts:password_reset_done")}


def test_one_client_address_is_stopped_after_its_limit_and_others_are_not(client, settings):
    settings.PASSWORD_RESET_PER_IP = 4
    ip = fresh_ip()
    answers = [ask(client, f"{n}-{uuid.uuid4().hex[:6]}@nowhere.example", ip) for n in range(5)]
    assert [a.status_code for a in answers] == [302, 302, 302, 302, 429]
    assert "طلبات كثيرة لإعادة تعيين كلمة المرور" in answers[-1].content.decode()
    assert ask(client, "someone@nowhere.example", fresh_ip()).status_code == 302
