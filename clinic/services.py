"""Write workflows of the practice: for now, setting up and checking the staff second factor."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

AUTHENTICATOR = "Authenticator app"
BACKUP_CODES = "Backup codes"
BACKUP_CODE_COUNT = 10


class WrongCode(Exception):
    """The code matched none of the user's devices."""


class TooManyAttempts(Exception):
    """Too many wrong codes in a row; the device refuses codes for a while."""


def confirmed_authenticator(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


@transaction.atomic
def start_enrolment(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed authenticator a first sign-in shows as a QR code (the same one on reload)."""
    device = TOTPDevice.objects.devices_for_user(user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR, confirmed=False)


@transaction.atomic
def issue_backup_codes(*, user: AbstractBaseUser) -> list[str]:
    """Replace the user's backup codes with a fresh set and return them (shown once)."""
    device, _ = StaticDevice.objects.get_or_create(user=user, name=BACKUP_CODES, defaults={"confirmed": True})
    device.token_set.all().delete()
    codes = [StaticToken.random_token() for _ in range(BACKUP_CODE_COUNT)]
    StaticToken.objects.bulk_create(StaticToken(device=device, token=code) for code in codes)
    return codes


@transaction.atomic
def confirm_enrolment(*, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the authenticator with its first code; return the new backup codes."""
    if not device.verify_token(code):
        raise WrongCode
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    return issue_backup_codes(user=device.user)


def check_second_factor(*, user: AbstractBaseUser, code: str) -> Device:
    """The device that accepts `code`: the authenticator for six digits, else a backup code."""
    if code.isdigit():
        device = confirmed_authenticator(user)
    else:
        device = StaticDevice.objects.devices_for_user(user, confirmed=True).first()
    if device is None:
        raise WrongCode
    if not device.verify_is_allowed()[0]:
        raise TooManyAttempts
    if not device.verify_token(code):
        raise WrongCode
    return device
