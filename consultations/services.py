"""Write workflows for consultations: request, reschedule, cancel. Side effects run on commit."""

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations import slots, tasks
from consultations.models import AvailabilityRule, Consultation, Patient, TimeOff

EXCLUSION_VIOLATION = "23P01"


class SlotUnavailable(Exception):
    """The time is not free: taken meanwhile, on time off, outside the rules, too soon or too far ahead."""


class SlotTaken(SlotUnavailable):
    """Someone else took the time between showing and booking it (the database's exclusion constraint)."""


class FormAlreadyUsed(Exception):
    """The form's one-time key was already used for a different request (e.g. Back on a shared computer)."""


class AlreadyAtThatTime(Exception):
    """The patient chose the time the consultation already has."""


class NotChangeable(Exception):
    """The consultation is over, cancelled or declined, so it can no longer be moved or cancelled."""


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    phone: str
    preferred_contact: str = Patient.Contact.EMAIL
    preferred_language: str = "English"


def booking_policy() -> slots.Policy:
    return slots.Policy(
        min_notice=timedelta(hours=settings.BOOKING_MIN_NOTICE_HOURS),
        horizon=timedelta(days=settings.BOOKING_HORIZON_DAYS),
        buffer=timedelta(minutes=settings.BOOKING_BUFFER_MINUTES),
    )


def is_overlap(error: IntegrityError) -> bool:
    return getattr(error.__cause__, "pgcode", None) == EXCLUSION_VIOLATION


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
    # Local dates run up to 14 hours either side of UTC; widen the window so no zone's edge is cut.
    window_start = datetime.combine(first_day, datetime.min.time(), tzinfo=UTC) - timedelta(hours=14) - policy.buffer
    window_end = window_start + timedelta(days=days, hours=28) + 2 * policy.buffer
    rules: dict[int, list[slots.Rule]] = defaultdict(list)
    busy: dict[int, list[tuple[datetime, datetime]]] = defaultdict(list)
    for rule in AvailabilityRule.objects.filter(surgeon__in=surgeon_ids).select_related("location"):
        rules[rule.surgeon_id].append(_rule(rule))
    for surgeon_id, start, end in TimeOff.objects.filter(
        surgeon__in=surgeon_ids, start__lt=window_end, end__gt=window_start
    ).values_list("surgeon", "start", "end"):
        busy[surgeon_id].append((start, end))
    occupied = Consultation.objects.occupying().filter(surgeon__in=surgeon_ids).overlapping(window_start, window_end)
    if ignore is not None:
        occupied = occupied.exclude(pk=ignore.pk)
    for surgeon_id, start, end in occupied.values_list("surgeon", "start", "end"):
        busy[surgeon_id].append((start, end))
    return {
        surgeon_id: slots.free_slots(
            rules=rules[surgeon_id], busy=busy[surgeon_id], first_day=first_day, days=days, now=now, policy=policy
        )
        for surgeon_id in surgeon_ids
    }


def free_slots_for(
    surgeon: Surgeon, *, first_day: date, days: int, now: datetime | None = None, ignore: Consultation | None = None
) -> list[slots.Slot]:
    return free_slots_by_surgeon([surgeon.pk], first_day=first_day, days=days, now=now, ignore=ignore)[surgeon.pk]


def first_free_slots(surgeon_ids: list[int]) -> dict[int, slots.Slot]:
    """Each surgeon's first free slot within the booking horizon, in three queries."""
    by_surgeon = free_slots_by_surgeon(
        surgeon_ids, first_day=timezone.localdate(), days=booking_policy().horizon.days + 1
    )
    return {surgeon_id: found[0] for surgeon_id, found in by_surgeon.items() if found}


def offered_slot(
    surgeon: Surgeon, start: datetime, location: Location, ignore: Consultation | None = None
) -> slots.Slot:
    local_day = timezone.localtime(start, location.zone).date()
    slot = slots.is_offered(free_slots_for(surgeon, first_day=local_day, days=1, ignore=ignore), start, location.slug)
    if slot is not None:
        return slot
    taken = Consultation.objects.occupying().filter(surgeon=surgeon).overlapping(start, start + timedelta(minutes=1))
    if ignore is not None:
        taken = taken.exclude(pk=ignore.pk)
    raise SlotTaken if taken.exists() else SlotUnavailable


def _find_or_create_patient(details: PatientDetails) -> Patient:
    """The same person (same e-mail and date of birth) is the same row. An anonymous form never changes an
    existing patient's details: what was typed this time is kept on the consultation instead."""
    # Compared the way the unique constraint compares: PostgreSQL's LOWER(), not Python's.
    same_person = {"email_lower": Lower(Value(details.email)), "date_of_birth": details.date_of_birth}
    patient = Patient.objects.annotate(email_lower=Lower("email")).filter(**same_person).first()
    if patient is not None:
        return patient
    try:
        with transaction.atomic():
            return Patient.objects.create(
                first_name=details.first_name,
                last_name=details.last_name,
                date_of_birth=details.date_of_birth,
                email=details.email,
                phone=details.phone,
                preferred_contact=details.preferred_contact,
                preferred_language=details.preferred_language,
            )
    except IntegrityError:
        # Created by a simultaneous request from the same person a moment ago.
        return Patient.objects.annotate(email_lower=Lower("email")).get(**same_person)


def _by_key(idempotency_key: uuid.UUID, details: PatientDetails) -> Consultation | None:
    """The consultation made with this form key, marked with whether it is the same person's."""
    same_person = Q(patient_email=Lower(Value(details.email)), patient__date_of_birth=details.date_of_birth)
    return (
        Consultation.objects.filter(idempotency_key=idempotency_key)
        .annotate(patient_email=Lower("patient__email"))
        .annotate(same_person=ExpressionWrapper(same_person, output_field=BooleanField()))
        .first()
    )


def _same_submission(consultation: Consultation, *, surgeon: Surgeon, start: datetime) -> bool:
    return consultation.same_person and consultation.surgeon_id == surgeon.pk and consultation.start == start


@transaction.atomic
def request_consultation(
    *,
    surgeon: Surgeon,
    location: Location,
    start: datetime,
    details: PatientDetails,
    visit_type: str,
    reason: str,
    idempotency_key: uuid.UUID,
) -> Consultation:
    """Take the slot for the patient at once. The same form sent again returns the first consultation; a
    form whose key was already used for someone or something else is refused, never shown."""
    existing = _by_key(idempotency_key, details)
    if existing is not None:
        if _same_submission(existing, surgeon=surgeon, start=start):
            return existing
        raise FormAlreadyUsed
    slot = offered_slot(surgeon, start, location)
    patient = _find_or_create_patient(details)
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                surgeon=surgeon,
                location=location,
                patient=patient,
                contact_name=f"{details.first_name} {details.last_name}",
                contact_phone=details.phone,
                start=slot.start,
                end=slot.end,
                visit_type=visit_type,
                reason=reason,
                idempotency_key=idempotency_key,
            )
    except IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken from error
        duplicate = _by_key(idempotency_key, details)
        if duplicate is not None and _same_submission(duplicate, surgeon=surgeon, start=start):
            return duplicate
        raise
    transaction.on_commit(partial(tasks.send_request_received.enqueue, consultation.pk))
    transaction.on_commit(partial(tasks.send_new_request_to_desk.enqueue, consultation.pk))
    return consultation


@transaction.atomic
def reschedule_consultation(*, consultation: Consultation, start: datetime, location: Location) -> Consultation:
    """Move to another free slot of the same surgeon: the new time is taken and the old one freed together."""
    consultation = Consultation.objects.select_for_update().select_related("surgeon").get(pk=consultation.pk)
    if not consultation.is_changeable:
        raise NotChangeable
    if start == consultation.start and location.pk == consultation.location_id:
        raise AlreadyAtThatTime
    slot = offered_slot(consultation.surgeon, start, location, ignore=consultation)
    consultation.start, consultation.end, consultation.location = slot.start, slot.end, location
    consultation.status = Consultation.Status.REQUESTED
    consultation.sequence += 1
    try:
        with transaction.atomic():
            consultation.save(update_fields=["start", "end", "location", "status", "sequence", "updated_at"])
    except IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken from error
        raise
    transaction.on_commit(partial(tasks.send_rescheduled.enqueue, consultation.pk))
    transaction.on_commit(partial(tasks.send_change_to_desk.enqueue, consultation.pk))
    return consultation


@transaction.atomic
def cancel_consultation(
    *, consultation: Consultation, reason: str = "", by: AbstractBaseUser | None = None
) -> Consultation:
    consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)
    if not consultation.is_changeable:
        raise NotChangeable
    consultation.status = Consultation.Status.CANCELLED
    consultation.cancellation_reason = reason
    consultation.sequence += 1
    consultation.status_changed_by = by
    consultation.status_changed_at = timezone.now()
    consultation.save()
    transaction.on_commit(partial(tasks.send_cancelled.enqueue, consultation.pk))
    transaction.on_commit(partial(tasks.send_change_to_desk.enqueue, consultation.pk))
    return consultation
