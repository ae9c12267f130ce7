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
    wall = datetime.combine(day, at)
    offset = _offset(wall, zone)
    return None if offset is None else (wall - offset).replace(tzinfo=UTC)


def _offset(wall: datetime, zone: ZoneInfo) -> timedelta | None:
    """The UTC offset of naive wall time `wall` in `zone` at its first occurrence; None if it does not exist."""
    # PEP 495: a wall time's two readings (fold 0 and 1) differ only next to a clock change. Fold 0's offset is
    # the smaller one inside the spring-forward gap and the larger one in the repeated autumn hour, where fold 0
    # is the first occurrence: the one offered.
    offset = zone.utcoffset(wall)
    return None if offset < zone.utcoffset(wall.replace(fold=1)) else offset


class Busy:
    """Time ranges that block slots, searchable by start."""

    def __init__(self, ranges: list[tuple[datetime, datetime]]) -> None:
        # All in UTC: comparing datetimes that share one tzinfo skips the offset lookups.
        self.ranges = sorted((start.astimezone(UTC), end.astimezone(UTC)) for start, end in ranges)
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
    buffer = policy.buffer
    zones = {rule.timezone: ZoneInfo(rule.timezone) for rule in rules}
    found: dict[datetime, Slot] = {}
    for offset in range(days):
        day = first_day + timedelta(days=offset)
        for rule in rules:
            if not rule.applies_on(day):
                continue
            zone = zones[rule.timezone]
            length = timedelta(minutes=rule.slot_minutes)
            # Wall-clock times, so adding the slot length moves the clock hands as the rule means: naive for the
            # zone's offsets, and read as if UTC, which minus the offset is the instant (cheaper than replace()).
            wall, last = datetime.combine(day, rule.start), datetime.combine(day, rule.end) - length
            wall_as_utc = datetime.combine(day, rule.start, tzinfo=UTC)
            while wall <= last:
                offset = _offset(wall, zone)
                start = wall_as_utc - offset if offset is not None else None
                wall += length
                wall_as_utc += length
                if start is None or start in found or not earliest <= start <= latest:
                    continue
                end = start + length
                if blocked.overlaps(start - buffer, end + buffer):
                    continue
                found[start] = Slot(start=start, end=end, location=rule.location, timezone=rule.timezone)
    return [found[start] for start in sorted(found)]


def as_json(found: list[Slot]) -> list[dict[str, str]]:
    """The slots API's entries: start and end in the location's time, with their UTC offsets."""
    zones: dict[str, ZoneInfo] = {}
    entries = []
    for slot in found:
        zone = zones.get(slot.timezone) or zones.setdefault(slot.timezone, ZoneInfo(slot.timezone))
        entries.append(
            {
                "start": slot.start.astimezone(zone).isoformat(),
                "end": slot.end.astimezone(zone).isoformat(),
                "location": slot.location,
                "timezone": slot.timezone,
            }
        )
    return entries


def is_offered(slots: list[Slot], start: datetime, location: str) -> Slot | None:
    return next((slot for slot in slots if slot.start == start and slot.location == location), None)
