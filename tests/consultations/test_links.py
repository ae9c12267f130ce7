"""How long a patient's link works: until PATIENT_LINK_DAYS_AFTER the consultation, and a year at most."""

from datetime import UTC, datetime, timedelta

import time_machine
from django.core import signing
from django.test import TestCase, override_settings
from django.urls import reverse

from consultations.links import SALT, patient_token
from consultations.models import Consultation
from tests.factories import make_consultation, make_location, make_surgeon

SENT = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
START = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
END = START + timedelta(minutes=30)
RESEND = reverse("consultations:resend-link")


class LinkLifetimeTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        location = make_location()
        cls.consultation = make_consultation(make_surgeon(locations=[location]), location, START)

    def setUp(self) -> None:
        with time_machine.travel(SENT, tick=False):
            self.token = patient_token(self.consultation)

    def open(self, at: datetime, name: str = "my-consultation", token: str | None = None):
        with time_machine.travel(at, tick=False):
            return self.client.get(reverse(f"consultations:{name}", args=[token or self.token]))

    def test_a_link_works_29_days_after_the_consultation_and_not_31(self) -> None:
        self.assertContains(self.open(END + timedelta(days=29)), "This consultation is over")

        response = self.open(END + timedelta(days=31))

        self.assertContains(response, "This link has expired", status_code=410)
        self.assertContains(response, f'href="{RESEND}"', status_code=410)
        self.assertNotContains(response, self.consultation.reason, status_code=410)

    @override_settings(PATIENT_LINK_DAYS_AFTER=2)
    def test_the_days_after_come_from_the_setting(self) -> None:
        assert self.open(END + timedelta(days=1)).status_code == 200
        assert self.open(END + timedelta(days=3)).status_code == 410

    def test_every_page_behind_the_link_follows_the_same_rule(self) -> None:
        for name in ("my-consultation", "request-sent", "cancel", "reschedule", "intake-review", "proposal"):
            with self.subTest(name=name):
                assert self.open(END + timedelta(days=29), name).status_code in (200, 302)
                self.assertContains(self.open(END + timedelta(days=31), name), "This link has expired", status_code=410)

    def test_a_link_older_than_a_year_is_refused_even_for_a_consultation_still_to_come(self) -> None:
        later = make_consultation(self.consultation.surgeon, self.consultation.location, SENT + timedelta(days=400))
        with time_machine.travel(SENT, tick=False):
            token = patient_token(later)

        assert self.open(SENT + timedelta(days=364), token=token).status_code == 200
        response = self.open(SENT + timedelta(days=366), token=token)

        self.assertContains(response, "This link has expired", status_code=410)
        self.assertContains(response, f'href="{RESEND}"', status_code=410)
        # A fresh link to the same consultation works: the age is the link's, not the consultation's.
        with time_machine.travel(SENT + timedelta(days=366), tick=False):
            fresh = patient_token(later)
        assert self.open(SENT + timedelta(days=366), token=fresh).status_code == 200

    def test_a_link_of_ours_without_a_timestamp_is_refused_as_expired(self) -> None:
        untimed = signing.Signer(salt=SALT).sign_object(str(self.consultation.public_id))

        response = self.open(SENT, token=untimed)

        self.assertContains(response, "This link has expired", status_code=410)

    def test_a_tampered_link_offers_the_way_back(self) -> None:
        response = self.open(SENT, token=self.token[:-2] + "xx")

        self.assertContains(response, "We could not open that link", status_code=404)
        self.assertContains(response, f'href="{RESEND}"', status_code=404)

    def test_a_finished_consultation_can_be_read_but_no_longer_changed(self) -> None:
        after = END + timedelta(days=1)
        response = self.open(after)
        self.assertNotContains(response, "Cancel this consultation")

        with time_machine.travel(after, tick=False):
            response = self.client.post(reverse("consultations:cancel", args=[self.token]), {"reason": "x"})
        self.assertRedirects(
            response, reverse("consultations:my-consultation", args=[self.token]), fetch_redirect_response=False
        )
        self.consultation.refresh_from_db()
        assert self.consultation.status == Consultation.Status.REQUESTED


class OpenLinksQueryTests(TestCase):
    def test_with_open_links_agrees_with_the_property(self) -> None:
        location = make_location()
        surgeon = make_surgeon(locations=[location])
        recent = make_consultation(surgeon, location, START)
        old = make_consultation(surgeon, location, START - timedelta(days=40))

        with time_machine.travel(END + timedelta(days=29), tick=False):
            assert list(Consultation.objects.with_open_links()) == [recent]
            assert old.link_open_until < END + timedelta(days=29) < recent.link_open_until
