"""Free consultation slots from weekly rules: pure logic, no database.

Rules are wall-clock times in each location's own time zone, so a 09:00 clinic stays at 09:00 on both
sides of a daylight-saving change. A local time that does not exist that day (the spring-forward gap)
is skipped; one that happens twice (the fall-back hour) is offered once, at its first occurrence. Every slot
lasts its length in real minutes and ends no later than the wall clock reaches its end: a slot the clocks
jump forward in (01:30 EST + 45 minutes is 03:15 EDT, past the 03:00 slot) is not offered, so no two overlap.
The booking horizon ends with the last whole local day in each location's zone. Every returned time is an
aware datetime in UTC, except in the slots API's JSON text (`free_slots_json`), which gives local times with
their offsets.

Time off blocks the slots it overlaps. A consultation blocks the slots within the buffer before it (the buffer
now in force, which the new slot would keep clear after itself) and within its own stored buffer after it:
what the database's exclusion constraint refuses (`consultation_no_overlap`).
"""

import json
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from consultations import when

# Local dates run up to 14 hours either side of UTC (from UTC-12 to UTC+14).
ZONE_MARGIN = timedelta(hours=14)
FURTHEST_AHEAD = ZoneInfo("Etc/GMT-14")  # POSIX signs: UTC+14


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
        return when.clock_zone(self.local_start)

    @property
    def day_label(self) -> str:
        """The local date, e.g. 'Monday, March 9, 2026'."""
        return when.day(self.local_start)

    @property
    def token(self) -> str:
        return slot_token(self.start, self.location)


def slot_token(start: datetime, location: str) -> str:
    """How pages carry a slot in a form or a link: 'ISO start|location slug' (read back by `parse_slot`)."""
    return f"{start.isoformat()}|{location}"


@dataclass(frozen=True)
class Policy:
    """Practice-wide booking limits."""

    min_notice: timedelta = timedelta(hours=24)
    # Whole days: slots are offered up to the end of the local date this many days after today.
    horizon: timedelta = timedelta(days=90)
    buffer: timedelta = timedelta(0)

    def last_day(self, now: datetime, zone: ZoneInfo) -> date:
        """The last local date in `zone` with slots offered: all of it, whatever the time of day now."""
        return now.astimezone(zone).date() + timedelta(days=self.horizon.days)

    def last_day_anywhere(self, now: datetime) -> date:
        """The latest `last_day` of any zone: the one furthest ahead of UTC (14 hours)."""
        return self.last_day(now, FURTHEST_AHEAD)


def local_days_window(first_day: date, days: int) -> tuple[datetime, datetime]:
    """The UTC range that holds every instant of the local dates from `first_day` for `days` days, in any zone."""
    since = datetime.combine(first_day, time.min, tzinfo=UTC) - ZONE_MARGIN
    return since, datetime.combine(first_day + timedelta(days=days), time.min, tzinfo=UTC) + ZONE_MARGIN


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


# Inside the generator an instant is a whole number of microseconds since the Unix epoch: adding, comparing and
# hashing integers is several times cheaper than doing it with aware datetimes, and exact.
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_MICROSECOND = timedelta(microseconds=1)
_MINUTE = 60_000_000


def _micros(moment: datetime) -> int:
    """An aware datetime as microseconds since the epoch."""
    return (moment - _EPOCH) // _MICROSECOND


def _instant(micros: int) -> datetime:
    return _EPOCH + timedelta(microseconds=micros)


# Busy time ranges: aware datetimes, or microseconds since the epoch as the schedule statement reads them.
Ranges = list[tuple[datetime, datetime]] | list[tuple[int, int]]


def _in_micros(ranges: Ranges) -> list[tuple[int, int]]:
    return [(start, end) if isinstance(start, int) else (_micros(start), _micros(end)) for start, end in ranges]


class Busy:
    """Time ranges that block slots, merged: disjoint and in order. `busy` blocks what overlaps it (time off);
    `taken` (consultations, each up to the end of its own buffer) also blocks the `buffer` before it."""

    def __init__(self, busy: Ranges, taken: Ranges = (), buffer: timedelta = timedelta(0)) -> None:
        pad = buffer // _MICROSECOND
        ranges = _in_micros(busy) + [(start - pad, end) for start, end in _in_micros(taken)]
        merged: list[list[int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1][1] = max(merged[-1][1], end)
            else:
                merged.append([start, end])
        self.starts = [start for start, _ in merged]
        self.ends = [end for _, end in merged]

    def first_ending_after(self, moment: int) -> int:
        """The first range that can block a slot starting at `moment` or later."""
        return bisect_right(self.ends, moment)

    def overlaps(self, start: int | datetime, end: int | datetime) -> bool:
        """Whether [start, end) meets a range; microseconds since the epoch, or aware datetimes."""
        if isinstance(start, datetime):
            start, end = _micros(start), _micros(end)
        index = self.first_ending_after(start)
        return index < len(self.starts) and self.starts[index] < end


# A free slot as generated: start and end (microseconds since the epoch), the index of its rule, and its local
# start and end as ISO 8601 text.
Offer = tuple[int, int, int, str, str]

# "HH:MM" for each minute of a day, so that a slot's local time is a lookup, not a datetime formatted.
_CLOCK = [f"{hour:02d}:{minute:02d}" for hour in range(24) for minute in range(60)]


def _offers(
    *,
    rules: list[Rule],
    busy: Ranges,
    taken: Ranges,
    first_day: date,
    days: int,
    now: datetime,
    policy: Policy,
) -> list[Offer]:
    """Free slots on local dates `first_day` to `first_day + days - 1`, in time order, one per start time."""
    blocked = Busy(busy, taken, policy.buffer)
    # In UTC, so adding hours adds real hours (aware arithmetic in a local zone is wall-clock arithmetic).
    now = now.astimezone(UTC)
    earliest = _micros(now + policy.min_notice)
    zones = {rule.timezone: ZoneInfo(rule.timezone) for rule in rules}
    last_days = {name: policy.last_day(now, zone) for name, zone in zones.items()}
    by_weekday: list[list[int]] = [[] for _ in range(7)]
    for index, rule in enumerate(rules):
        by_weekday[rule.weekday].append(index)
    found: dict[int, Offer] = {}
    for number in range(days):
        day = first_day + timedelta(days=number)
        for index in by_weekday[day.weekday()]:
            rule = rules[index]
            if rule.applies_on(day) and day <= last_days[rule.timezone]:
                _offer_rule_day(found, index, rule, day, zones[rule.timezone], blocked, earliest)
    return [found[start] for start in sorted(found)]


def _offer_rule_day(
    found: dict[int, Offer],
    index: int,
    rule: Rule,
    day: date,
    zone: ZoneInfo,
    blocked: Busy,
    earliest: int,
) -> None:
    """Add the free slots of `rule` on `day` to `found`, unless an earlier rule offers the same start."""
    length = timedelta(minutes=rule.slot_minutes)
    # Wall-clock times, so adding the slot length moves the clock hands as the rule means.
    wall, last = datetime.combine(day, rule.start), datetime.combine(day, rule.end) - length
    if wall > last:
        return
    offset = _offset(wall, zone)
    if offset is not None and rule.start.second == rule.start.microsecond == 0:
        first = datetime.combine(day, rule.start, tzinfo=UTC) - offset
        first_local = first.astimezone(zone)
        count = (last - wall) // length + 1
        # One offset from the first start to the last end: every slot is the first plus whole slot lengths, in
        # UTC and on the wall clock alike, with no gap or repeated hour in between. That holds on all but the
        # days a clock changes during the clinic (no zone changes twice within a day and back again).
        if first_local.utcoffset() == offset == (first + count * length).astimezone(zone).utcoffset():
            _offer_steady(found, index, rule.slot_minutes, count, first_local, blocked, earliest)
            return
    # A clock change within the clinic: each wall time on its own, as PEP 495 reads it. A slot lasts its length
    # in real time, and must be over when the wall clock reaches its end (the next slot's start): one the clocks
    # spring forward in would run into the next slot, so it is not offered.
    wall_as_utc = datetime.combine(day, rule.start, tzinfo=UTC)
    while wall <= last:
        offset = _offset(wall, zone)
        start = wall_as_utc - offset if offset is not None else None
        wall += length
        wall_as_utc += length
        if start is None:
            continue
        start_at, end_at = _micros(start), _micros(start + length)
        if (
            start_at in found
            or start_at < earliest
            or end_at > _micros(_reached(wall, zone))
            or blocked.overlaps(start_at, end_at)
        ):
            continue
        local_start, local_end = start.astimezone(zone).isoformat(), (start + length).astimezone(zone).isoformat()
        found[start_at] = (start_at, end_at, index, local_start, local_end)


def _reached(wall: datetime, zone: ZoneInfo) -> datetime:
    """The first instant at which the clock in `zone` shows naive `wall` or later: its first occurrence, or for a
    time the clocks skip, the moment they jump past it."""
    as_utc = wall.replace(tzinfo=UTC)
    offset = _offset(wall, zone)
    if offset is not None:
        return as_utc - offset
    # In the gap: read with the offset after the change the instant is too early, with the one before too late.
    # The change lies between; find it to the second (on the day of a clock change only, a dozen steps).
    early = as_utc - zone.utcoffset(wall.replace(fold=1))
    too_early, late_enough = 0, int((zone.utcoffset(wall.replace(fold=1)) - zone.utcoffset(wall)).total_seconds())
    while late_enough - too_early > 1:
        middle = (too_early + late_enough) // 2
        if (early + timedelta(seconds=middle)).astimezone(zone).replace(tzinfo=None) >= wall:
            late_enough = middle
        else:
            too_early = middle
    return early + timedelta(seconds=late_enough)


def _offer_steady(
    found: dict[int, Offer],
    index: int,
    minutes: int,
    count: int,
    first_local: datetime,
    blocked: Busy,
    earliest: int,
) -> None:
    """The slots of a rule on a day with one UTC offset throughout: no zone lookups and no formatting per slot."""
    # The local date and the offset as isoformat() writes them; each slot only changes the clock time between.
    first_text = first_local.isoformat()
    date_part, offset_part = first_text[:11], f":00{first_text[19:]}"
    minute = first_local.hour * 60 + first_local.minute
    step = minutes * _MINUTE
    start = _micros(first_local)
    starts, ends = blocked.starts, blocked.ends
    ahead, ranges = blocked.first_ending_after(start), len(starts)
    text = f"{date_part}{_CLOCK[minute]}{offset_part}"
    for _ in range(count):
        end = start + step
        minute += minutes
        end_text = f"{date_part}{_CLOCK[minute]}{offset_part}"
        if earliest <= start and start not in found:
            # Slots come in time order, so the ranges that end before this one starts are behind for good.
            while ahead < ranges and ends[ahead] <= start:
                ahead += 1
            if ahead == ranges or starts[ahead] >= end:
                found[start] = (start, end, index, text, end_text)
        start, text = end, end_text


def free_slots(
    *,
    rules: list[Rule],
    busy: Ranges,
    first_day: date,
    days: int,
    now: datetime,
    policy: Policy = Policy(),
    taken: Ranges = (),
) -> list[Slot]:
    """Free slots on local dates `first_day` to `first_day + days - 1`, in time order, one per start time.
    `busy`: time off; `taken`: consultations, each from its start to the end of its own buffer."""
    offers = _offers(rules=rules, busy=busy, taken=taken, first_day=first_day, days=days, now=now, policy=policy)
    return [
        Slot(start=_instant(start), end=_instant(end), location=rules[index].location, timezone=rules[index].timezone)
        for start, end, index, _, _ in offers
    ]


def free_slots_json(
    *,
    rules: list[Rule],
    busy: Ranges,
    first_day: date,
    days: int,
    now: datetime,
    policy: Policy = Policy(),
    taken: Ranges = (),
) -> str:
    """The same slots as the slots API lists them, as a JSON array: start and end in the location's time with
    their UTC offsets, the location and its time zone.

    Written out here rather than by `json.dumps`, which took as long as generating the slots: the times are
    digits and punctuation that need no escaping, and the rest is encoded by `json.dumps` once per rule. The
    text is exactly what `json.dumps` writes (tests/consultations/booking/test_slots_json.py compares them)."""
    offers = _offers(rules=rules, busy=busy, taken=taken, first_day=first_day, days=days, now=now, policy=policy)
    places = [f'"location": {json.dumps(rule.location)}, "timezone": {json.dumps(rule.timezone)}}}' for rule in rules]
    entries = ", ".join(f'{{"start": "{start}", "end": "{end}", {places[index]}' for _, _, index, start, end in offers)
    return f"[{entries}]"


def is_offered(slots: list[Slot], start: datetime, location: str) -> Slot | None:
    return next((slot for slot in slots if slot.start == start and slot.location == location), None)
