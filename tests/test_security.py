"""Security settings: deploy checks, Content-Security-Policy on every page, login lockout."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse

from tests.factories import AgreementFactory, PartnerUserFactory, StaffFactory, set_status
from tests.portal.test_isolation_matrix import OBJECT_ARGS, build_partner, url_names

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent
# A script element that runs without a src. A data block (`json_script`, type="application/json")
# is not run, and the CSP's script-src does not apply to it: the charts read their figures so.
INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bsrc=)(?![^>]*\btype=\"application/json\")[^>]*>", re.IGNORECASE)


def test_deploy_checks_pass_with_production_settings():
    # The browser tests set DJANGO_ALLOW_ASYNC_UNSAFE in this process; production never does.
    env = {
        **{k: v for k, v in os.environ.items() if k != "DJANGO_ALLOW_ASYNC_UNSAFE"},
        "DEBUG": "false",
        "SECRET_KEY": "p" * 30 + "r0duct10n-k3y-" + "q" * 30,
        "SITE_URL": "https://portal.qatif-charity.example",
        "REDIS_URL": "redis://127.0.0.1:6379/0",
        "CELERY_BROKER_URL": "",
        "EMAIL_BACKEND": "",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_every_page_has_a_csp_without_inline_scripts(client, staff_user):
    world = build_partner("أ", staff_user)
    pages = []
    for name in url_names():
        args = OBJECT_ARGS[name](world) if name in OBJECT_ARGS else []
        pages.append(reverse(name, args=args))
    for user in (None, staff_user, world.user):
        client.logout()
        if user is not None:
            client.force_login(user)
        for url in pages:
            response = client.get(url)
            if url in ("/healthz", "/readyz"):
                # Probes' JSON, answered ahead of every middleware (qatif_partnerships.health).
                assert response["Content-Type"] == "application/json"
                continue
            policy = response.get("Content-Security-Policy", "")
            assert policy, url
            script_src = re.search(r"script-src ([^;]+)", policy).group(1)
            assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
            if response.get("Content-Type", "").startswith("text/html") and not getattr(response, "streaming", False):
                assert not INLINE_SCRIPT.search(response.content.decode()), f"inline <script> on {url}"


def test_admin_pages_carry_the_policy_too(client, admin_user):
    client.force_login(admin_user)
    set_status(AgreementFactory(), "active")
    for url in ("/admin/", "/admin/agreements/agreement/", "/admin/partners/partner/"):
        response = client.get(url)
        assert "script-src 'self'" in response["Content-Security-Policy"]
        assert not INLINE_SCRIPT.search(response.content.decode()), url


def test_login_is_locked_after_five_failures_even_with_the_right_password(client, settings):
    user = PartnerUserFactory(username="locked@example.org")
    user.set_password("Right-Password-1")
    user.save()
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
        assert response.status_code == 200
    last_try = client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    assert last_try.status_code == 429
    locked = client.post(reverse("accounts:login"), {"username": user.username, "password": "Right-Password-1"})
    assert locked.status_code == 429
    assert "يُقفل تسجيل الدخول" in locked.content.decode()
    # Another account from the same address is not affected.
    other = PartnerUserFactory(username="other@example.org")
    other.set_password("Right-Password-2")
    other.save()
    ok = client.post(reverse("accounts:login"), {"username": other.username, "password": "Right-Password-2"})
    assert ok.status_code == 302


def test_a_lockout_behind_the_proxy_locks_the_client_address_not_the_username(client, settings):
    """Behind one proxy every request comes from the proxy's address; the client's is in
    X-Forwarded-For. Five wrong passwords from address A lock A out, while the same user logs
    in from address B, and axes records A and B, never the proxy."""
    from axes.models import AccessAttempt, AccessLog

    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.2"}
    from_a = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7"}
    # A client may write its own X-Forwarded-For: only the proxy's last entry counts.
    from_b = {**proxy, "HTTP_X_FORWARDED_FOR": "198.51.100.7, 203.0.113.9"}
    user = PartnerUserFactory(username="shared@example.org")
    user.set_password("Right-Password-1")
    user.save()
    login = reverse("accounts:login")
    statuses = [
        client.post(login, {"username": user.username, "password": "wrong"}, **from_a).status_code
        for _ in range(settings.AXES_FAILURE_LIMIT)
    ]
    assert statuses == [200] * (settings.AXES_FAILURE_LIMIT - 1) + [429]
    locked = client.post(login, {"username": user.username, "password": "Right-Password-1"}, **from_a)
    assert locked.status_code == 429
    elsewhere = client.post(login, {"username": user.username, "password": "Right-Password-1"}, **from_b)
    assert elsewhere.status_code == 302
    # One row: A's failures (the refused right password among them), under A's address.
    attempt = AccessAttempt.objects.get()
    assert attempt.ip_address == "198.51.100.7" and attempt.failures_since_start > settings.AXES_FAILURE_LIMIT
    assert list(AccessLog.objects.values_list("ip_address", flat=True)) == ["203.0.113.9"]


@pytest.mark.parametrize(
    "path",
    [
        "/agreements/QC%002026/",
        "/agreements/%00/recall/",
        "/sign/%00/",
        "/verify/%00abc/",
        "/accounts/invitation/%00/",
        "/calendar/%00.ics",
        "/reminders/agreements/%00/",
    ],
)
def test_a_nul_in_the_address_is_a_404_page_not_a_server_error(client, path):
    """Found by the fuzz tests: PostgreSQL refuses NUL in a string, so looking the reference up failed."""
    client.force_login(StaffFactory())
    for method in (client.get, client.post):
        response = method(path)
        assert response.status_code == 404
        assert "الصفحة غير موجودة" in response.content.decode()


def test_logged_in_pages_are_kept_by_no_cache_and_public_pages_are_left_alone(client, staff_user):
    from reminders.calendar import feed_issue

    # A calendar application polls its feed without a login: it may keep it five minutes.
    feed = feed_issue(staff_user).removeprefix(settings.SITE_URL)
    assert client.get(feed)["Cache-Control"] == "private, max-age=300"
    client.force_login(staff_user)
    agreement = AgreementFactory()
    for path in (reverse("home"), "/agreements/", reverse("agreements:detail", args=[agreement.reference])):
        response = client.get(path)
        cache_control = response.get("Cache-Control", "")
        assert "no-store" in cache_control and "private" in cache_control, (path, response.status_code)


def test_a_form_sent_from_a_stale_page_gets_the_portals_own_page_in_both_languages(staff_user):
    from django.test import Client

    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff_user)
    response = browser.post(reverse("agreements:create"), {"title_ar": "x"})  # no CSRF token: a stale form
    page = response.content.decode()
    assert response.status_code == 403
    assert 'data-testid="csrf-failure"' in page
    assert "انتهت صلاحية الصفحة" in page and "The page has expired" in page
    assert "DEBUG" not in page and "CSRF" not in page and "Referer" not in page
    assert page.index("انتهت صلاحية الصفحة") < page.index("The page has expired")  # Arabic first
