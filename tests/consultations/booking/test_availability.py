"""The one statement behind the slots API and the booking pages (`SCHEDULE_SQL`): what it may leave
out because the exclusion constraint keeps a surgeon's consultations apart. Busy times of many surgeons read
from the (surgeon, start) index, and the directory's first free slots."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from consultations.booking.availability import booking_policy, first_free_slots, free_slots_by_surgeon, free_slots_for
from consultations.models import Consultation
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_time_off

API = reverse("consultations:api-slots")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 9)
NINE_AM = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany


@time_machine.travel(NOW, tick=False)
class ScheduleStatementTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(11))
        cls.kiritimati = make_location(slug="kiritimati", timezone="Pacific/Kiritimati")
        cls.night_surgeon = make_surgeon(slug="noa", locations=[cls.kiritimati])
        make_rule(cls.night_surgeon, cls.kiritimati, weekday=0, start_time=time(0), end_time=time(2))

    def starts(self, **options) -> list[str]:
        found = free_slots_for(self.surgeon, first_day=MONDAY, days=1, **options)
        return [slot.local_start.strftime("%H:%M") for slot in found]

    # No consultation lasts more than eight hours, so one that began before the window can only reach into it
    # where the window opens at local midnight: in the zone fourteen hours ahead of UTC, whose Monday begins at
    # 10:00 UTC on Sunday, just as the window does.
    def kiritimati_starts(self, **options) -> list[str]:
        found = free_slots_for(self.night_surgeon, first_day=MONDAY, days=1, **options)
        return [slot.local_start.strftime("%H:%M") for slot in found]

    def test_a_consultation_that_began_before_the_window_still_blocks_its_end(self) -> None:
        # From 23:00 on Sunday to 01:00 on Monday in Kiritimati: it starts before the window the statement reads.
        long_one = make_consultation(
            self.night_surgeon,
            self.kiritimati,
            datetime(2026, 3, 8, 9, 0, tzinfo=UTC),
            end=datetime(2026, 3, 8, 11, 0, tzinfo=UTC),
            status=Consultation.Status.CONFIRMED,
        )
        # A later one that no longer occupies time must not hide it.
        make_consultation(
            self.night_surgeon,
            self.kiritimati,
            datetime(2026, 3, 8, 9, 30, tzinfo=UTC),
            status=Consultation.Status.CANCELLED,
        )

        assert self.kiritimati_starts() == ["01:00", "01:30"]
        assert self.kiritimati_starts(ignore=long_one) == ["00:00", "00:30", "01:00", "01:30"]

    def test_one_that_ended_as_the_window_opens_blocks_nothing(self) -> None:
        make_consultation(
            self.night_surgeon,
            self.kiritimati,
            datetime(2026, 3, 8, 7, 0, tzinfo=UTC),
            end=datetime(2026, 3, 8, 10, 0, tzinfo=UTC),  # midnight in Kiritimati
        )

        assert self.kiritimati_starts() == ["00:00", "00:30", "01:00", "01:30"]

    def test_no_consultation_lasts_more_than_eight_hours(self) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_consultation(
                self.surgeon,
                self.albany,
                datetime(2026, 3, 7, 12, 0, tzinfo=UTC),
                end=datetime(2026, 3, 7, 20, 1, tzinfo=UTC),
            )

    def test_each_call_reads_the_consultations_as_they_are_now(self) -> None:
        params = {"surgeon": "ana", "start": "2026-03-09", "days": "1"}
        with self.assertNumQueries(1):
            before = self.client.get(API, params).json()["slots"]
        make_consultation(self.surgeon, self.albany, datetime(2026, 3, 9, 13, 30, tzinfo=UTC))

        with self.assertNumQueries(1):
            after = self.client.get(API, params).json()["slots"]

        assert len(before) == 4
        assert [slot["start"][11:16] for slot in after] == ["09:00", "10:00", "10:30"]


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
            self.ana, self.albany, NINE_AM - timedelta(hours=7, minutes=30), end=NINE_AM + timedelta(minutes=30)
        )
        free_all = free_slots_by_surgeon([self.ana.pk, self.ben.pk], first_day=MONDAY, days=1)
        free_one = free_slots_for(self.ana, first_day=MONDAY, days=1)

        taken = {"09:00"} | ({"09:30"} if booking_policy().buffer else set())
        assert taken.isdisjoint(self.starts(free_all[self.ana.pk]))
        assert self.starts(free_all[self.ana.pk]) == self.starts(free_one)
        assert "09:00" in self.starts(free_all[self.ben.pk])

    def test_overlapping_finds_what_runs_into_the_window_and_nothing_that_ended_before(self) -> None:
        under_way = make_consultation(
            self.ana, self.albany, NINE_AM - timedelta(hours=7, minutes=59), end=NINE_AM + timedelta(minutes=1)
        )
        make_consultation(self.ben, self.albany, NINE_AM - timedelta(hours=2), end=NINE_AM)

        found = Consultation.objects.overlapping(NINE_AM, NINE_AM + timedelta(hours=1))

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

        assert found[soon.pk].start == NINE_AM
        assert found[later.pk].local_start.date() == date(2026, 4, 6)  # the first Monday back
        assert never.pk not in found
