from datetime import timedelta

import time_machine
from axes.models import AccessAttempt
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from clinic.services import issue_backup_codes
from tests.factories import PASSWORD, current_code, make_user, sign_in

SIGN_IN = reverse("clinic:sign-in")
SECOND_FACTOR = reverse("clinic:second-factor")
DESK = reverse("consultations:desk-today")


class PasswordAloneNeverEnrolsTests(TestCase):
    """A staff account without an authenticator cannot sign in: only an admin's invitation sets one up."""

    def setUp(self) -> None:
        self.user = make_user(role=roles.FRONT_DESK, enrolled=False)

    def test_the_right_password_without_an_authenticator_is_refused_with_what_to_do(self) -> None:
        response = self.client.post(SIGN_IN, {"username": self.user.username, "password": PASSWORD})

        self.assertContains(response, "Ask a practice administrator for an enrolment link.")
        assert "_auth_user_id" not in self.client.session
        assert not TOTPDevice.objects.filter(user=self.user).exists()
        self.assertRedirects(self.client.get(DESK), f"{SIGN_IN}?next=%2Fdesk%2F")

    def test_an_unconfirmed_authenticator_does_not_count(self) -> None:
        TOTPDevice.objects.create(user=self.user, name="Authenticator app", confirmed=False)

        response = self.client.post(SIGN_IN, {"username": self.user.username, "password": PASSWORD})

        self.assertContains(response, "Ask a practice administrator for an enrolment link.")
        assert "_auth_user_id" not in self.client.session

    def test_a_session_whose_authenticator_was_reset_is_signed_out(self) -> None:
        enrolled = make_user(role=roles.FRONT_DESK)
        self.client.post(SIGN_IN, {"username": enrolled.username, "password": PASSWORD})
        TOTPDevice.objects.filter(user=enrolled).delete()

        response = self.client.get(SECOND_FACTOR, follow=True)

        self.assertRedirects(response, SIGN_IN)
        self.assertContains(response, "Ask a practice administrator for an enrolment link.")
        assert "_auth_user_id" not in self.client.session


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
