"""The slots API's JSON, written out by `slots.free_slots_json` without a datetime per slot, must be exactly
what encoding each slot's local start and end with `isoformat()` and `json.dumps` gives, in every kind of zone
and on the days clocks change."""

import json
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase

from consultations.booking.slots import Policy, Rule, free_slots, free_slots_json

NO_LIMITS = Policy(min_notice=timedelta(0), horizon=timedelta(days=3650))
LONG_AGO = datetime(2025, 1, 1, tzinfo=UTC)
ZONES = [
    "America/New_York",
    "America/Phoenix",  # no clock changes
    "Asia/Kolkata",  # +05:30
    "Asia/Kathmandu",  # +05:45
    "Australia/Lord_Howe",  # moves by half an hour
    "Europe/London",  # +00:00 in winter
]


def change_days(zone: ZoneInfo, year: int) -> list[date]:
    """The local dates of `year` on which the zone's offset changes."""
    day, found = date(year, 1, 1), []
    while day.year == year:
        following = day + timedelta(days=1)
        if datetime.combine(day, time(0), zone).utcoffset() != datetime.combine(following, time(0), zone).utcoffset():
            found.append(day)
        day = following
    return found


def every_day(zone: str, minutes: int, start: str = "00:00", end: str = "23:59") -> list[Rule]:
    return [
        Rule(
            location="clinic",
            timezone=zone,
            weekday=weekday,
            start=time.fromisoformat(start),
            end=time.fromisoformat(end),
            slot_minutes=minutes,
        )
        for weekday in range(7)
    ]


def as_encoded_by_json(rules: list[Rule], busy, first_day: date, days: int) -> str:
    found = free_slots(rules=rules, busy=busy, first_day=first_day, days=days, now=LONG_AGO, policy=NO_LIMITS)
    return json.dumps(
        [
            {
                "start": slot.start.astimezone(ZoneInfo(slot.timezone)).isoformat(),
                "end": slot.end.astimezone(ZoneInfo(slot.timezone)).isoformat(),
                "location": slot.location,
                "timezone": slot.timezone,
            }
            for slot in found
        ]
    )


class FreeSlotsJsonTests(SimpleTestCase):
    def test_the_zones_change_days_are_where_they_should_be(self) -> None:
        # So that the comparisons below do cover the days clocks change.
        assert change_days(ZoneInfo("America/New_York"), 2026) == [date(2026, 3, 8), date(2026, 11, 1)]
        assert change_days(ZoneInfo("Australia/Lord_Howe"), 2026) == [date(2026, 4, 5), date(2026, 10, 4)]
        assert change_days(ZoneInfo("America/Phoenix"), 2026) == []

    def test_same_text_as_json_dumps_in_every_kind_of_zone(self) -> None:
        busy = [(datetime(2026, 3, 9, 14, 10, tzinfo=UTC), datetime(2026, 3, 9, 16, 0, tzinfo=UTC))]
        for zone in ZONES:
            for minutes in (20, 30, 45):
                rules = every_day(zone, minutes, start="00:15")
                for first_day in [date(2026, 3, 2), *change_days(ZoneInfo(zone), 2026)]:
                    first_day -= timedelta(days=1)
                    text = free_slots_json(
                        rules=rules, busy=busy, first_day=first_day, days=3, now=LONG_AGO, policy=NO_LIMITS
                    )

                    assert text == as_encoded_by_json(rules, busy, first_day, 3), (zone, minutes, first_day)
                    assert json.loads(text), (zone, first_day)

    def test_a_slot_across_the_autumn_change_ends_in_standard_time(self) -> None:
        text = free_slots_json(
            rules=every_day("America/New_York", 30, start="01:00", end="02:00"),
            busy=[],
            first_day=date(2026, 11, 1),
            days=1,
            now=LONG_AGO,
            policy=NO_LIMITS,
        )

        assert [(entry["start"], entry["end"]) for entry in json.loads(text)] == [
            ("2026-11-01T01:00:00-04:00", "2026-11-01T01:30:00-04:00"),
            ("2026-11-01T01:30:00-04:00", "2026-11-01T01:00:00-05:00"),
        ]

    def test_names_that_need_escaping_are_escaped(self) -> None:
        rule = Rule(
            location='main "west"',
            timezone="America/New_York",
            weekday=0,
            start=time(9),
            end=time(10),
            slot_minutes=30,
        )

        text = free_slots_json(
            rules=[rule], busy=[], first_day=date(2026, 3, 9), days=1, now=LONG_AGO, policy=NO_LIMITS
        )

        assert text == as_encoded_by_json([rule], [], date(2026, 3, 9), 1)
        assert json.loads(text)[0]["location"] == 'main "west"'
