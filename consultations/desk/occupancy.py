"""How full each surgeon's clinics are: booked against offered slots over local dates, for the desk's chart."""

from collections import defaultdict
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from consultations.booking import slots
from consultations.booking.availability import booking_policy, free_slots_by_surgeon
from consultations.models import Consultation

# Consultations that took a slot: the ones holding it now, and the ones that were attended or missed.
BOOKED = (*Consultation.OCCUPYING, Consultation.Status.COMPLETED, Consultation.Status.NO_SHOW)


def slot_use_by_surgeon(surgeon_ids: list[int], *, first_day: date, weeks: int) -> dict[int, list[tuple[int, int]]]:
    """(booked, offered) slots of each surgeon in each of `weeks` weeks of local dates from `first_day`, in four
    queries. A slot is offered whether free or booked; booked when a consultation holds it or was attended or
    missed in it."""
    days = 7 * weeks
    since, until = slots.local_days_window(first_day, days)
    # Seen from before the first day, so days already past still count what they offered.
    before = since - booking_policy().min_notice
    free = free_slots_by_surgeon(surgeon_ids, first_day=first_day, days=days, now=before)
    last_day = first_day + timedelta(days=days - 1)
    zones: dict[str, ZoneInfo] = {}
    booked: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    booked_by_week: dict[int, list[int]] = defaultdict(lambda: [0] * weeks)
    for surgeon_id, start, end, zone in Consultation.objects.filter(
        surgeon__in=surgeon_ids, status__in=BOOKED, start__gte=before, start__lt=until
    ).values_list("surgeon", "start", "end", "location__timezone"):
        local_day = start.astimezone(zones.get(zone) or zones.setdefault(zone, ZoneInfo(zone))).date()
        if first_day <= local_day <= last_day:
            booked[surgeon_id].append((start, end))
            booked_by_week[surgeon_id][(local_day - first_day).days // 7] += 1
    use = {}
    for surgeon_id in surgeon_ids:
        held = slots.Busy(booked[surgeon_id])
        free_by_week = [0] * weeks
        for slot in free[surgeon_id]:
            # Free slots already leave out held times; attended and missed ones are left out here.
            if not held.overlaps(slot.start, slot.end):
                free_by_week[(slot.local_start.date() - first_day).days // 7] += 1
        use[surgeon_id] = [
            (taken, taken + still_free)
            for taken, still_free in zip(booked_by_week[surgeon_id], free_by_week, strict=True)
        ]
    return use
