"""The front desk's day and week schedules, assembled from rows already loaded: no queries here.

Each consultation and free slot belongs to the local date of its own location; time off belongs to a surgeon, not
a place, so it is shown in one zone the page names (the location's when one is chosen, else the practice's).
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from clinic.models import Location, Surgeon
from consultations.booking.slots import Slot
from consultations.models import AvailabilityRule, Consultation, TimeOff
from consultations.when import clock_zone, dated, span

CONSULTATION, FREE, TIME_OFF = "consultation", "free", "time_off"


def rule_applies_on(rule: AvailabilityRule, day: date) -> bool:
    return (
        day.weekday() == rule.weekday
        and (rule.valid_from is None or day >= rule.valid_from)
        and (rule.valid_until is None or day <= rule.valid_until)
    )


def rule_hours(rule: AvailabilityRule, day: date) -> str:
    """The clinic's hours on `day`, named in its zone that day (EST or EDT)."""
    zone = rule.location.zone
    return span(datetime.combine(day, rule.start_time, zone), datetime.combine(day, rule.end_time, zone))


@dataclass(frozen=True)
class Entry:
    """One line of a day: a consultation, a free slot or time off. Its times are written when a page reads them:
    the week view shows a start time only, and a week of every surgeon holds a couple of thousand entries."""

    kind: str
    sort_key: datetime
    end: datetime | None = None
    location: Location | None = None
    consultation: Consultation | None = None
    time_off: TimeOff | None = None
    time_off_when: str = ""
    time_off_range: str = ""

    @property
    def when(self) -> str:
        return self.time_off_when or span(self.sort_key, self.end)

    @property
    def starts(self) -> str:
        return clock_zone(self.sort_key)

    @property
    def is_consultation(self) -> bool:
        return self.kind == CONSULTATION

    @property
    def is_free(self) -> bool:
        return self.kind == FREE

    @property
    def is_time_off(self) -> bool:
        return self.kind == TIME_OFF


@dataclass
class Day:
    day: date
    clinics: list[str] = field(default_factory=list)
    entries: list[Entry] = field(default_factory=list)

    @property
    def consultations(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.is_consultation]

    @property
    def free(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.is_free]

    @property
    def time_off(self) -> list[Entry]:
        return [entry for entry in self.entries if entry.is_time_off]

    @property
    def is_empty(self) -> bool:
        return not self.clinics and not self.entries


@dataclass
class SurgeonSchedule:
    surgeon: Surgeon
    days: list[Day]

    @property
    def is_empty(self) -> bool:
        return all(day.is_empty for day in self.days)


def _time_off_entry(time_off: TimeOff, day: date, zone: ZoneInfo) -> Entry | None:
    day_start = datetime.combine(day, time.min, zone)
    day_end = datetime.combine(day + timedelta(days=1), time.min, zone)
    if time_off.start >= day_end or time_off.end <= day_start:
        return None
    start, end = time_off.start.astimezone(zone), time_off.end.astimezone(zone)
    if start <= day_start and end >= day_end:
        when = f"All day ({day_start.tzname()})"
    elif end >= day_end:
        when = f"From {clock_zone(start)}"
    elif start <= day_start:
        when = f"Until {clock_zone(end)}"
    else:
        when = span(start, end)
    return Entry(
        kind=TIME_OFF,
        sort_key=max(start, day_start),
        time_off_when=when,
        time_off=time_off,
        time_off_range=f"{dated(start)} to {dated(end)}",
    )


def build(
    *,
    surgeons: Iterable[Surgeon],
    days: list[date],
    rules: Iterable[AvailabilityRule],
    consultations: Iterable[Consultation],
    time_off: Iterable[TimeOff],
    free: dict[int, list[Slot]],
    locations: dict[str, Location],
    time_off_zone: ZoneInfo,
    keep_empty: bool,
) -> list[SurgeonSchedule]:
    """Each surgeon's days, entries in time order. `rules`, `consultations` and `free` are already limited to the
    locations shown; a surgeon with nothing on these days is left out unless `keep_empty`."""
    wanted = set(days)
    by_surgeon_day: dict[tuple[int, date], Day] = {}

    def day_of(surgeon_id: int, day: date) -> Day:
        return by_surgeon_day.setdefault((surgeon_id, day), Day(day=day))

    for rule in sorted(rules, key=lambda rule: rule.start_time):
        for day in days:
            if rule_applies_on(rule, day):
                day_of(rule.surgeon_id, day).clinics.append(f"{rule.location.name}, {rule_hours(rule, day)}")
    for consultation in consultations:
        local_start, local_end = consultation.local_start, consultation.local_end
        if local_start.date() in wanted:
            day_of(consultation.surgeon_id, local_start.date()).entries.append(
                Entry(
                    kind=CONSULTATION,
                    sort_key=local_start,
                    end=local_end,
                    location=consultation.location,
                    consultation=consultation,
                )
            )
    for surgeon_id, found in free.items():
        for slot in found:
            local_start = slot.local_start
            if local_start.date() in wanted:
                day_of(surgeon_id, local_start.date()).entries.append(
                    Entry(
                        kind=FREE,
                        sort_key=local_start,
                        end=slot.end.astimezone(local_start.tzinfo),
                        location=locations.get(slot.location),
                    )
                )
    present = {surgeon_id for surgeon_id, _ in by_surgeon_day}
    for absence in time_off:
        if absence.surgeon_id not in present and not keep_empty:
            continue  # off, but not expected at the locations shown
        for day in days:
            entry = _time_off_entry(absence, day, time_off_zone)
            if entry is not None:
                day_of(absence.surgeon_id, day).entries.append(entry)

    order = {CONSULTATION: 0, FREE: 1, TIME_OFF: 2}
    schedules = []
    for surgeon in surgeons:
        surgeon_days = [by_surgeon_day.get((surgeon.pk, day)) or Day(day=day) for day in days]
        for day in surgeon_days:
            day.entries.sort(key=lambda entry: (entry.sort_key, order[entry.kind]))
        schedule = SurgeonSchedule(surgeon=surgeon, days=surgeon_days)
        if keep_empty or not schedule.is_empty:
            schedules.append(schedule)
    return schedules


@dataclass
class DayCounts:
    """One surgeon's day in the week overview: how many consultations, how many of them requests, free slots."""

    day: date
    clinic: bool = False
    booked: int = 0
    requested: int = 0
    free: int = 0
    time_off: bool = False


@dataclass
class SurgeonWeek:
    surgeon: Surgeon
    days: list[DayCounts]


def overview(
    *,
    surgeons: Iterable[Surgeon],
    days: list[date],
    rules: Iterable[AvailabilityRule],
    consultations: Iterable[tuple[int, datetime, str, str]],
    time_off: Iterable[TimeOff],
    free: dict[int, list[Slot]],
    time_off_zone: ZoneInfo,
) -> list[SurgeonWeek]:
    """Every surgeon's week as counts a day, for the all-surgeon week: a practice's week is a thousand
    consultations and as many free slots, more than anyone reads on one page. `consultations` are (surgeon id,
    start, location zone name, status) of those not declined or cancelled, already limited to the locations
    shown; a surgeon with nothing all week is left out."""
    index = {day: position for position, day in enumerate(days)}
    weeks = {
        surgeon.pk: SurgeonWeek(surgeon=surgeon, days=[DayCounts(day=day) for day in days]) for surgeon in surgeons
    }
    seen: set[int] = set()

    def counts(surgeon_id: int, day: date) -> DayCounts | None:
        position = index.get(day)
        if surgeon_id not in weeks or position is None:
            return None
        seen.add(surgeon_id)
        return weeks[surgeon_id].days[position]

    for rule in rules:
        for day in days:
            if rule_applies_on(rule, day) and (found := counts(rule.surgeon_id, day)):
                found.clinic = True
    zones: dict[str, ZoneInfo] = {}
    for surgeon_id, start, zone, status in consultations:
        local = start.astimezone(zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone)))
        if found := counts(surgeon_id, local.date()):
            found.booked += 1
            found.requested += status == Consultation.Status.REQUESTED
    for surgeon_id, slots_found in free.items():
        for slot in slots_found:
            if found := counts(surgeon_id, slot.local_start.date()):
                found.free += 1
    for absence in time_off:
        for day in days:
            if absence.surgeon_id in seen and _time_off_entry(absence, day, time_off_zone) is not None:
                weeks[absence.surgeon_id].days[index[day]].time_off = True
    return [week for surgeon_id, week in weeks.items() if surgeon_id in seen]


def needs_attention(
    consultations: Iterable[Consultation], rules: list[AvailabilityRule], time_off: list[TimeOff]
) -> list[tuple[Consultation, str]]:
    """Booked consultations that now fall in time off or outside every clinic of their location, with why."""
    found = []
    for consultation in consultations:
        if any(absence.start < consultation.end and absence.end > consultation.start for absence in time_off):
            found.append((consultation, "During time off"))
            continue
        local_start, local_end = consultation.local_start, consultation.local_end
        day = local_start.date()
        within = any(
            rule.location_id == consultation.location_id
            and rule_applies_on(rule, day)
            and datetime.combine(day, rule.start_time) <= local_start.replace(tzinfo=None)
            and local_end.replace(tzinfo=None) <= datetime.combine(day, rule.end_time)
            for rule in rules
        )
        if not within:
            found.append((consultation, "Outside the clinic hours"))
    return found


def by_local_day(
    found: list[Slot], locations: dict[str, Location]
) -> list[tuple[date, list[tuple[Slot, Location | None]]]]:
    """Slots grouped by their own local date, days in order, each with its location from `locations` (by slug)."""
    days: dict[date, list[tuple[Slot, Location | None]]] = defaultdict(list)
    for slot in found:
        days[slot.local_start.date()].append((slot, locations.get(slot.location)))
    return sorted(days.items())
