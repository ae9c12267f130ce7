from datetime import timedelta

import time_machine
from axes.models import AccessAttempt
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_static.models import StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from clinic.services import issue_backup_codes
from tests.factories import PASSWORD, current_code, make_user, sign_in

SIGN_IN = reverse("clinic:sign-in")
SECOND_FACTOR = reverse("clinic:second-factor")
ENROL = reverse("clinic:enrol")
DESK = reverse("consultations:desk-today")


class FirstSignInTests(TestCase):
    """A new staff member has no authenticator yet: the first sign-in sets one up."""

    def setUp(self) -> None:
        self.user = make_user(role=roles.FRONT_DESK, enrolled=False)

    def test_password_leads_to_enrolment_with_a_qr_code(self) -> None:
        response = self.client.post(SIGN_IN, {"username": self.user.username, "password": PASSWORD}, follow=True)

        self.assertRedirects(response, f"{ENROL}?next=%2Fdesk%2F")
        self.assertContains(response, "<svg")
        self.assertContains(response, 'aria-label="QR code that sets up your authenticator app"')
        device = TOTPDevice.objects.get(user=self.user)
        assert not device.confirmed

    def test_the_first_code_confirms_the_app_and_shows_ten_backup_codes_once(self) -> None:
        self.client.post(SIGN_IN, {"username": self.user.username, "password": PASSWORD})
        self.client.get(ENROL)
        device = TOTPDevice.objects.get(user=self.user)

        response = self.client.post(ENROL, {"code": current_code(device), "next": DESK})

        device.refresh_from_db()
        assert device.confirmed
        codes = list(StaticToken.objects.filter(device__user=self.user).values_list("token", flat=True))
        assert len(codes) == 10
        for code in codes:
            self.assertContains(response, code)
        self.assertEqual(self.client.get(DESK).status_code, 200)

    def test_a_wrong_code_leaves_the_app_unconfirmed(self) -> None:
        self.client.post(SIGN_IN, {"username": self.user.username, "password": PASSWORD})
        self.client.get(ENROL)
        device = TOTPDevice.objects.get(user=self.user)
        wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

        response = self.client.post(ENROL, {"code": wrong})

        self.assertContains(response, "That code did not match")
        device.refresh_from_db()
        assert not device.confirmed
        self.assertRedirects(self.client.get(DESK), f"{SECOND_FACTOR}?next=%2Fdesk%2F", target_status_code=302)

    def test_letters_in_the_enrolment_code_get_a_clear_message(self) -> None:
        self.client.post(SIGN_IN, {"username": self.user.username, "password": PASSWORD})

        response = self.client.post(ENROL, {"code": "abcdef"})

        self.assertContains(response, "Enter the six digits your authenticator app shows")


class LaterSignInTests(TestCase):
    """An enrolled user gives password, then code, and lands on their role's start page."""

    def sign_in_with_code(self, user, code: str | None = None):
        self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
        device = TOTPDevice.objects.get(user=user)
        return self.client.post(SECOND_FACTOR, {"code": code or current_code(device)})

    def test_each_role_lands_on_its_own_start_page(self) -> None:
        for role, start in [
            (roles.FRONT_DESK, DESK),
            (roles.SURGEON, reverse("consultations:surgeon-home")),
            (roles.ADMIN, reverse("admin:index")),
        ]:
            with self.subTest(role=role):
                self.client.logout()
                response = self.sign_in_with_code(make_user(role=role))
                self.assertRedirects(response, start)

    def test_password_alone_reaches_no_staff_page(self) -> None:
        user = make_user(role=roles.FRONT_DESK)
        response = self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD}, follow=True)

        self.assertRedirects(response, f"{SECOND_FACTOR}?next=%2Fdesk%2F")
        self.assertContains(response, "Enter your code")
        self.assertRedirects(self.client.get(DESK), f"{SECOND_FACTOR}?next=%2Fdesk%2F")

    def test_enrolled_user_cannot_add_another_authenticator(self) -> None:
        user = make_user(role=roles.SURGEON)
        self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})

        response = self.client.get(ENROL)

        self.assertRedirects(response, f"{SECOND_FACTOR}?next=%2Fsurgeon%2F")
        assert TOTPDevice.objects.filter(user=user).count() == 1

    def test_wrong_code_is_refused_with_a_message(self) -> None:
        user = make_user(role=roles.FRONT_DESK)
        device = TOTPDevice.objects.get(user=user)
        wrong = f"{(int(current_code(device)) + 1) % 1_000_000:06d}"

        response = self.sign_in_with_code(user, wrong)

        self.assertContains(response, "That code did not match")
        self.assertRedirects(self.client.get(DESK), f"{SECOND_FACTOR}?next=%2Fdesk%2F")

    def test_repeated_wrong_codes_are_throttled(self) -> None:
        user = make_user(role=roles.FRONT_DESK)
        self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
        for _ in range(3):
            self.client.post(SECOND_FACTOR, {"code": "000000"})

        response = self.client.post(SECOND_FACTOR, {"code": current_code(TOTPDevice.objects.get(user=user))})

        self.assertContains(response, "Too many wrong codes")

    def test_a_backup_code_works_once(self) -> None:
        user = make_user(role=roles.FRONT_DESK)
        code = issue_backup_codes(user=user)[0]

        self.assertRedirects(self.sign_in_with_code(user, code.upper()), DESK)
        self.client.logout()
        response = self.sign_in_with_code(user, code)
        self.assertContains(response, "That code did not match")

    def test_next_page_is_kept_but_never_another_host(self) -> None:
        user = make_user(role=roles.ADMIN)
        self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD, "next": "/admin/auth/user/"})
        response = self.client.post(
            SECOND_FACTOR, {"code": current_code(TOTPDevice.objects.get(user=user)), "next": "/admin/auth/user/"}
        )
        self.assertRedirects(response, "/admin/auth/user/")

        self.client.logout()
        self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})
        with time_machine.travel(timezone.now() + timedelta(seconds=31)):
            response = self.client.post(
                SECOND_FACTOR,
                {"code": current_code(TOTPDevice.objects.get(user=user)), "next": "https://elsewhere.example/"},
            )
        self.assertRedirects(response, reverse("admin:index"))

    def test_sign_out_ends_the_session(self) -> None:
        user = make_user(role=roles.FRONT_DESK)
        sign_in(self.client, user)

        response = self.client.post(reverse("clinic:sign-out"), follow=True)

        self.assertContains(response, "You are signed out.")
        self.assertRedirects(self.client.get(DESK), f"{SIGN_IN}?next=%2Fdesk%2F")


class AdminSecondFactorTests(TestCase):
    def test_admin_site_needs_the_second_factor(self) -> None:
        user = make_user(role=roles.ADMIN)
        self.client.post(SIGN_IN, {"username": user.username, "password": PASSWORD})

        response = self.client.get(reverse("admin:index"), follow=True)

        assert response.redirect_chain[-1][0].startswith(SIGN_IN)
        sign_in(self.client, user)
        self.assertContains(self.client.get(reverse("admin:index")), "Practice administration")

    def test_other_roles_never_reach_the_admin(self) -> None:
        for role in roles.GROUPS:
            with self.subTest(role=role):
                sign_in(self.client, make_user(role=role))
                response = self.client.get(reverse("admin:auth_user_changelist"), follow=True)
                assert response.redirect_chain[-1][0].startswith(SIGN_IN)
                self.assertContains(response, "that account cannot open the page you asked for")


class LockoutTests(TestCase):
    def fail(self, username: str, address: str = "10.0.0.1"):
        return self.client.post(SIGN_IN, {"username": username, "password": "wrong"}, REMOTE_ADDR=address)

    def test_five_failures_lock_that_username_from_that_address_for_fifteen_minutes(self) -> None:
        user = make_user(role=roles.FRONT_DESK)
        for _ in range(4):
            self.assertContains(self.fail(user.username), "Please enter a correct username and password")

        response = self.fail(user.username)

        self.assertContains(response, "Sign-in paused for 15 minutes", status_code=429)
        right = {"username": user.username, "password": PASSWORD}
        response = self.client.post(SIGN_IN, right, REMOTE_ADDR="10.0.0.1")
        self.assertContains(response, "Sign-in paused", status_code=429)
        # Every try while locked counts too, and restarts the 15 minutes.
        assert AccessAttempt.objects.get(username=user.username).failures_since_start == 6

        # Another address, or another account from this address, is not locked.
        response = self.client.post(SIGN_IN, right, REMOTE_ADDR="10.0.0.2")
        self.assertRedirects(response, f"{SECOND_FACTOR}?next=%2Fdesk%2F")
        self.client.logout()
        other = make_user(role=roles.SURGEON)
        response = self.client.post(SIGN_IN, {"username": other.username, "password": PASSWORD}, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302

        self.client.logout()
        with time_machine.travel(timezone.now() + timedelta(minutes=15, seconds=5)):
            response = self.client.post(SIGN_IN, right, REMOTE_ADDR="10.0.0.1")
        assert response.status_code == 302
