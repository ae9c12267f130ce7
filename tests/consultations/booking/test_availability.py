"""Busy times read from the (surgeon, start) index: a window still sees the consultation already under way."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import TestCase

from consultations.booking.availability import booking_policy, first_free_slots, free_slots_by_surgeon, free_slots_for
from consultations.models import Consultation
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_time_off

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 9)
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany


@time_machine.travel(NOW, tick=False)
class BusyTimesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(timezone="America/New_York")
        cls.ana = make_surgeon(locations=[cls.albany])
        cls.ben = make_surgeon(locations=[cls.albany])
        for surgeon in (cls.ana, cls.ben):
            make_rule(surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))

    def starts(self, slots) -> list[str]:
        return [slot.local_start.strftime("%H:%M") for slot in slots]

    def test_an_eight_hour_consultation_started_the_night_before_still_holds_the_morning(self) -> None:
        # Started 01:30 local, eight hours: runs until 09:30, so the 09:00 slot (and its buffer) is taken.
        make_consultation(
            self.ana, self.albany, NINE - timedelta(hours=7, minutes=30), end=NINE + timedelta(minutes=30)
        )
        free_all = free_slots_by_surgeon([self.ana.pk, self.ben.pk], first_day=MONDAY, days=1)
        free_one = free_slots_for(self.ana, first_day=MONDAY, days=1)

        taken = {"09:00"} | ({"09:30"} if booking_policy().buffer else set())
        assert taken.isdisjoint(self.starts(free_all[self.ana.pk]))
        assert self.starts(free_all[self.ana.pk]) == self.starts(free_one)
        assert "09:00" in self.starts(free_all[self.ben.pk])

    def test_overlapping_finds_what_runs_into_the_window_and_nothing_that_ended_before(self) -> None:
        under_way = make_consultation(
            self.ana, self.albany, NINE - timedelta(hours=7, minutes=59), end=NINE + timedelta(minutes=1)
        )
        make_consultation(self.ben, self.albany, NINE - timedelta(hours=2), end=NINE)

        found = Consultation.objects.overlapping(NINE, NINE + timedelta(hours=1))

        assert list(found) == [under_way]


@time_machine.travel(NOW, tick=False)
class FirstFreeSlotTests(TestCase):
    def test_a_first_free_slot_beyond_the_first_look_is_still_found(self) -> None:
        albany = make_location(timezone="America/New_York")
        soon, later, never = (make_surgeon(locations=[albany]) for _ in range(3))
        for surgeon in (soon, later):
            make_rule(surgeon, albany, weekday=0, start_time=time(9), end_time=time(12))
        # Away for five weeks: nothing in the first two-week look.
        make_time_off(later, NOW, NOW + timedelta(weeks=5))

        found = first_free_slots([soon.pk, later.pk, never.pk])

        assert found[soon.pk].start == NINE
        assert found[later.pk].local_start.date() == date(2026, 4, 6)  # the first Monday back
        assert never.pk not in found
