"""Small builders for test data. Every person here is fictional."""

from django.contrib.auth.models import Group, User
from django.test import Client
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles

PASSWORD = "correct-horse-battery-staple"


def make_user(*, role: str | None = None, username: str | None = None, enrolled: bool = True) -> User:
    """A staff user in `role` (front_desk, surgeon or admin), with a confirmed authenticator if `enrolled`."""
    username = username or f"{role or 'nobody'}-{User.objects.count() + 1}"
    is_admin = role == roles.ADMIN
    user = User.objects.create_user(
        username=username, password=PASSWORD, is_staff=is_admin, is_superuser=is_admin, email=f"{username}@example.com"
    )
    if role in roles.GROUPS:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if enrolled:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app would show right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user: User) -> None:
    """A session that has passed both password and second factor, as after the real sign-in."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()
