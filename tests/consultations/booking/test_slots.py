"""Slot generation: pure logic, no database. Dates are in 2026; US clocks change on March 8 and November 1."""

import itertools
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


def generate(rules, first_day: date, days: int = 1, *, busy=(), taken=(), now=LONG_AGO, policy=NO_LIMITS):
    return free_slots(
        rules=rules, busy=list(busy), taken=list(taken), first_day=first_day, days=days, now=now, policy=policy
    )


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
        # 10:00-10:30 booked with a 15-minute buffer: held until 10:45.
        taken = (datetime(2026, 3, 9, 10, tzinfo=NEW_YORK), datetime(2026, 3, 9, 10, 45, tzinfo=NEW_YORK))
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650), buffer=timedelta(minutes=15))

        slots = generate([rule(0, "09:00", "12:00")], self.monday, taken=[taken], policy=policy)

        assert [s[11:16] for s in local_times(slots)] == ["09:00", "11:00", "11:30"]

    def test_the_buffer_does_not_pad_time_off(self) -> None:
        # A 09-12 clinic, time off from 12:00: the 11:30 slot ends as the time off begins, and is kept.
        off = (datetime(2026, 3, 9, 12, tzinfo=NEW_YORK), datetime(2026, 3, 9, 17, tzinfo=NEW_YORK))
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650), buffer=timedelta(minutes=15))

        slots = generate([rule(0, "09:00", "12:00")], self.monday, busy=[off], policy=policy)

        assert [s[11:16] for s in local_times(slots)][-2:] == ["11:00", "11:30"]

    def test_a_consultation_keeps_its_own_buffer_after_it_and_the_one_in_force_before_it(self) -> None:
        # Booked 10:00-10:30 when there was no buffer; now the buffer is 15 minutes. A new slot must end 15
        # minutes before it starts (so not 09:30), and may start as it ends (10:30): what the database holds.
        taken = (datetime(2026, 3, 9, 10, tzinfo=NEW_YORK), datetime(2026, 3, 9, 10, 30, tzinfo=NEW_YORK))
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650), buffer=timedelta(minutes=15))

        slots = generate([rule(0, "09:00", "11:30")], self.monday, taken=[taken], policy=policy)

        assert [s[11:16] for s in local_times(slots)] == ["09:00", "10:30", "11:00"]

    def test_minimum_notice_counts_real_hours_across_a_clock_change(self) -> None:
        now = datetime(2026, 3, 7, 10, 0, tzinfo=NEW_YORK)  # Saturday, EST
        policy = Policy(min_notice=timedelta(hours=48), horizon=timedelta(days=90))

        slots = generate([rule(0, "08:00", "12:00")], self.monday, now=now, policy=policy)

        # 48 real hours later it is 11:00 on Monday, not 10:00: the clocks moved forward in between.
        assert local_times(slots) == ["2026-03-09 11:00 EDT", "2026-03-09 11:30 EDT"]

    def test_the_horizons_last_day_is_whole_in_the_locations_zone(self) -> None:
        # At 10:00 on Monday, seven days ahead is next Monday: all of it, the 09:00 and the 16:00 slot alike,
        # though both are more than seven days away at 16:00; the Monday after is not.
        now = datetime(2026, 3, 9, 10, tzinfo=NEW_YORK)
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=7))
        rules = [rule(0, "09:00", "09:30"), rule(0, "16:00", "16:30")]

        slots = generate(rules, self.monday, days=15, now=now, policy=policy)

        assert local_times(slots) == ["2026-03-09 16:00 EDT", "2026-03-16 09:00 EDT", "2026-03-16 16:00 EDT"]

    def test_the_last_day_is_each_locations_own(self) -> None:
        # 23:30 on Monday in Phoenix is already Tuesday in New York: New York's last day is a day later.
        now = datetime(2026, 3, 9, 23, 30, tzinfo=PHOENIX)
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=7))
        rules = [rule(1, "09:00", "09:30"), rule(1, "09:00", "09:30", zone="America/Phoenix")]

        slots = generate(rules, date(2026, 3, 10), days=14, now=now, policy=policy)

        assert [(slot.location, slot.local_start.date().isoformat()) for slot in slots] == [
            ("albany", "2026-03-10"),
            ("phoenix", "2026-03-10"),
            ("albany", "2026-03-17"),
        ]


busy_ranges = st.lists(
    st.tuples(st.integers(min_value=0, max_value=24 * 60), st.integers(min_value=1, max_value=240)), max_size=8
)


taken_ranges = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=24 * 60),
        st.integers(min_value=1, max_value=240),
        st.integers(min_value=0, max_value=60),
    ),
    max_size=8,
)


class BusyTimePropertyTests(SimpleTestCase):
    @settings(max_examples=200, deadline=None)
    @given(busy_ranges, taken_ranges, st.integers(min_value=0, max_value=60))
    def test_a_slot_is_free_exactly_when_clear_of_time_off_and_of_each_consultations_buffers(
        self, off_ranges, taken_ranges, buffer_minutes
    ) -> None:
        day_start = datetime(2026, 3, 9, tzinfo=NEW_YORK)
        off = [(day_start + timedelta(minutes=a), day_start + timedelta(minutes=a + n)) for a, n in off_ranges]
        # Each consultation with the buffer stored when it was booked.
        booked = [
            (day_start + timedelta(minutes=a), day_start + timedelta(minutes=a + n), timedelta(minutes=b))
            for a, n, b in taken_ranges
        ]
        buffer = timedelta(minutes=buffer_minutes)
        policy = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650), buffer=buffer)

        slots = generate(
            [rule(0, "07:00", "19:00", minutes=20)],
            date(2026, 3, 9),
            busy=off,
            taken=[(start, end + own) for start, end, own in booked],
            policy=policy,
        )

        free_starts = {slot.start for slot in slots}
        for minute in range(7 * 60, 19 * 60, 20):
            start = day_start + timedelta(minutes=minute)
            end = start + timedelta(minutes=20)
            # The database's rule: [start, end + buffer) meets no booked [start, end + its own buffer).
            clear = all(end <= s or e <= start for s, e in off) and all(
                end + buffer <= s or e + own <= start for s, e, own in booked
            )
            assert (start in free_starts) == clear


CHANGE_DAYS_2027 = [date(2027, 3, 14), date(2027, 11, 7)]  # both Sundays: clocks forward, then back


class ClockChangeDayTests(SimpleTestCase):
    """On the days the clocks change, slots stay on the rule's wall-clock grid, last their length in real time,
    and never overlap: one the clocks jump forward in is not offered."""

    def test_the_45_minute_clinic_on_the_spring_day_offers_no_overlapping_slots(self) -> None:
        slots = generate([rule(6, "00:00", "06:00", minutes=45)], date(2027, 3, 14))

        # 01:30 EST + 45 minutes is 03:15 EDT, past the 03:00 slot: not offered. 02:15 does not exist.
        assert local_times(slots)[:4] == [
            "2027-03-14 00:00 EST",
            "2027-03-14 00:45 EST",
            "2027-03-14 03:00 EDT",
            "2027-03-14 03:45 EDT",
        ]

    def test_a_slot_that_ends_as_the_clocks_jump_is_offered(self) -> None:
        # 01:00 EST + 60 minutes is 03:00 EDT, when the 03:00 slot begins: no overlap.
        slots = generate([rule(6, "00:00", "05:00", minutes=60)], date(2027, 3, 14))

        assert local_times(slots) == [
            "2027-03-14 00:00 EST",
            "2027-03-14 01:00 EST",
            "2027-03-14 03:00 EDT",
            "2027-03-14 04:00 EDT",
        ]
        assert slots[1].end == slots[2].start

    def test_the_repeated_autumn_hour_keeps_the_slot_that_runs_into_it(self) -> None:
        # 01:30 EDT + 45 minutes is 01:15 EST: before the 02:15 EST slot, so both are offered.
        slots = generate([rule(6, "00:00", "03:00", minutes=45)], date(2027, 11, 7))

        assert local_times(slots) == [
            "2027-11-07 00:00 EDT",
            "2027-11-07 00:45 EDT",
            "2027-11-07 01:30 EDT",
            "2027-11-07 02:15 EST",
        ]

    def test_every_slot_length_on_both_change_days_in_two_zones(self) -> None:
        for zone in ("America/New_York", "America/Phoenix"):
            tz = ZoneInfo(zone)
            for day in CHANGE_DAYS_2027:
                for minutes in range(5, 121):
                    with self.subTest(zone=zone, day=day, minutes=minutes):
                        slots = generate([rule(6, "00:00", "12:00", zone=zone, minutes=minutes)], day)
                        self.assert_well_formed(slots, tz, day, minutes)

    def assert_well_formed(self, slots, tz: ZoneInfo, day: date, minutes: int) -> None:
        length = timedelta(minutes=minutes)
        assert slots, "a morning clinic offers something"
        for earlier, later in itertools.pairwise(slots):
            assert earlier.end <= later.start
        for slot in slots:
            assert slot.end - slot.start == length
            local = slot.start.astimezone(tz)
            # On the rule's wall-clock grid, at its first occurrence. (A start read in the spring gap would show
            # as a time off the grid: 02:15 EST is 03:15 EDT.)
            wall = local.replace(tzinfo=None)
            assert local.date() == day and (wall.hour * 60 + wall.minute) % minutes == 0
            assert wall.replace(tzinfo=tz).astimezone(UTC) == slot.start
            assert local.fold == 0
        # Nothing lost where the clocks do not change: each grid time from 04:00 (after both changes) is offered.
        offered = {slot.start.astimezone(tz).strftime("%H:%M") for slot in slots}
        for minute in range(4 * 60 + (-4 * 60) % minutes, 12 * 60 - minutes + 1, minutes):
            assert f"{minute // 60:02d}:{minute % 60:02d}" in offered
