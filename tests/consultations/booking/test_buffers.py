"""The buffer between consultations, held by the database: each consultation stores the buffer in force when it
was booked or moved, and the exclusion constraint keeps [start, end + buffer) apart. The free slots offered agree
with what the database accepts; time off is not padded."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.db import IntegrityError, transaction
from django.test import TestCase, override_settings

from clinic import roles
from consultations.booking.availability import SlotUnavailable, desk_policy, free_slots_for, is_overlap
from consultations.booking.screening import ScreenResult
from consultations.booking.services import (
    PatientDetails,
    cancel_consultation,
    request_consultation,
    reschedule_consultation,
    take_waitlist_offer,
)
from consultations.booking.waitlist import join_waitlist
from consultations.desk.booking import Booking, book_for_patient
from consultations.desk.services import propose_another_time
from consultations.models import Consultation, WaitlistOffer
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_time_off, make_user

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
MONDAY = date(2026, 3, 9)
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany
MINUTE = timedelta(minutes=1)


def details(number: int = 1) -> PatientDetails:
    return PatientDetails(
        first_name="Robin",
        last_name=f"Fictional{number}",
        date_of_birth=date(1968, 4, number),
        email=f"robin{number}@example.com",
        phone="(518) 555-0123",
    )


def at(minutes: int) -> datetime:
    """Minutes after 09:00 EDT on Monday March 9."""
    return NINE + minutes * MINUTE


class BufferConstraintTests(TestCase):
    """What PostgreSQL itself refuses, whichever code path writes."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location()
        cls.surgeon = make_surgeon(locations=[cls.albany])

    def refused(self, start: datetime, **fields) -> bool:
        try:
            with transaction.atomic():
                make_consultation(self.surgeon, self.albany, start, **fields)
        except IntegrityError as error:
            assert is_overlap(error)
            return True
        return False

    def test_the_next_consultation_starts_at_least_the_buffer_after_one_ends(self) -> None:
        make_consultation(self.surgeon, self.albany, at(0), buffer_minutes=15)  # 09:00-09:30, clear until 09:45

        assert self.refused(at(30))
        assert self.refused(at(44))
        assert not self.refused(at(45))

    def test_one_booked_before_ends_its_own_buffer_before_the_next_starts(self) -> None:
        make_consultation(self.surgeon, self.albany, at(60))  # 10:00-10:30, no buffer of its own

        assert self.refused(at(30), buffer_minutes=15)  # 09:30-10:00 + 15 runs into 10:00
        assert not self.refused(at(15), buffer_minutes=15)  # 09:15-09:45 + 15 ends at 10:00
        assert not self.refused(at(30 + 60), buffer_minutes=15)  # right after: 10:30 needs only its buffer 0

    def test_an_odd_buffer_is_kept_to_the_minute(self) -> None:
        make_consultation(self.surgeon, self.albany, at(0), buffer_minutes=7)

        assert self.refused(at(36))
        assert not self.refused(at(37))

    def test_consultations_without_a_buffer_may_still_be_back_to_back(self) -> None:
        make_consultation(self.surgeon, self.albany, at(0))

        assert not self.refused(at(30))
        assert Consultation.objects.filter(buffer_minutes=0).count() == 2

    def test_a_cancelled_consultation_holds_no_buffer(self) -> None:
        make_consultation(self.surgeon, self.albany, at(0), buffer_minutes=15, status="cancelled")

        assert not self.refused(at(30))

    def test_a_buffer_longer_than_four_hours_is_refused(self) -> None:
        with pytest.raises(IntegrityError, match="consultation_buffer_at_most_four_hours"):
            make_consultation(self.surgeon, self.albany, at(0), buffer_minutes=241)


@time_machine.travel(NOW, tick=False)
@override_settings(BOOKING_BUFFER_MINUTES=15)
class FreeSlotsAgreeWithTheDatabaseTests(TestCase):
    """A slot offered can be booked, and a slot not offered is refused by the database (time off aside)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(8), end_time=time(13), slot_minutes=20)

    def bookable(self, start: datetime) -> bool:
        """Whether the database takes a 20-minute consultation at `start` with today's buffer; nothing is kept."""
        try:
            with transaction.atomic():
                make_consultation(self.surgeon, self.albany, start, end=start + 20 * MINUTE, buffer_minutes=15)
                transaction.set_rollback(True)
        except IntegrityError as error:
            assert is_overlap(error)
            return False
        return True

    def test_offered_exactly_when_the_database_would_take_it(self) -> None:
        # Booked under earlier settings (no buffer, 7 minutes) and under today's (15): the stored buffers count.
        make_consultation(self.surgeon, self.albany, at(20), end=at(45), buffer_minutes=0)
        make_consultation(self.surgeon, self.albany, at(95), end=at(110), buffer_minutes=7)
        make_consultation(self.surgeon, self.albany, at(170), end=at(190), buffer_minutes=15)

        offered = {slot.start for slot in free_slots_for(self.surgeon, first_day=MONDAY, days=1)}

        grid = [at(-60) + n * 20 * MINUTE for n in range(15)]
        assert {start for start in grid if self.bookable(start)} == offered
        assert at(40 + 20) in offered  # 10:00: as the 09:20-09:45 one (no buffer of its own) is 15 minutes over
        assert at(0) not in offered  # 09:00-09:20 + 15 runs into 09:20

    def test_the_buffer_does_not_pad_time_off(self) -> None:
        # A 08-13 clinic of 20-minute slots with time off from 13:00: the 12:40 slot is kept.
        make_time_off(self.surgeon, at(240), at(480))
        make_consultation(self.surgeon, self.albany, at(120), end=at(140), buffer_minutes=15)

        starts = [slot.local_start.strftime("%H:%M") for slot in free_slots_for(self.surgeon, first_day=MONDAY, days=1)]

        assert starts[-1] == "12:40"
        assert "10:40" not in starts and "11:20" not in starts  # the consultation at 11:00 keeps its buffers
        assert "10:20" in starts and "11:40" in starts


@time_machine.travel(NOW, tick=False)
@override_settings(BOOKING_BUFFER_MINUTES=15)
class EveryPathStoresTheBufferTests(TestCase):
    """The buffer in force when a consultation is booked or moved is stored with it, by every path."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK)

    def request(self, start: datetime, number: int = 1) -> Consultation:
        return request_consultation(
            surgeon=self.surgeon,
            location=self.albany,
            start=start,
            details=details(number),
            visit_type="in_person",
            reason="Fictional.",
            idempotency_key=uuid.uuid4(),
        )

    def test_a_patients_request(self) -> None:
        assert self.request(at(0)).buffer_minutes == 15

    def test_a_request_refused_within_the_buffer_says_the_time_is_not_free(self) -> None:
        self.request(at(0))

        with pytest.raises(SlotUnavailable):
            self.request(at(30), number=2)
        assert Consultation.objects.count() == 1

    def test_a_desk_booking_of_a_slot_and_of_a_typed_time(self) -> None:
        screen = ScreenResult.passed((), recent_surgery=False, acknowledged=True, at=NOW)
        booking = Booking(
            surgeon=self.surgeon,
            location=self.albany,
            start=at(0),
            end=None,
            visit_type="in_person",
            reason="Fictional.",
            channel="phone",
        )
        slot = book_for_patient(booking=booking, details=details(), screen=screen, by=self.desk)
        typed = Booking(**booking.__dict__ | {"start": at(45), "end": at(60), "channel": "walk_in"})
        walk_in = book_for_patient(booking=typed, details=details(2), screen=screen, by=self.desk)

        assert (slot.buffer_minutes, walk_in.buffer_minutes) == (15, 15)

    def test_a_move_by_the_patient_or_the_desk_takes_the_buffer_in_force_then(self) -> None:
        with override_settings(BOOKING_BUFFER_MINUTES=0):
            consultation = self.request(at(0))
        assert consultation.buffer_minutes == 0

        moved = reschedule_consultation(consultation=consultation, start=at(60), location=self.albany)
        assert Consultation.objects.get(pk=moved.pk).buffer_minutes == 15

        with override_settings(BOOKING_BUFFER_MINUTES=5):
            propose_another_time(
                consultation=moved, surgeon=self.surgeon, start=at(120), location=self.albany, by=self.desk
            )
        assert Consultation.objects.get(pk=moved.pk).buffer_minutes == 5

    def test_taking_a_waitlist_offer(self) -> None:
        with override_settings(BOOKING_BUFFER_MINUTES=0):
            early = self.request(at(0))
            later = self.request(at(120), number=2)
        join_waitlist(consultation=later)
        cancel_consultation(consultation=early)

        take_waitlist_offer(offer=WaitlistOffer.objects.get())

        later.refresh_from_db()
        assert (later.start, later.buffer_minutes) == (at(0), 15)


@time_machine.travel(datetime(2027, 3, 1, 12, 0, tzinfo=UTC), tick=False)
class ClockChangeDayBookingTests(TestCase):
    """Every slot offered on the days the clocks change can be booked, all of them at once (the desk's policy
    reaches November from March)."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=6, start_time=time(0), end_time=time(6), slot_minutes=45)

    def test_the_database_takes_every_slot_offered(self) -> None:
        for day in (date(2027, 3, 14), date(2027, 11, 7)):
            offered = free_slots_for(self.surgeon, first_day=day, days=1, policy=desk_policy())

            for slot in offered:
                make_consultation(self.surgeon, self.albany, slot.start, end=slot.end, status="confirmed")

            assert len(offered) >= 6
            assert Consultation.objects.filter(start__in=[slot.start for slot in offered]).count() == len(offered)
