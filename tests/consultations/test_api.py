from datetime import UTC, datetime, time, timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse

from tests.factories import make_consultation, make_location, make_rule, make_surgeon

API = reverse("consultations:api-slots")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)


@time_machine.travel(NOW, tick=False)
class SlotsApiTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.phoenix = make_location(slug="phoenix", timezone="America/Phoenix")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany, cls.phoenix])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(10))
        make_rule(cls.surgeon, cls.phoenix, weekday=1, start_time=time(13), end_time=time(14), slot_minutes=60)

    def test_free_slots_in_time_order_with_offsets_and_zones(self) -> None:
        response = self.client.get(API, {"surgeon": "ana", "start": "2026-03-09", "days": "2"})

        assert response.status_code == 200
        assert response.json() == {
            "surgeon": "ana",
            "slots": [
                {
                    "start": "2026-03-09T09:00:00-04:00",
                    "end": "2026-03-09T09:30:00-04:00",
                    "location": "albany",
                    "timezone": "America/New_York",
                },
                {
                    "start": "2026-03-09T09:30:00-04:00",
                    "end": "2026-03-09T10:00:00-04:00",
                    "location": "albany",
                    "timezone": "America/New_York",
                },
                {
                    "start": "2026-03-10T13:00:00-07:00",
                    "end": "2026-03-10T14:00:00-07:00",
                    "location": "phoenix",
                    "timezone": "America/Phoenix",
                },
            ],
        }

    def test_taken_times_are_left_out(self) -> None:
        make_consultation(self.surgeon, self.albany, datetime(2026, 3, 9, 13, 0, tzinfo=UTC))

        slots = self.client.get(API, {"surgeon": "ana", "start": "2026-03-09", "days": "1"}).json()["slots"]

        assert [slot["start"] for slot in slots] == ["2026-03-09T09:30:00-04:00"]

    def test_unknown_surgeon_is_a_json_404(self) -> None:
        response = self.client.get(API, {"surgeon": "nobody", "start": "2026-03-09"})

        assert response.status_code == 404
        assert response.json()["parameter"] == "surgeon"

    def test_bad_parameters_are_a_json_400_naming_the_parameter(self) -> None:
        cases = [
            ({"start": "2026-03-09"}, "surgeon"),
            ({"surgeon": "ana"}, "start"),
            ({"surgeon": "ana", "start": "09/03/2026"}, "start"),
            ({"surgeon": "ana", "start": "2026-02-30"}, "start"),
            ({"surgeon": "ana", "start": "2026-03-09", "days": "32"}, "days"),
            ({"surgeon": "ana", "start": "2026-03-09", "days": "0"}, "days"),
            ({"surgeon": "ana", "start": "2026-03-09", "days": "many"}, "days"),
            ({"surgeon": "<script>", "start": "2026-03-09"}, "surgeon"),
            ({"surgeon": "ana", "start": "9999-12-31"}, "start"),
            ({"surgeon": "ana", "start": "0001-01-01"}, "start"),
        ]
        for params, parameter in cases:
            with self.subTest(params=params):
                response = self.client.get(API, params)
                assert response.status_code == 400
                assert response.json()["parameter"] == parameter
                assert parameter in response.json()["error"]

    def test_a_surgeon_not_taking_new_patients_has_no_public_slots(self) -> None:
        make_surgeon(slug="full", locations=[self.albany], accepts_new_patients=False)

        response = self.client.get(API, {"surgeon": "full", "start": "2026-03-09"})

        assert response.status_code == 404

    def test_at_most_four_queries_however_many_consultations_are_stored(self) -> None:
        start = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
        for week in range(30):
            make_consultation(self.surgeon, self.albany, start + timedelta(weeks=week))
            make_consultation(self.surgeon, self.phoenix, start + timedelta(weeks=week, days=1, hours=7))
        for days in ("1", "14", "31"):
            with self.subTest(days=days), self.assertNumQueries(4):
                self.client.get(API, {"surgeon": "ana", "start": "2026-03-09", "days": days})
