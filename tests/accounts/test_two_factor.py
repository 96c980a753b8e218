"""Two-factor login (django-otp): enrolment, the code step at login, backup codes, turning it
off, the lockout, and the gate in front of Django admin.

Time is frozen (freezegun) so a code can be computed like the phone would; `clock.tick(30)`
moves to the next 30-second step, since an authenticator's code is accepted only once.
"""

from __future__ import annotations

import datetime
import os
import re
import subprocess
import sys
from base64 import b32decode
from pathlib import Path

import pytest
from axes.models import AccessAttempt
from django.core.exceptions import ValidationError
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from freezegun import freeze_time

from accounts.two_factor import (
    BACKUP_CODE_COUNT,
    authenticator_setup_confirm,
    authenticator_setup_start,
    has_two_factor,
)
from tests.factories import PASSWORD, AdminFactory, PartnerUserFactory, StaffFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parent.parent.parent
WRONG_CODE_AR = "الرمز غير صحيح"
THROTTLED_AR = "أُدخلت رموز خاطئة مرات كثيرة"


@pytest.fixture
def clock():
    with freeze_time("2026-11-29 09:00:05", tick=False) as frozen:
        yield frozen


def code_now(device: TOTPDevice) -> str:
    """The code the phone shows at the (frozen) current time."""
    device.refresh_from_db()
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def wrong_code(device: TOTPDevice) -> str:
    """Six digits, but not what the phone shows now (nor in the steps either side)."""
    device.refresh_from_db()
    near = {
        f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits, drift=drift):06d}"
        for drift in (-1, 0, 1)
    }
    return next(code for code in ("000000", "111111", "222222", "333333") if code not in near)


def enrol(user) -> tuple[TOTPDevice, list[str]]:
    """Turn two-factor on through the services, as the setup page does."""
    device = authenticator_setup_start(user=user)
    codes = authenticator_setup_confirm(device=device, code=code_now(device))
    device.refresh_from_db()
    return device, codes


def password_step(client, user, next_url: str = ""):
    url = reverse("accounts:login") + (f"?next={next_url}" if next_url else "")
    return client.post(url, {"username": user.username, "password": PASSWORD})


def logged_in_as(client) -> int | None:
    value = client.session.get("_auth_user_id")
    return int(value) if value else None


def wait_out_throttling(user) -> None:
    """As if the user waited: django-otp's delay after a wrong code is over."""
    past = datetime.datetime.now(datetime.UTC) - datetime.timedelta(hours=1)
    TOTPDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)
    StaticDevice.objects.filter(user=user).update(throttling_failure_timestamp=past)


# --- Enrolment ---------------------------------------------------------------------------


def test_staff_turn_on_two_factor_with_a_code_from_the_new_authenticator(client, clock, settings):
    settings.OTP_TOTP_ISSUER = "Qatif Charity: tests"
    user = StaffFactory(username="noura")
    client.force_login(user)

    page = client.get(reverse("accounts:two_factor")).content.decode()
    assert 'data-enabled="no"' in page
    assert client.post(reverse("accounts:two_factor_start"))["Location"] == reverse("accounts:two_factor_setup")

    response = client.get(reverse("accounts:two_factor_setup"))
    html = response.content.decode()
    device = TOTPDevice.objects.get(user=user)
    assert not device.confirmed and not has_two_factor(user)
    # The QR code is an inline data: image (the CSP's img-src allows data:, scripts stay out).
    assert re.search(r'<img[^>]+src="data:image/svg\+xml', html)
    assert "img-src 'self' data:" in response["Content-Security-Policy"]
    # The key typed by hand is the device's secret; the app names the entry after the setting.
    secret = re.search(r'data-testid="totp-secret">([A-Z2-7 ]+)<', html).group(1)
    assert b32decode(secret.replace(" ", "")) == device.bin_key
    assert "issuer=Qatif%20Charity%20tests" in device.config_url
    assert device.config_url.startswith("otpauth://totp/Qatif%20Charity%20tests%3Anoura?")

    confirmed = client.post(reverse("accounts:two_factor_setup"), {"code": code_now(device)})
    assert confirmed["Location"] == reverse("accounts:two_factor_backup_codes")
    assert has_two_factor(user)
    # The session that enrolled has passed the second factor.
    assert client.session["otp_device_id"] == device.persistent_id

    shown = client.get(reverse("accounts:two_factor_backup_codes")).content.decode()
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", shown)
    assert len(codes) == BACKUP_CODE_COUNT
    assert sorted(codes) == sorted(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    # Shown once: the page is gone afterwards.
    assert client.get(reverse("accounts:two_factor_backup_codes"))["Location"] == reverse("accounts:two_factor")
    assert 'data-enabled="yes"' in client.get(reverse("accounts:two_factor")).content.decode()


def test_a_wrong_code_at_setup_leaves_two_factor_off(client, clock):
    user = StaffFactory()
    client.force_login(user)
    client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=user)
    response = client.post(reverse("accounts:two_factor_setup"), {"code": wrong_code(device)})
    assert response.status_code == 200
    assert WRONG_CODE_AR in response.content.decode()
    device.refresh_from_db()
    assert not device.confirmed and not has_two_factor(user)
    assert not StaticDevice.objects.filter(user=user).exists()
    assert "otp_device_id" not in client.session


def test_the_setup_form_sent_twice_is_refused_the_second_time(clock):
    user = StaffFactory()
    device = authenticator_setup_start(user=user)
    code = code_now(device)
    assert len(authenticator_setup_confirm(device=device, code=code)) == BACKUP_CODE_COUNT
    codes = set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True))
    with pytest.raises(ValidationError, match="لم يعد هذا الإعداد صالحًا"):
        authenticator_setup_confirm(device=device, code=code)
    # Nothing changed: still on, with the same backup codes.
    assert has_two_factor(user)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == codes


def test_starting_again_replaces_the_unconfirmed_secret(client):
    user = StaffFactory()
    client.force_login(user)
    client.post(reverse("accounts:two_factor_start"))
    first = TOTPDevice.objects.get(user=user).key
    client.post(reverse("accounts:two_factor_start"))
    assert list(TOTPDevice.objects.filter(user=user).values_list("key", flat=True)) != [first]
    assert TOTPDevice.objects.filter(user=user).count() == 1


@pytest.mark.parametrize("make_user", [StaffFactory, AdminFactory, lambda: UserFactory(is_staff=True)])
def test_staff_and_admins_are_offered_two_factor(client, make_user):
    client.force_login(make_user())
    assert client.get(reverse("accounts:two_factor")).status_code == 200
    assert 'data-testid="two-factor-link"' in client.get(reverse("accounts:two_factor")).content.decode()


def test_partner_users_are_not_offered_two_factor(client):
    user = PartnerUserFactory()
    client.force_login(user)
    for name in ("two_factor", "two_factor_start", "two_factor_setup", "two_factor_backup_codes", "two_factor_off"):
        assert client.get(reverse(f"accounts:{name}")).status_code == 404, name
        assert client.post(reverse(f"accounts:{name}")).status_code == 404, name
    assert 'data-testid="two-factor-link"' not in client.get(reverse("portal:home")).content.decode()
    assert not TOTPDevice.objects.filter(user=user).exists()


# --- Login -------------------------------------------------------------------------------


def test_without_a_device_the_password_alone_logs_in(client):
    user = StaffFactory()
    response = password_step(client, user)
    assert response["Location"] == reverse("home")
    assert logged_in_as(client) == user.pk


def test_with_a_device_the_password_leads_to_the_code_step_before_logging_in(client, clock):
    user = StaffFactory()
    device, _codes = enrol(user)
    clock.tick(30)

    response = password_step(client, user, next_url="/agreements/")
    assert response["Location"] == reverse("accounts:login_code")
    assert logged_in_as(client) is None
    assert client.get(reverse("agreements:list"))["Location"].startswith(reverse("accounts:login"))

    page = client.get(reverse("accounts:login_code"))
    assert page.status_code == 200
    html = page.content.decode()
    assert "أدخل رمز التحقق" in html and 'dir="rtl"' in html

    wrong = client.post(reverse("accounts:login_code"), {"code": wrong_code(device)})
    assert wrong.status_code == 200
    assert WRONG_CODE_AR in wrong.content.decode()
    assert logged_in_as(client) is None

    wait_out_throttling(user)
    right = client.post(reverse("accounts:login_code"), {"code": code_now(device)})
    assert right["Location"] == "/agreements/"
    assert logged_in_as(client) == user.pk
    assert client.session["otp_device_id"] == device.persistent_id
    assert client.get(reverse("agreements:list")).status_code == 200
    # A successful login clears the failures axes counted for this username.
    assert not AccessAttempt.objects.filter(username=user.username).exists()


def test_the_same_authenticator_code_does_not_work_twice(client, clock):
    user = StaffFactory()
    device, _codes = enrol(user)
    clock.tick(30)
    code = code_now(device)
    password_step(client, user)
    client.post(reverse("accounts:login_code"), {"code": code})
    assert logged_in_as(client) == user.pk

    client.logout()
    password_step(client, user)
    replay = client.post(reverse("accounts:login_code"), {"code": code})
    assert WRONG_CODE_AR in replay.content.decode()
    assert logged_in_as(client) is None


def test_a_backup_code_logs_in_once(client, clock):
    user = StaffFactory()
    _device, codes = enrol(user)
    password_step(client, user)
    # Typed in capitals with a space in the middle: still accepted.
    typed = f"{codes[0][:4].upper()} {codes[0][4:].upper()}"
    assert client.post(reverse("accounts:login_code"), {"code": typed})["Location"] == reverse("home")
    assert logged_in_as(client) == user.pk
    assert StaticToken.objects.filter(device__user=user).count() == BACKUP_CODE_COUNT - 1

    client.logout()
    password_step(client, user)
    again = client.post(reverse("accounts:login_code"), {"code": codes[0]})
    assert WRONG_CODE_AR in again.content.decode()
    assert logged_in_as(client) is None
    wait_out_throttling(user)
    client.post(reverse("accounts:login_code"), {"code": codes[1]})
    assert logged_in_as(client) == user.pk


def test_a_backup_code_made_only_of_digits_still_works(client, clock):
    user = StaffFactory()
    enrol(user)
    StaticToken.objects.filter(device__user=user).update(token="23456723")
    password_step(client, user)
    client.post(reverse("accounts:login_code"), {"code": "2345 6723"})
    assert logged_in_as(client) == user.pk


def test_repeated_wrong_codes_are_slowed_down_even_when_the_next_one_is_right(client, clock):
    user = StaffFactory()
    device, _codes = enrol(user)
    clock.tick(30)
    password_step(client, user)
    client.post(reverse("accounts:login_code"), {"code": wrong_code(device)})
    right_too_soon = client.post(reverse("accounts:login_code"), {"code": code_now(device)})
    assert THROTTLED_AR in right_too_soon.content.decode()
    assert logged_in_as(client) is None
    wait_out_throttling(user)
    client.post(reverse("accounts:login_code"), {"code": code_now(device)})
    assert logged_in_as(client) == user.pk


def test_wrong_codes_count_toward_the_login_lockout(client, clock, settings):
    user = StaffFactory()
    device, _codes = enrol(user)
    clock.tick(30)
    password_step(client, user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        response = client.post(reverse("accounts:login_code"), {"code": "99999999"})
        assert response.status_code == 200
    locked = client.post(reverse("accounts:login_code"), {"code": "99999999"})
    assert locked.status_code == 429
    assert "يُقفل تسجيل الدخول" in locked.content.decode()
    # The typed codes are masked in what axes records.
    assert "99999999" not in "".join(AccessAttempt.objects.values_list("post_data", flat=True))

    # The password has to be given again, and it is refused like after wrong passwords.
    assert client.get(reverse("accounts:login_code"))["Location"] == reverse("accounts:login")
    wait_out_throttling(user)
    again = password_step(client, user)
    assert again.status_code == 429
    assert logged_in_as(client) is None
    assert client.post(reverse("accounts:login_code"), {"code": code_now(device)}).status_code != 200
    assert logged_in_as(client) is None


def test_wrong_passwords_and_wrong_codes_add_up(client, clock, settings):
    user = StaffFactory()
    enrol(user)
    for _ in range(settings.AXES_FAILURE_LIMIT - 1):
        client.post(reverse("accounts:login"), {"username": user.username, "password": "wrong"})
    password_step(client, user)
    assert client.post(reverse("accounts:login_code"), {"code": "00000000"}).status_code == 429


def test_the_code_step_expires(client, clock):
    user = StaffFactory()
    device, _codes = enrol(user)
    password_step(client, user)
    clock.tick(301)
    response = client.post(reverse("accounts:login_code"), {"code": code_now(device)})
    assert response["Location"] == reverse("accounts:login")
    assert logged_in_as(client) is None
    assert "انتهت مهلة إدخال الرمز" in client.get(response["Location"]).content.decode()


def test_a_user_deactivated_between_the_steps_is_not_logged_in(client, clock):
    user = StaffFactory()
    device, _codes = enrol(user)
    clock.tick(30)
    password_step(client, user)
    type(user).objects.filter(pk=user.pk).update(is_active=False)
    response = client.post(reverse("accounts:login_code"), {"code": code_now(device)})
    assert response["Location"] == reverse("accounts:login")
    assert logged_in_as(client) is None


def test_the_code_step_without_a_password_sends_to_the_login(client):
    assert client.get(reverse("accounts:login_code"))["Location"] == reverse("accounts:login")
    client.force_login(StaffFactory())  # no device: nothing to verify
    assert client.post(reverse("accounts:login_code"), {"code": "123456"})["Location"] == reverse("accounts:login")


# --- Backup codes and turning it off -----------------------------------------------------


def test_new_backup_codes_replace_the_old_ones(client, clock):
    user = StaffFactory()
    _device, old = enrol(user)
    client.force_login(user)
    response = client.post(reverse("accounts:two_factor_backup_codes"), {"renew-code": old[0]})
    assert response["Location"] == reverse("accounts:two_factor_backup_codes")
    new = re.findall(r"<li>([a-z2-7]{8})</li>", client.get(response["Location"]).content.decode())
    assert len(new) == BACKUP_CODE_COUNT and not set(new) & set(old)
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(new)


def test_new_backup_codes_need_a_valid_code(client, clock):
    user = StaffFactory()
    _device, old = enrol(user)
    client.force_login(user)
    response = client.post(reverse("accounts:two_factor_backup_codes"), {"renew-code": "nonsense"})
    assert response.status_code == 200 and WRONG_CODE_AR in response.content.decode()
    assert set(StaticToken.objects.filter(device__user=user).values_list("token", flat=True)) == set(old)


def test_turning_off_needs_a_valid_code_and_the_password(client, clock):
    user = StaffFactory()
    device, codes = enrol(user)
    client.force_login(user)
    off = reverse("accounts:two_factor_off")

    wrong_code = client.post(off, {"disable-code": "zzzzzzzz", "disable-password": PASSWORD})
    assert WRONG_CODE_AR in wrong_code.content.decode()
    assert has_two_factor(user)

    clock.tick(30)
    wait_out_throttling(user)
    wrong_password = client.post(off, {"disable-code": code_now(device), "disable-password": "not-it"})
    assert "كلمة المرور غير صحيحة" in wrong_password.content.decode()
    assert has_two_factor(user)

    clock.tick(30)
    done = client.post(off, {"disable-code": codes[0], "disable-password": PASSWORD})
    assert done["Location"] == reverse("accounts:two_factor")
    assert not TOTPDevice.objects.filter(user=user).exists()
    assert not StaticDevice.objects.filter(user=user).exists()

    client.logout()
    password_step(client, user)
    assert logged_in_as(client) == user.pk


# --- Django admin ------------------------------------------------------------------------


def test_admin_with_a_device_must_pass_the_code_step_to_use_admin(client, clock):
    user = AdminFactory()
    device, _codes = enrol(user)
    clock.tick(30)
    client.force_login(user)  # a session that has not given a code
    assert client.get(reverse("home")).status_code == 200  # the portal itself stays open
    response = client.get("/admin/")
    assert response["Location"].startswith(reverse("admin:login"))
    to_code = client.get(response["Location"])
    assert to_code["Location"] == reverse("accounts:login_code") + "?next=%2Fadmin%2F"
    assert client.get("/admin/reports/")["Location"].startswith(reverse("admin:login"))

    back = client.post(to_code["Location"], {"code": code_now(device)})
    assert back["Location"] == "/admin/"
    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/reports/").status_code == 200


def test_admin_without_a_device_uses_admin_as_before(client):
    client.force_login(AdminFactory())
    assert client.get("/admin/").status_code == 200


def test_admin_login_form_is_the_portals_login(client, clock):
    user = AdminFactory()
    enrol(user)
    response = client.get(reverse("admin:login") + "?next=/admin/agreements/")
    assert response["Location"] == reverse("accounts:login") + "?next=/admin/agreements/"
    # Posting a password to admin's own login address logs nobody in: no way around the code.
    client.post(reverse("admin:login"), {"username": user.username, "password": PASSWORD})
    assert logged_in_as(client) is None
    # Logged in but not staff: refused rather than sent round in circles.
    client.force_login(PartnerUserFactory())
    assert client.get(reverse("admin:login")).status_code == 403


def test_setting_makes_superusers_enrol_before_using_admin(client, clock, settings):
    settings.OTP_REQUIRED_FOR_ADMINS = True
    user = AdminFactory()
    client.force_login(user)
    assert client.get(reverse("home")).status_code == 200
    to_login = client.get("/admin/")
    to_setup = client.get(to_login["Location"])
    assert to_setup["Location"] == reverse("accounts:two_factor") + "?next=%2Fadmin%2F"
    page = client.get(to_setup["Location"]).content.decode()
    assert 'data-testid="must-enrol"' in page and "يجب على مديري النظام تفعيل التحقق بخطوتين" in page

    client.post(reverse("accounts:two_factor_start"))
    device = TOTPDevice.objects.get(user=user)
    client.post(reverse("accounts:two_factor_setup"), {"code": code_now(device)})
    codes_page = client.get(reverse("accounts:two_factor_backup_codes")).content.decode()
    assert 'href="/admin/"' in codes_page  # "continue" goes back where admin sent them
    assert client.get("/admin/").status_code == 200


def test_setting_leaves_non_superuser_admin_staff_and_the_default_alone(client, settings):
    client.force_login(AdminFactory())
    assert client.get("/admin/").status_code == 200  # default: off
    settings.OTP_REQUIRED_FOR_ADMINS = True
    client.force_login(UserFactory(is_staff=True))
    assert client.get("/admin/").status_code == 200


def _settings_in_subprocess(**env: str) -> subprocess.CompletedProcess:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("OTP_")}
    full_env.update(env, DJANGO_SETTINGS_MODULE="qatif_partnerships.settings")
    code = (
        "import django; django.setup(); from django.conf import settings; "
        "print(settings.OTP_REQUIRED_FOR_ADMINS, settings.OTP_TOTP_ISSUER)"
    )
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=full_env, capture_output=True, text=True, timeout=60
    )


def test_two_factor_settings_come_from_the_environment():
    default = _settings_in_subprocess()
    assert default.returncode == 0, default.stderr
    assert default.stdout.strip() == "False Qatif Charity"
    on = _settings_in_subprocess(OTP_REQUIRED_FOR_ADMINS="true", OTP_ISSUER="خيرية القطيف")
    assert on.stdout.strip() == "True خيرية القطيف"
    bad = _settings_in_subprocess(OTP_REQUIRED_FOR_ADMINS="sometimes")
    assert bad.returncode != 0 and "OTP_REQUIRED_FOR_ADMINS must be true or false" in bad.stderr
