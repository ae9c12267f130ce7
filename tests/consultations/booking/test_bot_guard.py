"""The request form's guard against scripts: a honeypot and a minimum fill time refuse a scripted post, store
nothing, say so in neutral words, and count towards the address's limit."""

import time
from datetime import UTC, datetime

import time_machine
from django.core import signing
from django.test import TestCase, override_settings
from django.urls import reverse

from clinic.models import RateCount
from consultations.booking.bot_guard import MESSAGE, SALT, shown_at_stamp
from consultations.models import Consultation, Patient
from tests.factories import form_shown_earlier, make_location, make_rule, make_surgeon, request_form, screened

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany, next Monday
DETAILS = reverse("consultations:request-details", args=["ana"])


@time_machine.travel(NOW, tick=False)
@override_settings(REQUEST_FORM_MIN_SECONDS=4)
class BotGuardTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        albany = make_location(slug="albany", timezone="America/New_York")
        make_rule(make_surgeon(slug="ana", locations=[albany]), albany, weekday=0)

    def post(self, **overrides: str):
        screened(self.client)
        data = request_form(f"{NINE.isoformat()}|albany", reason="Fictional test request.")
        return self.client.post(DETAILS, data | overrides)

    def assert_refused_and_nothing_stored(self, response) -> None:
        assert response.status_code == 400
        self.assertContains(response, MESSAGE, status_code=400)
        assert (Consultation.objects.count(), Patient.objects.count()) == (0, 0)

    def test_a_person_who_took_their_time_gets_through(self) -> None:
        assert self.post().status_code == 302
        assert Consultation.objects.count() == 1

    def test_a_filled_honeypot_is_refused(self) -> None:
        self.assert_refused_and_nothing_stored(self.post(website="https://spam.example"))

    def test_a_form_sent_a_second_after_it_was_shown_is_refused(self) -> None:
        self.assert_refused_and_nothing_stored(self.post(shown_at=shown_at_stamp(time.time() - 1)))

    def test_a_missing_or_forged_time_is_refused(self) -> None:
        self.assert_refused_and_nothing_stored(self.post(shown_at=""))
        forged = signing.dumps(time.time() - 60, salt=SALT, key="not-our-secret")
        self.assert_refused_and_nothing_stored(self.post(shown_at=forged))
        self.assert_refused_and_nothing_stored(self.post(shown_at="1700000000"))

    def test_a_form_shown_days_ago_is_refused(self) -> None:
        self.assert_refused_and_nothing_stored(self.post(**form_shown_earlier(seconds=3 * 24 * 3600)))

    def test_each_tripped_guard_counts_as_a_request_made_until_the_address_is_stopped(self) -> None:
        for _ in range(5):
            assert self.post(website="x").status_code == 400

        response = self.post(website="x")

        assert response.status_code == 429
        assert RateCount.objects.get(bucket="request").count == 6
        # A person from the same address now waits too: the limit is the address's, however it was reached.
        assert self.post().status_code == 429
        assert Consultation.objects.count() == 0

    def test_the_refused_form_comes_back_with_a_fresh_time_and_what_was_typed(self) -> None:
        response = self.post(website="x", shown_at="")

        self.assertContains(response, 'value="Fictional"', status_code=400)
        fresh = response.context["form"].fresh_stamp
        self.assertContains(response, f'name="shown_at" value="{fresh}"', status_code=400)

    def test_the_honeypot_is_hidden_from_sight_screen_readers_and_the_tab_key(self) -> None:
        screened(self.client)
        response = self.client.get(DETAILS, {"slot": f"{NINE.isoformat()}|albany"})

        page = response.content.decode()
        trap = page[page.index('class="form-trap"') - 20 : page.index('name="website"') + 200]
        assert 'aria-hidden="true"' in trap
        assert 'tabindex="-1"' in trap and 'autocomplete="off"' in trap
        assert "Leave this field empty" in trap

    @override_settings(REQUEST_FORM_MIN_SECONDS=0)
    def test_with_no_minimum_time_only_the_honeypot_is_checked(self) -> None:
        self.assert_refused_and_nothing_stored(self.post(website="x"))

        assert self.post(shown_at="").status_code == 302
