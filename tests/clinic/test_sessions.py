from datetime import timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from tests.factories import make_user, sign_in

DESK = reverse("consultations:desk-today")
SIGN_IN = reverse("clinic:sign-in")


class StaffSessionTests(TestCase):
    def setUp(self) -> None:
        self.start = timezone.now()
        sign_in(self.client, make_user(role=roles.FRONT_DESK))

    def test_fifteen_minutes_idle_signs_the_user_out(self) -> None:
        with time_machine.travel(self.start, tick=False):
            assert self.client.get(DESK).status_code == 200
        with time_machine.travel(self.start + timedelta(minutes=14), tick=False):
            assert self.client.get(DESK).status_code == 200
        with time_machine.travel(self.start + timedelta(minutes=30), tick=False):
            response = self.client.get(DESK, follow=True)

        self.assertRedirects(response, f"{SIGN_IN}?next=%2Fdesk%2F")
        self.assertContains(response, "You were signed out to protect patient information")

    def test_twelve_hours_is_the_limit_even_when_active(self) -> None:
        for minutes in range(0, 12 * 60, 10):
            with time_machine.travel(self.start + timedelta(minutes=minutes), tick=False):
                assert self.client.get(DESK).status_code == 200, minutes
        with time_machine.travel(self.start + timedelta(hours=12, minutes=1), tick=False):
            response = self.client.get(DESK)

        self.assertRedirects(response, f"{SIGN_IN}?next=%2Fdesk%2F")

    def test_signed_in_pages_are_never_stored_by_caches(self) -> None:
        for url in (DESK, reverse("clinic:home")):
            with self.subTest(url=url):
                assert "no-store" in self.client.get(url)["Cache-Control"]

    def test_anonymous_public_pages_may_be_cached(self) -> None:
        self.client.logout()
        assert "no-store" not in self.client.get(reverse("clinic:home")).get("Cache-Control", "")
