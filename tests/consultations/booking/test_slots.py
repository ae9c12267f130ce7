"""Slot generation: pure logic, no database. Dates are in 2026; US clocks change on March 8 and November 1."""

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from hypothesis import given, settings
from hypothesis import strategies as st

from consultations.booking.slots import Policy, Rule, free_slots

NEW_YORK = ZoneInfo("America/New_York")
PHOENIX = ZoneInfo("America/Phoenix")
LONG_AGO = datetime(2026, 1, 1, tzinfo=UTC)
NO_LIMITS = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650))


def rule(weekday: int, start: str, end: str, *, zone: str = "America/New_York", minutes: int = 30, **extra) -> Rule:
    return Rule(
        location="albany" if zone == "America/New_York" else "phoenix",
        timezone=zone,
        weekday=weekday,
        start=time.fromisoformat(start),
        end=time.fromisoformat(end),
        slot_minutes=minutes,
        **extra,
    )


def local_times(slots, zone=NEW_YORK) -> list[str]:
    return [slot.start.astimezone(zone).strftime("%Y-%m-%d %H:%M %Z") for slot in slots]


def generate(rules, first_day: date, days: int = 1, *, busy=(), now=LONG_AGO, policy=NO_LIMITS):
    return free_slots(rules=rules, busy=list(busy), first_day=first_day, days=days, now=now, policy=policy)


class DaylightSavingTests(SimpleTestCase):
    def test_nine_oclock_stays_nine_oclock_across_the_spring_change(self) -> None:
        # Saturday March 7 (EST) and Monday March 9 (EDT).
        slots = generate([rule(5, "09:00", "09:30"), rule(0, "09:00", "09:30")], date(2026, 3, 7), days=3)

        assert local_times(slots) == ["2026-03-07 09:00 EST", "2026-03-09 09:00 EDT"]
        assert [slot.start.hour for slot in slots] == [14, 13]  # in UTC

    def test_times_in_the_spring_gap_are_skipped(self) -> None:
        # Sunday March 8: 02:00-02:59 does not exist in New York.
        slots = generate([rule(6, "01:00", "04:00")], date(2026, 3, 8))

        assert local_times(slots) == [
            "2026-03-08 01:00 EST",
            "2026-03-08 01:30 EST",
            "2026-03-08 03:00 EDT",
            "2026-03-08 03:30 EDT",
        ]

    def test_the_repeated_autumn_hour_is_offered_once(self) -> None:
        # Sunday November 1: 01:00-01:59 happens twice.
        slots = generate([rule(6, "00:30", "02:30")], date(2026, 11, 1))

        assert local_times(slots) == [
            "2026-11-01 00:30 EDT",
            "2026-11-01 01:00 EDT",
            "2026-11-01 01:30 EDT",
            "2026-11-01 02:00 EST",
        ]
        assert len({slot.start for slot in slots}) == 4

    def test_nine_oclock_stays_nine_oclock_across_the_autumn_change(self) -> None:
        slots = generate([rule(5, "09:00", "09:30"), rule(0, "09:00", "09:30")], date(2026, 10, 31), days=3)

        assert local_times(slots) == ["2026-10-31 09:00 EDT", "2026-11-02 09:00 EST"]

    def test_phoenix_has_no_change(self) -> None:
        slots = generate([rule(6, "01:00", "03:00", zone="America/Phoenix", minutes=60)], date(2026, 3, 8))

        assert local_times(slots, PHOENIX) == ["2026-03-08 01:00 MST", "2026-03-08 02:00 MST"]
        assert [slot.start.hour for slot in slots] == [8, 9]


class RuleTests(SimpleTestCase):
    def test_a_rule_fills_its_hours_with_whole_slots(self) -> None:
        slots = generate([rule(0, "09:00", "10:40", minutes=30)], date(2026, 3, 9))

        assert local_times(slots) == ["2026-03-09 09:00 EDT", "2026-03-09 09:30 EDT", "2026-03-09 10:00 EDT"]
        assert all(slot.end - slot.start == timedelta(minutes=30) for slot in slots)

    def test_morning_and_afternoon_clinics_at_different_locations(self) -> None:
        slots = generate(
            [rule(0, "09:00", "10:00", minutes=60), rule(0, "13:00", "14:00", zone="America/Phoenix", minutes=60)],
            date(2026, 3, 9),
        )

        assert [(slot.location, slot.local_start.strftime("%H:%M")) for slot in slots] == [
            ("albany", "09:00"),
            ("phoenix", "13:00"),
        ]

    def test_overlapping_rules_offer_each_start_once(self) -> None:
        slots = generate([rule(0, "09:00", "11:00"), rule(0, "10:00", "12:00")], date(2026, 3, 9))

        starts = local_times(slots)
        assert len(starts) == len(set(starts)) == 6
        assert starts[0] == "2026-03-09 09:00 EDT" and starts[-1] == "2026-03-09 11:30 EDT"

    def test_valid_from_and_until_are_inclusive(self) -> None:
        monday_rule = rule(0, "09:00", "09:30", valid_from=date(2026, 3, 9), valid_until=date(2026, 3, 16))

        slots = generate([monday_rule], date(2026, 3, 2), days=22)

        assert local_times(slots) == ["2026-03-09 09:00 EDT", "2026-03-16 09:00 EDT"]


class WhatBlocksASlotTests(SimpleTestCase):
    monday = date(2026, 3, 9)

    def test_time_off_cuts_a_rule_in_half(self) -> None:
        off = (datetime(2026, 3, 9, 10, tzinfo=NEW_YORK), datetime(2026, 3, 9, 11, tzinfo=NEW_YORK))

        slots = generate([rule(0, "09:00", "12:00")], self.monday, busy=[off])

        assert [s[11:16] for s in local_times(slots)] == ["09:00", "09:30", "11:00", "11:30"]

    def test_an_occupied_slot_is_not_offered(self) -> None:
        taken = (datetime(2026, 3, 9, 9, 30, tzinfo=NEW_YORK), datetime(2026, 3, 9, 10, tzinfo=NEW_YORK))

        slots = generate([rule(0, "09:00", "10:30")], self.monday, busy=[taken])

        assert [s[11:16] for s in local_times(slots)] == ["09:00", "10:00"]

    def test_a_buffer_keeps_slots_clear_of_consultations(self) -> None:
        taken = (datetime(2026, 3, 9, 10, tzinfo=NEW_YORK), datetime(2026, 3, 9, 10, 30, tzinfo=NEW_YORK))
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650), buffer=timedelta(minutes=15))

        slots = generate([rule(0, "09:00", "12:00")], self.monday, busy=[taken], policy=policy)

        assert [s[11:16] for s in local_times(slots)] == ["09:00", "11:00", "11:30"]

    def test_minimum_notice_counts_real_hours_across_a_clock_change(self) -> None:
        now = datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK)  # Saturday, EST
        policy = Policy(min_notice=timedelta(hours=48), horizon=timedelta(days=90))

        slots = generate([rule(0, "08:00", "12:00")], self.monday, now=now, policy=policy)

        # 48 real hours later it is 11:00 on Monday, not 10:00: the clocks moved forward in between.
        assert local_times(slots) == ["2026-03-09 11:00 EDT", "2026-03-09 11:30 EDT"]

    def test_booking_horizon(self) -> None:
        now = datetime(2026, 3, 9, 8, tzinfo=NEW_YORK)
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=7))

        slots = generate([rule(0, "09:00", "09:30")], self.monday, days=15, now=now, policy=policy)

        assert local_times(slots) == ["2026-03-09 09:00 EDT"]


busy_ranges = st.lists(
    st.tuples(st.integers(min_value=0, max_value=24 * 60), st.integers(min_value=1, max_value=240)), max_size=8
)


class BusyTimePropertyTests(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(busy_ranges, st.integers(min_value=0, max_value=60))
    def test_no_slot_ever_overlaps_what_is_busy(self, ranges, buffer_minutes) -> None:
        day_start = datetime(2026, 3, 9, tzinfo=NEW_YORK)
        busy = [(day_start + timedelta(minutes=a), day_start + timedelta(minutes=a + length)) for a, length in ranges]
        buffer = timedelta(minutes=buffer_minutes)
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650), buffer=buffer)

        slots = generate([rule(0, "07:00", "19:00", minutes=20)], date(2026, 3, 9), busy=busy, policy=policy)

        for slot in slots:
            for start, end in busy:
                assert slot.end + buffer <= start or end <= slot.start - buffer
        free_starts = {slot.start for slot in slots}
        for minute in range(7 * 60, 19 * 60, 20):
            candidate = day_start + timedelta(minutes=minute)
            clear = all(candidate + timedelta(minutes=20) + buffer <= s or e <= candidate - buffer for s, e in busy)
            assert (candidate in free_starts) == clear
