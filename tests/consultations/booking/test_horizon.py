"""The booking horizon's last day is whole, in the location's zone: the page, the slots API and the request all
offer and take its evening slots, though they lie more than the horizon's days after the time of day now."""

from datetime import UTC, datetime, time

import time_machine
from django.test import TestCase, override_settings
from django.urls import reverse

from consultations.models import Consultation
from tests.factories import make_location, make_rule, make_surgeon, request_form, screened

# Monday March 2, 2026 at 16:00 EST. Seven days ahead is Monday March 9 (EDT by then): its 17:30 to 18:30 slots
# are later than 16:00 EST plus seven days (17:00 EDT), yet on the last day.
NOW = datetime(2026, 3, 2, 21, 0, tzinfo=UTC)
LAST_EVENING = datetime(2026, 3, 9, 22, 30, tzinfo=UTC)  # 18:30 EDT on the last day
BEYOND = datetime(2026, 3, 10, 13, 0, tzinfo=UTC)  # 09:00 EDT on Tuesday, the day after the last


@time_machine.travel(NOW, tick=False)
@override_settings(BOOKING_HORIZON_DAYS=7, BOOKING_MIN_NOTICE_HOURS=24)
class WholeLastDayTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(10))
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(17), end_time=time(19))
        make_rule(cls.surgeon, cls.albany, weekday=1, start_time=time(9), end_time=time(10))

    def setUp(self) -> None:
        screened(self.client)

    def form_data(self, start: datetime) -> dict:
        return request_form(f"{start.isoformat()}|albany")

    def test_the_slots_api_lists_the_whole_last_day(self) -> None:
        response = self.client.get(reverse("consultations:api-slots"), {"surgeon": "ana", "start": "2026-03-09"})

        starts = [slot["start"] for slot in response.json()["slots"]]
        assert starts == [
            "2026-03-09T09:00:00-04:00",
            "2026-03-09T09:30:00-04:00",
            "2026-03-09T17:00:00-04:00",
            "2026-03-09T17:30:00-04:00",
            "2026-03-09T18:00:00-04:00",
            "2026-03-09T18:30:00-04:00",
        ]

    def test_the_page_offers_the_last_evening(self) -> None:
        response = self.client.get(reverse("consultations:pick-slot", args=["ana"]), {"week": "2026-03-09"})

        self.assertContains(response, "6:30 PM EDT")
        self.assertNotContains(response, "Tuesday, March 10,")  # a slot's label for screen readers

    def test_a_request_for_the_last_evening_is_taken(self) -> None:
        url = reverse("consultations:request-details", args=["ana"])
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(url, self.form_data(LAST_EVENING))

        assert response.status_code == 302
        assert Consultation.objects.get().start == LAST_EVENING

    def test_a_request_beyond_the_last_day_is_refused_in_plain_words(self) -> None:
        url = reverse("consultations:request-details", args=["ana"])
        response = self.client.post(url, self.form_data(BEYOND))

        self.assertContains(response, "beyond how far ahead we book", status_code=400)
        assert not Consultation.objects.exists()
