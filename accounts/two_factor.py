"""Two-factor login for charity staff and admins (django-otp).

A user has two-factor when they have a confirmed TOTP device: an authenticator app that
shows a new 6-digit code every 30 seconds. A static device beside it holds their
single-use backup codes, for the day the phone is lost. Both devices slow down repeated
wrong codes (django-otp's throttling: 1, 2, 4, 8 … seconds between attempts); the login
step also counts each wrong code toward the django-axes lockout (accounts/views.py).
"""

from __future__ import annotations

from base64 import b32encode

import segno
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from .models import User

BACKUP_CODE_COUNT = 10
AUTHENTICATOR_NAME = "authenticator"
AUTHENTICATOR_DIGITS = 6
BACKUP_CODES_NAME = "backup codes"
# Longest code anyone types: a backup code is 8 characters, an authenticator's code 6.
_MAX_CODE_LENGTH = 16


def has_two_factor(user) -> bool:
    """True when the user has a confirmed authenticator (the second step is then asked at login)."""
    if not getattr(user, "is_authenticated", False) or user.pk is None:
        return False
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def admin_must_enrol(user: User) -> bool:
    """With OTP_REQUIRED_FOR_ADMINS, a superuser without two-factor sets it up before using admin."""
    return bool(settings.OTP_REQUIRED_FOR_ADMINS and user.is_superuser and not has_two_factor(user))


def normalise_code(code: str) -> str:
    """Codes are typed with spaces or dashes sometimes, and backup codes in capitals."""
    return "".join(code.split()).replace("-", "").lower()


def _wrong_code(throttled: bool) -> ValidationError:
    if throttled:
        return ValidationError(_("Too many wrong codes. Wait a minute, then try again."), code="throttled")
    return ValidationError(
        _(
            "The code is not correct. Enter the 6-digit code your authenticator app shows now, "
            "or one of your backup codes."
        ),
        code="invalid",
    )


def verify_code(*, user: User, code: str) -> Device:
    """The device that accepts `code` for `user`.

    Six digits are checked against the authenticator (each code works once), anything else
    against the backup codes (a matching backup code is used up). Raises ValidationError
    when no device accepts it, saying so when the devices are still waiting out a delay
    after earlier wrong codes.
    """
    code = normalise_code(code)
    throttled = False
    accepted = None
    if code and len(code) <= _MAX_CODE_LENGTH:
        # By shape: a backup code may happen to be all digits, but it is 8 characters long.
        model = TOTPDevice if code.isdigit() and len(code) == AUTHENTICATOR_DIGITS else StaticDevice
        # The wrong-code count each device keeps must be committed, so the error is raised
        # only once this transaction is over.
        with transaction.atomic():
            for device in model.objects.filter(user=user, confirmed=True).select_for_update():
                allowed, _info = device.verify_is_allowed()
                if not allowed:
                    throttled = True
                elif device.verify_token(code):
                    accepted = device
                    break
    if accepted is None:
        raise _wrong_code(throttled)
    return accepted


def authenticator_setup_start(*, user: User) -> TOTPDevice:
    """A new authenticator for `user`, unconfirmed: it counts only once a code from it is given
    (authenticator_setup_confirm). Any earlier unconfirmed one is replaced."""
    if not user.may_use_two_factor:
        raise PermissionDenied
    if has_two_factor(user):
        raise ValidationError(_("Two-factor login is already on."))
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
        device = TOTPDevice(user=user, name=AUTHENTICATOR_NAME, digits=AUTHENTICATOR_DIGITS, confirmed=False)
        device.full_clean()
        device.save()
    return device


def authenticator_pending(user: User) -> TOTPDevice | None:
    """The authenticator `user` is setting up, if any."""
    return TOTPDevice.objects.filter(user=user, confirmed=False).order_by("-pk").first()


def authenticator_setup_confirm(*, device: TOTPDevice, code: str) -> list[str]:
    """Turn two-factor on with a code from the new authenticator; returns the new backup codes.

    The codes are stored by django-otp as they are; they are shown to the user once.
    """
    code = normalise_code(code)
    codes: list[str] = []
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(pk=device.pk, confirmed=False).first()
        if device is None:
            # Confirmed meanwhile (the form sent twice) or replaced by a new setup.
            raise ValidationError(_("This setup is no longer current. Start again if two-factor login is still off."))
        allowed, _info = device.verify_is_allowed()
        throttled = not allowed
        # verify_token counts a wrong code toward the device's delay.
        accepted = allowed and device.verify_token(code)
        if accepted:
            TOTPDevice.objects.filter(user_id=device.user_id).exclude(pk=device.pk).delete()
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            codes = _backup_codes_replace(device.user)
    if not accepted:
        raise _wrong_code(throttled)
    return codes


def _backup_codes_replace(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=BACKUP_CODES_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


def backup_codes_renew(*, user: User, code: str) -> list[str]:
    """New backup codes for a user with two-factor, after a valid code; the old ones stop working."""
    verify_code(user=user, code=code)
    with transaction.atomic():
        return _backup_codes_replace(user)


def backup_codes_left(user: User) -> int:
    return StaticToken.objects.filter(device__user=user, device__confirmed=True).count()


def two_factor_disable(*, user: User, code: str, password: str) -> None:
    """Turn two-factor off: needs a valid code and the user's password.

    The code is checked first: it is throttled, so the password cannot be guessed here
    without also having the second factor.
    """
    verify_code(user=user, code=code)
    if not user.check_password(password):
        raise ValidationError({"password": _("The password is not correct.")})
    with transaction.atomic():
        TOTPDevice.objects.filter(user=user).delete()
        StaticDevice.objects.filter(user=user).delete()


def authenticator_secret(device: TOTPDevice) -> str:
    """The secret in base32, in groups of four, for typing into an app by hand."""
    secret = b32encode(device.bin_key).decode()
    return " ".join(secret[i : i + 4] for i in range(0, len(secret), 4))


def authenticator_qr_data_uri(device: TOTPDevice) -> str:
    """The otpauth:// address as a QR code, an SVG `data:` URI (the CSP allows data: images)."""
    return segno.make(device.config_url, error="m").svg_data_uri(scale=5, border=2)
