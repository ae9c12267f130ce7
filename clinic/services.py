"""Write workflows of the practice: enrolling staff by invitation, and setting up, checking and resetting their
second factor."""

import logging
import secrets
from datetime import timedelta
from smtplib import SMTPException

from django.conf import settings
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import AbstractBaseUser
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic.models import StaffInvitation

logger = logging.getLogger(__name__)

AUTHENTICATOR = "Authenticator app"
BACKUP_CODES = "Backup codes"
BACKUP_CODE_COUNT = 10
INVITATION_SUBJECT = "Set up your staff account"


class WrongCode(Exception):
    """The code matched none of the user's devices."""


class TooManyAttempts(Exception):
    """Too many wrong codes in a row; the device refuses codes for a while."""


class AlreadyEnrolled(Exception):
    """The user has a confirmed authenticator: reset the second factor before inviting them again."""


class InvitationUnknown(Exception):
    """No invitation has that secret (or its account is deactivated)."""


class InvitationUsed(Exception):
    """The invitation did its one job already."""


class InvitationExpired(Exception):
    """Past its time, or withdrawn by a newer invitation or a reset."""


def confirmed_authenticator(user: AbstractBaseUser) -> TOTPDevice | None:
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).first()


def _log(*, by: AbstractBaseUser, user: AbstractBaseUser, message: str) -> None:
    """A line in the admin's history of that user (Django's LogEntry), where admins look for who changed what."""
    LogEntry.objects.log_actions(by.pk, [user], CHANGE, change_message=message, single_object=True)


def _withdraw_open_invitations(user: AbstractBaseUser) -> None:
    now = timezone.now()
    StaffInvitation.objects.filter(user=user, used_at__isnull=True, expires_at__gt=now).update(expires_at=now)


@transaction.atomic
def invite_to_enrol(*, user: AbstractBaseUser, by: AbstractBaseUser) -> tuple[StaffInvitation, str]:
    """A new one-time enrolment invitation for `user`, and its secret (shown once, never stored). An earlier open
    invitation stops working; so does any QR code shown for it."""
    if confirmed_authenticator(user) is not None:
        raise AlreadyEnrolled
    _withdraw_open_invitations(user)
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    token, now = secrets.token_urlsafe(32), timezone.now()
    invitation = StaffInvitation.objects.create(
        user=user,
        created_by=by,
        token_hash=StaffInvitation.hash_of(token),
        created_at=now,
        expires_at=now + timedelta(hours=settings.STAFF_INVITATION_HOURS),
    )
    _log(by=by, user=user, message=f"Made an enrolment invitation (valid {settings.STAFF_INVITATION_HOURS} hours).")
    return invitation, token


def invitation_url(token: str) -> str:
    return settings.SITE_URL.rstrip("/") + reverse("clinic:enrol", args=[token])


def email_invitation(*, invitation: StaffInvitation, token: str) -> bool:
    """E-mail the link to the invited person's address, once the invitation is committed. False when they have no
    address or the mail server refused: the admin passes the link on instead. Sent here rather than by a task,
    because a task's arguments are stored in clear in PostgreSQL, which would undo the hashing."""
    user = invitation.user
    if not user.email:
        return False
    context = {
        "user": user,
        "link": invitation_url(token),
        "hours": settings.STAFF_INVITATION_HOURS,
        "PRACTICE_NAME": settings.PRACTICE_NAME,
    }
    try:
        send_mail(
            INVITATION_SUBJECT, render_to_string("registration/email/invitation.txt", context), None, [user.email]
        )
    except (SMTPException, OSError):
        logger.warning("Could not e-mail the enrolment invitation of user %s", user.pk)
        return False
    return True


def open_invitation(*, token: str) -> StaffInvitation:
    """The invitation `token` opens, if it still can; raises InvitationUnknown, InvitationUsed or
    InvitationExpired."""
    invitation = (
        StaffInvitation.objects.select_related("user").filter(token_hash=StaffInvitation.hash_of(token)).first()
    )
    if invitation is None or not invitation.user.is_active:
        raise InvitationUnknown
    if invitation.is_used:
        raise InvitationUsed
    if invitation.is_expired:
        raise InvitationExpired
    return invitation


@transaction.atomic
def start_enrolment(*, user: AbstractBaseUser) -> TOTPDevice:
    """The unconfirmed authenticator the invitation shows as a QR code (the same one on reload)."""
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


@transaction.atomic
def enrol_by_invitation(*, invitation: StaffInvitation, device: TOTPDevice, code: str) -> list[str]:
    """Confirm the invited person's authenticator with its first code and use up the invitation; return the new
    backup codes. The invitation row is locked, so two tabs cannot both use it."""
    locked = StaffInvitation.objects.select_for_update().get(pk=invitation.pk)
    if locked.is_used:
        raise InvitationUsed
    if locked.is_expired:
        raise InvitationExpired
    codes = confirm_enrolment(device=device, code=code)
    locked.used_at = timezone.now()
    locked.save(update_fields=["used_at"])
    return codes


@transaction.atomic
def reset_second_factor(*, user: AbstractBaseUser, by: AbstractBaseUser) -> int:
    """Remove every authenticator and backup code of `user` and withdraw their open invitations: they cannot sign
    in (nor stay signed in) until an admin invites them again. Logged in the admin's history. Returns how many
    devices were removed."""
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[1].get(model._meta.label, 0)
    _withdraw_open_invitations(user)
    _log(by=by, user=user, message=f"Reset the second factor: removed {removed} devices; a new invitation is needed.")
    return removed


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
