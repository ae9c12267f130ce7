"""Failures a visitor can cause with odd requests: each is a clear answer, never a 500."""

from axes.models import AccessAttempt
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from tests.factories import (
    PASSWORD,
    make_article,
    make_consultation,
    make_location,
    make_surgeon,
    make_user,
    screened,
    sign_in,
)

SIGN_IN = reverse("clinic:sign-in")


class OverlongUsernameTests(TestCase):
    def test_an_overlong_username_is_a_form_error(self) -> None:
        for length in (151, 256, 1000):
            with self.subTest(length=length):
                response = self.client.post(SIGN_IN, {"username": "a" * length, "password": "whatever-it-is"})

                self.assertContains(response, "A username has at most 150 characters.")
        assert not AccessAttempt.objects.exists()

    def test_the_longest_possible_username_is_checked_as_usual(self) -> None:
        response = self.client.post(SIGN_IN, {"username": "a" * 150, "password": "whatever-it-is"})

        self.assertContains(response, "Please enter a correct username and password")
        assert AccessAttempt.objects.get().username == "a" * 150

    def test_an_ordinary_wrong_password_still_counts_towards_the_lockout(self) -> None:
        make_user(role=roles.FRONT_DESK, username="desk-person")
        self.client.post(SIGN_IN, {"username": "desk-person", "password": "not-the-password"})

        assert AccessAttempt.objects.filter(username="desk-person").count() == 1


class HeadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        from datetime import timedelta

        from django.utils import timezone

        location = make_location()
        cls.surgeon = make_surgeon(locations=[location])
        cls.article = make_article()
        cls.consultation = make_consultation(cls.surgeon, location, timezone.now() + timedelta(days=10))
        cls.desk_user = make_user(role=roles.FRONT_DESK)

    def test_public_pages_answer_head_like_get(self) -> None:
        screened(self.client)
        urls = [
            reverse("clinic:home"),
            reverse("clinic:surgeon-list"),
            reverse("clinic:surgeon-detail", args=[self.surgeon.slug]),
            reverse("clinic:sign-in"),
            reverse("consultations:request"),
            reverse("consultations:screen"),
            reverse("education:index"),
            reverse("education:self-check"),
            reverse("education:article", args=[self.article.slug]),
            reverse("healthz"),
            reverse("robots"),
        ]
        for url in urls:
            with self.subTest(url=url):
                response = self.client.head(url)

                assert response.status_code == 200
                assert response.content == b""

    def test_desk_pages_answer_head_when_signed_in(self) -> None:
        sign_in(self.client, self.desk_user)
        for url in (
            reverse("consultations:desk-today"),
            reverse("consultations:desk-queue"),
            reverse("consultations:desk-consultation", args=[self.consultation.public_id]),
        ):
            with self.subTest(url=url):
                assert self.client.head(url).status_code == 200


class CookieFlagTests(TestCase):
    def test_every_cookie_the_sign_in_sets_is_http_only_secure_and_same_site(self) -> None:
        make_user(role=roles.FRONT_DESK, username="desk-person")
        page = self.client.get(SIGN_IN)
        signed_in = self.client.post(SIGN_IN, {"username": "desk-person", "password": PASSWORD})

        cookies = {**page.cookies, **signed_in.cookies}
        assert {"csrftoken", "sessionid"} <= set(cookies)
        for name, cookie in cookies.items():
            with self.subTest(cookie=name):
                assert cookie["httponly"] is True
                assert cookie["secure"] is True
                assert cookie["samesite"] == "Lax"
