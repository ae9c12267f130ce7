"""Free consultation slots from weekly rules: pure logic, no database.

Rules are wall-clock times in each location's own time zone, so a 09:00 clinic stays at 09:00 on both
sides of a daylight-saving change. A local time that does not exist that day (the spring-forward gap)
is skipped; one that happens twice (the fall-back hour) is offered once, at its first occurrence.
Every returned time is an aware datetime in UTC.
"""

from bisect import bisect_left
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo


@dataclass(frozen=True)
class Rule:
    location: str
    timezone: str
    weekday: int  # Monday is 0
    start: time
    end: time
    slot_minutes: int
    valid_from: date | None = None
    valid_until: date | None = None

    def applies_on(self, day: date) -> bool:
        return (
            day.weekday() == self.weekday
            and (self.valid_from is None or day >= self.valid_from)
            and (self.valid_until is None or day <= self.valid_until)
        )


@dataclass(frozen=True)
class Slot:
    start: datetime
    end: datetime
    location: str
    timezone: str

    @property
    def local_start(self) -> datetime:
        return self.start.astimezone(ZoneInfo(self.timezone))

    @property
    def label(self) -> str:
        """The local time with its zone's abbreviation, e.g. '9:30 AM EST'."""
        local = self.local_start
        return f"{local.hour % 12 or 12}:{local:%M} {'AM' if local.hour < 12 else 'PM'} {local.tzname()}"

    @property
    def day_label(self) -> str:
        """The local date, e.g. 'Monday, March 9, 2026'."""
        local = self.local_start
        return f"{local:%A, %B} {local.day}, {local.year}"

    @property
    def token(self) -> str:
        """How pages carry a slot in a form: 'ISO start|location slug'."""
        return f"{self.start.isoformat()}|{self.location}"


@dataclass(frozen=True)
class Policy:
    """Practice-wide booking limits."""

    min_notice: timedelta = timedelta(hours=24)
    horizon: timedelta = timedelta(days=90)
    buffer: timedelta = timedelta(0)


def local_instant(day: date, at: time, zone: ZoneInfo) -> datetime | None:
    """The UTC instant of wall-clock `at` on `day` in `zone`; None if that time does not exist that day."""
    wall = datetime.combine(day, at, tzinfo=zone)  # fold=0: the first of two occurrences
    instant = wall.astimezone(UTC)
    if instant.astimezone(zone).replace(tzinfo=None) != wall.replace(tzinfo=None):
        return None  # inside the spring-forward gap
    return instant


class Busy:
    """Time ranges that block slots, searchable by start."""

    def __init__(self, ranges: list[tuple[datetime, datetime]]) -> None:
        self.ranges = sorted(ranges)
        self.starts = [start for start, _ in self.ranges]
        # The latest end among ranges starting at or before each index, to find overlaps by bisecting.
        self.max_end: list[datetime] = []
        for _, end in self.ranges:
            self.max_end.append(max(end, self.max_end[-1]) if self.max_end else end)

    def overlaps(self, start: datetime, end: datetime) -> bool:
        index = bisect_left(self.starts, end) - 1
        return index >= 0 and self.max_end[index] > start


def free_slots(
    *,
    rules: list[Rule],
    busy: list[tuple[datetime, datetime]],
    first_day: date,
    days: int,
    now: datetime,
    policy: Policy = Policy(),
) -> list[Slot]:
    """Free slots on local dates `first_day` to `first_day + days - 1`, in time order, one per start time."""
    blocked = Busy(busy)
    # In UTC, so adding hours adds real hours (aware arithmetic in a local zone is wall-clock arithmetic).
    now = now.astimezone(UTC)
    earliest, latest = now + policy.min_notice, now + policy.horizon
    found: dict[datetime, Slot] = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for rule in rules:
            if not rule.applies_on(day):
                continue
            zone = ZoneInfo(rule.timezone)
            length = timedelta(minutes=rule.slot_minutes)
            wall = datetime.combine(day, rule.start)
            while wall + length <= datetime.combine(day, rule.end):
                start = local_instant(day, wall.time(), zone)
                wall += length
                if start is None or start in found or not earliest <= start <= latest:
                    continue
                end = start + length
                if blocked.overlaps(start - policy.buffer, end + policy.buffer):
                    continue
                found[start] = Slot(start=start, end=end, location=rule.location, timezone=rule.timezone)
    return [found[start] for start in sorted(found)]


def is_offered(slots: list[Slot], start: datetime, location: str) -> Slot | None:
    return next((slot for slot in slots if slot.start == start and slot.location == location), None)
