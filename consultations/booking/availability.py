"""Which times are free: the booking policy, free slots of one or several surgeons (one SQL statement for one
surgeon), and whether a chosen time is still offered. Reads only; the writes are in `booking.services`."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.conf import settings
from django.db import DatabaseError, connection
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations.booking import slots
from consultations.models import AvailabilityRule, Consultation, TimeOff
from consultations.models.scheduling import MAX_BUFFER

EXCLUSION_VIOLATION = "23P01"
DEADLOCK = "40P01"


class SlotUnavailable(Exception):
    """The time is not free: taken meanwhile, on time off, outside the rules, too soon or too far ahead."""


class SlotTaken(SlotUnavailable):
    """Someone else took the time between showing and booking it (the database's exclusion constraint)."""


# How far ahead the desk can book: as far as any clinic is planned.
DESK_HORIZON_DAYS = 366


def buffer_minutes_in_force() -> int:
    """The buffer a consultation booked or moved now keeps clear after itself: stored as its `buffer_minutes`."""
    return settings.BOOKING_BUFFER_MINUTES


def booking_policy() -> slots.Policy:
    return slots.Policy(
        min_notice=timedelta(hours=settings.BOOKING_MIN_NOTICE_HOURS),
        horizon=timedelta(days=settings.BOOKING_HORIZON_DAYS),
        buffer=timedelta(minutes=buffer_minutes_in_force()),
    )


def desk_policy() -> slots.Policy:
    """What binds the front desk: not the patient's minimum notice nor the horizon (a caller booked for tomorrow
    morning, a surgeon's "fit her in"), but the buffer between consultations all the same."""
    return slots.Policy(
        min_notice=timedelta(0),
        horizon=timedelta(days=DESK_HORIZON_DAYS),
        buffer=timedelta(minutes=buffer_minutes_in_force()),
    )


def is_overlap(error: DatabaseError) -> bool:
    """The exclusion constraint refused the time. Two transactions moving consultations onto the same time at
    the same moment can each find the other's entry in the constraint's index and wait for it: PostgreSQL then
    ends one of them as a deadlock, which means the same thing here."""
    return getattr(error.__cause__, "pgcode", None) in (EXCLUSION_VIOLATION, DEADLOCK)


def _rule(rule: AvailabilityRule) -> slots.Rule:
    return slots.Rule(
        location=rule.location.slug,
        timezone=rule.location.timezone,
        weekday=rule.weekday,
        start=rule.start_time,
        end=rule.end_time,
        slot_minutes=rule.slot_minutes,
        valid_from=rule.valid_from,
        valid_until=rule.valid_until,
    )


class Window:
    """The UTC ranges whose time off (`since` to `until`) and consultations (`taken_since` to `taken_until`) can
    touch slots on those local dates: a consultation blocks the buffer in force before it and its own stored
    buffer, at most MAX_BUFFER, after it."""

    def __init__(self, first_day: date, days: int, policy: slots.Policy) -> None:
        self.since, self.until = slots.local_days_window(first_day, days)
        self.taken_since, self.taken_until = self.since - MAX_BUFFER, self.until + policy.buffer


def _taken(rows: list[tuple[int, datetime, datetime, int]]) -> dict[int, list[tuple[datetime, datetime]]]:
    taken: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for surgeon_id, start, end, buffer_minutes in rows:
        taken[surgeon_id].append((start, end + timedelta(minutes=buffer_minutes)))
    return taken


def free_slots_by_surgeon(
    surgeon_ids: list[int],
    *,
    first_day: date,
    days: int,
    now: datetime | None = None,
    ignore: Consultation | None = None,
) -> dict[int, list[slots.Slot]]:
    """Free slots of each surgeon over local dates, in three queries however many surgeons and bookings."""
    now = now or timezone.now()
    policy = booking_policy()
    window = Window(first_day, days, policy)
    rules: dict[int, list[slots.Rule]] = defaultdict(list)
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for rule in AvailabilityRule.objects.filter(surgeon__in=surgeon_ids).select_related("location"):
        rules[rule.surgeon_id].append(_rule(rule))
    for surgeon_id, start, end in TimeOff.objects.filter(
        surgeon__in=surgeon_ids, start__lt=window.until, end__gt=window.since
    ).values_list("surgeon", "start", "end"):
        busy[surgeon_id].append((start, end))
    occupied = (
        Consultation.objects.occupying()
        .filter(surgeon__in=surgeon_ids)
        .overlapping(window.taken_since, window.taken_until)
    )
    if ignore is not None:
        occupied = occupied.exclude(pk=ignore.pk)
    taken = _taken(list(occupied.values_list("surgeon", "start", "end", "buffer_minutes")))
    return {
        surgeon_id: slots.free_slots(
            rules=rules[surgeon_id],
            busy=busy[surgeon_id],
            taken=taken[surgeon_id],
            first_day=first_day,
            days=days,
            now=now,
            policy=policy,
        )
        for surgeon_id in surgeon_ids
    }


# One surgeon's row, rules, time off and occupied times in one statement: for one surgeon (the slots API, the
# booking pages) building three ORM queries cost more than running them (bench/README.md). `{surgeon}` is the
# condition that picks the surgeon; `since` and `until` are the UTC window for time off, `taken_since` and
# `taken_until` the one for consultations (`Window`), `ignore` a consultation to leave out (the one being
# moved). A consultation's time runs to the end of its own buffer, as the exclusion constraint holds it. Rules
# come first, in the model's order (weekday, start time): where two rules offer the same start, the first one's
# location is offered. The other rows have no weekday. The occupied times come from the (surgeon, start) index
# in two short reads: those starting inside the window, and the last one starting before it, if it runs into the
# window. No other can: the exclusion constraint keeps one surgeon's occupying consultations apart, so at most
# one of them is under way when the window opens. (`start < until AND "end" > since` read every earlier
# consultation of the surgeon; the constraint's own index, range first, every surgeon's in the window.)
SCHEDULE_SQL = """
    WITH surgeon AS (SELECT id FROM clinic_surgeon WHERE {surgeon})
    SELECT 'rule', rule.weekday, rule.start_time, rule.end_time, rule.slot_minutes, rule.valid_from,
           rule.valid_until, location.slug, location.timezone, NULL::bigint, NULL::bigint, rule.id
      FROM consultations_availabilityrule rule JOIN clinic_location location ON location.id = rule.location_id
     WHERE rule.surgeon_id = (SELECT id FROM surgeon)
    UNION ALL
    SELECT 'surgeon', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, id FROM surgeon
    UNION ALL
    SELECT 'off', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {micros}
      FROM consultations_timeoff
     WHERE surgeon_id = (SELECT id FROM surgeon) AND start < %(until)s AND "end" > %(since)s
    UNION ALL
    SELECT 'taken', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {taken}
      FROM consultations_consultation
     WHERE surgeon_id = (SELECT id FROM surgeon) AND status IN ({occupying})
       AND start >= %(taken_since)s AND start < %(taken_until)s AND id IS DISTINCT FROM %(ignore)s
    UNION ALL
    SELECT 'taken', NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, {taken}
      FROM (SELECT start, "end", buffer_minutes FROM consultations_consultation
             WHERE surgeon_id = (SELECT id FROM surgeon) AND status IN ({occupying})
               AND start < %(taken_since)s AND id IS DISTINCT FROM %(ignore)s
             ORDER BY start DESC LIMIT 1) latest
     WHERE "end" > %(taken_since)s
     ORDER BY 2, 3, 12
"""
# Busy times as microseconds since the epoch, exact: reading integers costs less than reading timestamps, and
# the generator counts in them (slots.Busy).
_SQL_PARTS = {
    "occupying": ", ".join(f"'{status}'" for status in Consultation.OCCUPYING),
    "micros": '(extract(epoch FROM start) * 1000000)::bigint, (extract(epoch FROM "end") * 1000000)::bigint, NULL',
    "taken": "(extract(epoch FROM start) * 1000000)::bigint, "
    '(extract(epoch FROM "end") * 1000000)::bigint + buffer_minutes * 60000000::bigint, NULL',
}
BY_ID = SCHEDULE_SQL.format(surgeon="id = %(surgeon)s", **_SQL_PARTS)
# Surgeon.objects.bookable(), as the slots API offers them.
PUBLIC_BY_SLUG = SCHEDULE_SQL.format(surgeon="slug = %(surgeon)s AND is_listed AND accepts_new_patients", **_SQL_PARTS)


@dataclass(frozen=True)
class Schedule:
    """One surgeon's rules, time off and consultations (each to the end of its own buffer), in microseconds."""

    rules: list[slots.Rule]
    busy: list[tuple[int, int]]
    taken: list[tuple[int, int]]


def _schedule(sql: str, surgeon: int | str, *, window: Window, ignore: Consultation | None) -> Schedule | None:
    """The rules, time off and consultations within `window` of the surgeon that `sql` finds, or None if it finds
    none."""
    found = False
    rules: list[slots.Rule] = []
    busy: list[tuple[int, int]] = []
    taken: list[tuple[int, int]] = []
    params = {
        "surgeon": surgeon,
        "since": window.since,
        "until": window.until,
        "taken_since": window.taken_since,
        "taken_until": window.taken_until,
        "ignore": ignore.pk if ignore else None,
    }
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        rows = cursor.fetchall()
    for kind, weekday, start, end, minutes, valid_from, valid_until, location, zone, off, back, _ in rows:
        if kind == "taken":
            taken.append((off, back))
        elif kind == "off":
            busy.append((off, back))
        elif kind == "rule":
            rules.append(
                slots.Rule(
                    location=location,
                    timezone=zone,
                    weekday=weekday,
                    start=start,
                    end=end,
                    slot_minutes=minutes,
                    valid_from=valid_from,
                    valid_until=valid_until,
                )
            )
        else:
            found = True
    return Schedule(rules=rules, busy=busy, taken=taken) if found else None


def free_slots_for(
    surgeon: Surgeon,
    *,
    first_day: date,
    days: int,
    now: datetime | None = None,
    ignore: Consultation | None = None,
    policy: slots.Policy | None = None,
) -> list[slots.Slot]:
    """What `free_slots_by_surgeon` gives for one surgeon, in one query; under the patient's booking policy
    unless another (the desk's) is given."""
    policy = policy or booking_policy()
    schedule = _schedule(BY_ID, surgeon.pk, window=Window(first_day, days, policy), ignore=ignore)
    if schedule is None:
        return []
    return slots.free_slots(
        rules=schedule.rules,
        busy=schedule.busy,
        taken=schedule.taken,
        first_day=first_day,
        days=days,
        now=now or timezone.now(),
        policy=policy,
    )


def public_free_slots(*, surgeon_slug: str, first_day: date, days: int) -> str | None:
    """The free slots of the listed surgeon taking new patients who has that slug, as the slots API lists them
    (a JSON array: `slots.free_slots_json`), in one query; None if no such surgeon."""
    policy = booking_policy()
    schedule = _schedule(PUBLIC_BY_SLUG, surgeon_slug, window=Window(first_day, days, policy), ignore=None)
    if schedule is None:
        return None
    return slots.free_slots_json(
        rules=schedule.rules,
        busy=schedule.busy,
        taken=schedule.taken,
        first_day=first_day,
        days=days,
        now=timezone.now(),
        policy=policy,
    )


# The first look for a first free slot covers two weeks; each next one, for those with none yet, four times more.
FIRST_LOOK_DAYS = 14


def first_free_slots(surgeon_ids: list[int]) -> dict[int, slots.Slot]:
    """Each surgeon's first free slot within the booking horizon: three queries a look, at most four looks
    however many surgeons. Looking two weeks ahead first spares generating every slot of the horizon (half a year
    of clinics for each surgeon) to keep only the first."""
    first_day = timezone.localdate()
    horizon = (booking_policy().last_day_anywhere(timezone.now()) - first_day).days + 1
    found: dict[int, slots.Slot] = {}
    looked, days, remaining = 0, FIRST_LOOK_DAYS, list(surgeon_ids)
    while remaining and looked < horizon:
        days = min(days, horizon - looked)
        by_surgeon = free_slots_by_surgeon(remaining, first_day=first_day + timedelta(days=looked), days=days)
        found |= {surgeon_id: free[0] for surgeon_id, free in by_surgeon.items() if free}
        remaining = [surgeon_id for surgeon_id in remaining if surgeon_id not in found]
        looked, days = looked + days, days * 4
    return found


def offered_slot(
    surgeon: Surgeon,
    start: datetime,
    location: Location,
    ignore: Consultation | None = None,
    policy: slots.Policy | None = None,
) -> slots.Slot:
    """The free slot starting at `start` at `location`, or SlotTaken (someone holds the time) or SlotUnavailable
    (anything else: time off, outside the clinics, too soon or too far ahead under `policy`)."""
    local_day = timezone.localtime(start, location.zone).date()
    found = free_slots_for(surgeon, first_day=local_day, days=1, ignore=ignore, policy=policy)
    slot = slots.is_offered(found, start, location.slug)
    if slot is not None:
        return slot
    taken = Consultation.objects.occupying().filter(surgeon=surgeon).overlapping(start, start + timedelta(minutes=1))
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    raise SlotTaken if taken.exists() else SlotUnavailable
