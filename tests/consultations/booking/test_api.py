from datetime import UTC, datetime, time, timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse

from consultations.models import Consultation, TimeOff
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

    def test_an_unlisted_surgeon_has_no_public_slots(self) -> None:
        make_surgeon(slug="hidden", locations=[self.albany], is_listed=False)

        response = self.client.get(API, {"surgeon": "hidden", "start": "2026-03-09"})

        assert response.status_code == 404

    def test_a_surgeon_without_clinics_has_an_empty_list(self) -> None:
        make_surgeon(slug="new", locations=[self.albany])

        response = self.client.get(API, {"surgeon": "new", "start": "2026-03-09"})

        assert response.status_code == 200
        assert response.json() == {"surgeon": "new", "slots": []}

    def test_time_off_and_occupying_consultations_block_but_finished_ones_do_not(self) -> None:
        nine = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
        make_rule(self.surgeon, self.albany, weekday=0, start_time=time(10), end_time=time(12))
        TimeOff.objects.create(surgeon=self.surgeon, start=nine + timedelta(hours=1), end=nine + timedelta(hours=2))
        make_consultation(self.surgeon, self.albany, nine, status=Consultation.Status.CANCELLED)
        make_consultation(self.surgeon, self.albany, nine, status=Consultation.Status.DECLINED)
        make_consultation(
            self.surgeon, self.albany, nine + timedelta(minutes=30), status=Consultation.Status.CHECKED_IN
        )
        make_consultation(self.surgeon, self.albany, nine + timedelta(hours=2), status=Consultation.Status.CONFIRMED)
        other = make_surgeon(locations=[self.albany])
        make_consultation(other, self.albany, nine + timedelta(hours=2, minutes=30))

        slots = self.client.get(API, {"surgeon": "ana", "start": "2026-03-09", "days": "1"}).json()["slots"]

        assert [slot["start"][11:16] for slot in slots] == ["09:00", "11:30"]

    def test_a_slot_across_the_autumn_change_ends_in_standard_time(self) -> None:
        make_rule(self.surgeon, self.albany, weekday=6, start_time=time(1), end_time=time(2))

        with time_machine.travel(datetime(2026, 10, 20, 12, 0, tzinfo=UTC), tick=False):
            slots = self.client.get(API, {"surgeon": "ana", "start": "2026-11-01", "days": "1"}).json()["slots"]

        assert [(slot["start"], slot["end"]) for slot in slots] == [
            ("2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00"),
            ("2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00"),
        ]

    def test_one_query_however_many_consultations_are_stored(self) -> None:
        start = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
        for week in range(30):
            make_consultation(self.surgeon, self.albany, start + timedelta(weeks=week))
            make_consultation(self.surgeon, self.phoenix, start + timedelta(weeks=week, days=1, hours=7))
        for days in ("1", "14", "31"):
            with self.subTest(days=days), self.assertNumQueries(1):
                self.client.get(API, {"surgeon": "ana", "start": "2026-03-09", "days": days})
