"""The one statement behind the slots API and the booking pages (`SCHEDULE_SQL`): what it may leave
out because the exclusion constraint keeps a surgeon's consultations apart."""

from datetime import UTC, date, datetime, time

import time_machine
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from consultations.booking.availability import free_slots_for
from consultations.models import Consultation
from tests.factories import make_consultation, make_location, make_rule, make_surgeon

API = reverse("consultations:api-slots")
NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
MONDAY = date(2026, 3, 9)


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
