"""Staff enrolment by invitation: an admin's one-time link sets the password, then the authenticator; an admin can
reset a second factor, and it is logged."""

import io
from datetime import timedelta

import time_machine
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import User
from django.core import mail
from django.core.management import CommandError, call_command
from django.db import IntegrityError
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles, services
from clinic.models import StaffInvitation
from tests.factories import PASSWORD, current_code, make_user, sign_in

NEW_PASSWORD = "a long fictional passphrase 42"
DESK = reverse("consultations:desk-today")
CHANGELIST = reverse("admin:auth_user_changelist")


def has_password(user: User, password: str) -> bool:
    user.refresh_from_db()
    return user.check_password(password)


def enrol_url(token: str) -> str:
    return reverse("clinic:enrol", args=[token])


class InvitationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(role=roles.ADMIN)

    def setUp(self) -> None:
        self.user = make_user(role=roles.FRONT_DESK, enrolled=False)
        self.invitation, self.token = services.invite_to_enrol(user=self.user, by=self.admin)
        self.url = enrol_url(self.token)

    def set_password(self):
        return self.client.post(self.url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})

    def confirm_code(self):
        self.client.get(self.url)
        device = TOTPDevice.objects.get(user=self.user)
        return device, self.client.post(self.url, {"code": current_code(device)})

    def test_the_secret_is_stored_only_as_a_hash(self) -> None:
        row = StaffInvitation.objects.get()
        assert self.token not in (row.token_hash, str(row.pk))
        assert row.token_hash == StaffInvitation.hash_of(self.token)
        assert row.expires_at - row.created_at == timedelta(hours=72)

    def test_password_first_then_authenticator_then_signed_in(self) -> None:
        first = self.client.get(self.url)
        self.assertContains(first, "<h1>Choose your password</h1>")
        self.assertNotContains(first, "<svg")

        self.assertRedirects(self.set_password(), self.url, fetch_redirect_response=False)
        second = self.client.get(self.url)
        self.assertContains(second, "Set up your authenticator app")
        self.assertContains(second, 'aria-label="QR code that sets up your authenticator app"')
        assert has_password(self.user, NEW_PASSWORD)
        # Not signed in yet: the password alone is not enough.
        self.assertRedirects(self.client.get(DESK), f"{reverse('clinic:sign-in')}?next=%2Fdesk%2F")

        device, response = self.confirm_code()

        device.refresh_from_db()
        assert device.confirmed
        codes = list(StaticToken.objects.filter(device__user=self.user).values_list("token", flat=True))
        assert len(codes) == 10
        for code in codes:
            self.assertContains(response, code)
        self.assertContains(response, f'href="{DESK}"')
        assert self.client.get(DESK).status_code == 200
        self.invitation.refresh_from_db()
        assert self.invitation.used_at is not None

    def test_the_authenticator_step_needs_the_password_step_in_the_same_browser(self) -> None:
        self.set_password()
        self.client.logout()  # a new session, as in another browser

        response = self.client.post(self.url, {"code": "123456"})

        self.assertContains(response, "Choose your password", status_code=400)
        assert not TOTPDevice.objects.filter(user=self.user).exists()

    def test_a_weak_password_is_refused_with_the_reason(self) -> None:
        response = self.client.post(self.url, {"new_password1": "short", "new_password2": "short"})

        self.assertContains(response, "This password is too short", status_code=400)
        self.assertContains(self.client.get(self.url), "Choose your password")

    def test_a_wrong_code_leaves_the_invitation_open(self) -> None:
        self.set_password()
        self.client.get(self.url)
        device = TOTPDevice.objects.get(user=self.user)
        wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

        response = self.client.post(self.url, {"code": wrong})

        self.assertContains(response, "That code did not match", status_code=400)
        device.refresh_from_db()
        self.invitation.refresh_from_db()
        assert not device.confirmed
        assert self.invitation.used_at is None
        letters = self.client.post(self.url, {"code": "abcdef"})
        self.assertContains(letters, "Enter the six digits your authenticator app shows", status_code=400)

    def test_an_invitation_used_once_is_refused_the_second_time(self) -> None:
        self.set_password()
        self.confirm_code()
        self.client.logout()

        response = self.client.get(self.url)

        self.assertContains(response, "This enrolment link has already been used", status_code=410)
        response = self.client.post(self.url, {"new_password1": "another passphrase 99", "new_password2": "x"})
        self.assertContains(response, "already been used", status_code=410)
        assert has_password(self.user, NEW_PASSWORD)

    def test_an_expired_invitation_is_refused(self) -> None:
        with time_machine.travel(timezone.now() + timedelta(hours=72, seconds=1)):
            response = self.client.get(self.url)
            self.assertContains(response, "This enrolment link has expired", status_code=410)
            self.set_password()
        assert not has_password(self.user, NEW_PASSWORD)

    def test_expiring_between_the_two_steps_is_refused_too(self) -> None:
        self.set_password()
        self.client.get(self.url)
        device = TOTPDevice.objects.get(user=self.user)
        with time_machine.travel(timezone.now() + timedelta(hours=73)):
            response = self.client.post(self.url, {"code": current_code(device)})
        self.assertContains(response, "This enrolment link has expired", status_code=410)
        device.refresh_from_db()
        assert not device.confirmed

    def test_a_made_up_or_withdrawn_link_is_refused(self) -> None:
        response = self.client.get(enrol_url("not-a-real-invitation"))
        self.assertContains(response, "We could not open that enrolment link", status_code=404)

        _, newer = services.invite_to_enrol(user=self.user, by=self.admin)
        self.assertContains(self.client.get(self.url), "has expired", status_code=410)
        self.assertContains(self.client.get(enrol_url(newer)), "Choose your password")

    def test_an_enrolled_user_cannot_be_invited(self) -> None:
        with self.assertRaises(services.AlreadyEnrolled):
            services.invite_to_enrol(user=make_user(role=roles.SURGEON), by=self.admin)

    def test_the_database_refuses_an_invitation_expiring_before_it_was_made(self) -> None:
        with self.assertRaises(IntegrityError):
            StaffInvitation.objects.filter(pk=self.invitation.pk).update(
                expires_at=self.invitation.created_at - timedelta(seconds=1)
            )


class AdminEnrolmentTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(role=roles.ADMIN)

    def setUp(self) -> None:
        sign_in(self.client, self.admin)

    def act(self, action: str, *users: User, **extra: str):
        data = {"action": action, "_selected_action": [user.pk for user in users]} | extra
        return self.client.post(CHANGELIST, data)

    def test_the_action_shows_the_link_once_and_e_mails_it_without_the_secret_in_the_subject(self) -> None:
        user = make_user(role=roles.SURGEON, enrolled=False)

        response = self.act("invite_to_enrol", user)

        invitation = StaffInvitation.objects.get(user=user)
        assert invitation.created_by == self.admin
        links = [line for line in response.content.decode().split() if "/accounts/enrol/" in line]
        assert len(links) == 1
        token = links[0].split("/accounts/enrol/")[1].split("/")[0]
        assert StaffInvitation.hash_of(token) == invitation.token_hash
        self.assertContains(response, f"Yes, to {user.email}")
        assert len(mail.outbox) == 1
        assert mail.outbox[0].to == [user.email]
        assert mail.outbox[0].subject == "Set up your staff account"
        assert token in mail.outbox[0].body
        assert LogEntry.objects.filter(object_id=str(user.pk), change_message__contains="enrolment invitation").exists()

    def test_a_user_without_an_address_gets_the_link_from_the_admin_only(self) -> None:
        user = make_user(role=roles.SURGEON, enrolled=False)
        User.objects.filter(pk=user.pk).update(email="")

        response = self.act("invite_to_enrol", user)

        self.assertContains(response, "No: pass the link on yourself")
        assert mail.outbox == []

    def test_an_enrolled_user_gets_no_link(self) -> None:
        user = make_user(role=roles.SURGEON)

        response = self.act("invite_to_enrol", user)

        self.assertContains(response, "already have an authenticator app")
        assert not StaffInvitation.objects.exists()

    def test_reset_removes_the_devices_ends_their_staff_session_and_is_logged(self) -> None:
        user = make_user(role=roles.FRONT_DESK)
        services.issue_backup_codes(user=user)
        _, token = services.invite_to_enrol(user=make_user(role=roles.SURGEON, enrolled=False), by=self.admin)
        their_session = self.client_class()
        sign_in(their_session, user)
        assert their_session.get(DESK).status_code == 200

        confirm = self.act("reset_second_factor", user)
        self.assertContains(confirm, "Reset the second factor")
        assert TOTPDevice.objects.filter(user=user).exists()
        self.act("reset_second_factor", user, apply="1")

        assert not TOTPDevice.objects.filter(user=user).exists()
        assert not StaticDevice.objects.filter(user=user).exists()
        entry = LogEntry.objects.get(object_id=str(user.pk), action_flag=CHANGE)
        assert entry.user == self.admin
        assert "Reset the second factor: removed 2 devices" in entry.change_message
        assert their_session.get(DESK).status_code == 302
        login = self.client_class().post(reverse("clinic:sign-in"), {"username": user.username, "password": PASSWORD})
        self.assertContains(login, "Ask a practice administrator for an enrolment link.")
        # Now a new invitation can be made for them; another user's open one is untouched.
        assert services.invite_to_enrol(user=user, by=self.admin)
        self.assertContains(self.client_class().get(enrol_url(token)), "Choose your password")

    def test_reset_withdraws_an_open_invitation(self) -> None:
        user = make_user(role=roles.FRONT_DESK, enrolled=False)
        _, token = services.invite_to_enrol(user=user, by=self.admin)

        services.reset_second_factor(user=user, by=self.admin)

        self.assertContains(self.client_class().get(enrol_url(token)), "has expired", status_code=410)

    def test_an_admin_cannot_reset_their_own(self) -> None:
        response = self.act("reset_second_factor", self.admin, apply="1")

        assert response.status_code == 302
        assert TOTPDevice.objects.filter(user=self.admin).exists()

    def test_the_user_list_shows_who_has_an_authenticator_in_one_query(self) -> None:
        for _ in range(3):
            make_user(role=roles.SURGEON, enrolled=False)
        response = self.client.get(CHANGELIST)
        assert response.status_code == 200
        self.assertContains(response, "authenticator")
        rows = {user.username: user.enrolled for user in response.context["cl"].result_list}
        assert rows[self.admin.username] is True
        assert sum(not enrolled for enrolled in rows.values()) == 3


class EnrolmentLinkCommandTests(TestCase):
    def test_the_first_admin_gets_a_link_that_opens_the_enrolment(self) -> None:
        admin = User.objects.create_superuser("first-admin", "admin@example.com", PASSWORD)
        out = io.StringIO()

        call_command("enrolment_link", "first-admin", stdout=out)

        link = out.getvalue().strip()
        assert link.startswith("http") and "/accounts/enrol/" in link
        response = self.client.get(link.split("8000", 1)[-1])
        assert response.status_code == 200
        assert StaffInvitation.objects.get().user == admin

    def test_an_unknown_or_enrolled_user_gets_a_clear_error(self) -> None:
        enrolled = make_user(role=roles.ADMIN)
        for username, message in (("nobody", "No active user"), (enrolled.username, "already has an authenticator")):
            with self.subTest(username=username), self.assertRaisesMessage(CommandError, message):
                call_command("enrolment_link", username, stdout=io.StringIO())
        assert not StaffInvitation.objects.exists()
