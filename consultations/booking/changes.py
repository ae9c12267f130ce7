"""Changing a consultation already booked, for the patient and the desk alike: lock its row, move it to another
slot (the exclusion constraint refusing a time someone else holds), cancel it, and record each change in its
history; and a move described from where to where, for the page that asks to confirm it before it is made."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, OperationalError, transaction
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations import when
from consultations.booking import slots
from consultations.booking.availability import SlotTaken, buffer_minutes_in_force, is_overlap
from consultations.booking.waitlist import offer_freed_time
from consultations.models import Consultation, ConsultationEvent, SentMessage
from consultations.notify.tasks import queue_message

STATUS_FIELDS = ["status", "status_changed_by", "status_changed_at", "updated_at"]


class NotChangeable(Exception):
    """The consultation is over, cancelled or declined, so it can no longer be moved or cancelled."""


class AlreadyAtThatTime(Exception):
    """The time chosen is the one the consultation already has."""


def locked(consultation: Consultation) -> Consultation:
    # Locks the consultation's row only; the surgeon, place and patient come along for the e-mails and history.
    return (
        Consultation.objects.select_for_update(of=("self",))
        .select_related("surgeon", "location", "patient")
        .get(pk=consultation.pk)
    )


def where_and_when(consultation: Consultation) -> str:
    """The time, surgeon and place in a line for the history, e.g. 'Mon Mar 9, 2026 9:00 AM EDT, Dr ... at ...'."""
    return (
        f"{when.history(consultation.local_start)}, {consultation.surgeon.display_name} at {consultation.location.name}"
    )


@dataclass(frozen=True)
class Visit:
    """A consultation's time, surgeon and place as a person reads them."""

    when: str
    surgeon: str
    place: str


@dataclass(frozen=True)
class Move:
    """A move shown before it is made: from the consultation's time, surgeon and place to the chosen ones."""

    old: Visit
    new: Visit


def visit(*, start: datetime, surgeon: Surgeon, location: Location) -> Visit:
    """'Monday, March 9, 2026 at 9:30 AM EDT', in the location's own zone, with the surgeon and the place."""
    local = timezone.localtime(start, location.zone)
    return Visit(
        when=f"{when.day(local)} at {when.clock_zone(local)}", surgeon=surgeon.display_name, place=location.name
    )


def describe_move(consultation: Consultation, *, surgeon: Surgeon, start: datetime, location: Location) -> Move:
    old = visit(start=consultation.start, surgeon=consultation.surgeon, location=consultation.location)
    return Move(old=old, new=visit(start=start, surgeon=surgeon, location=location))


def record_event(
    *, consultation: Consultation, action: str, from_status: str, by: AbstractBaseUser | None, note: str = ""
) -> ConsultationEvent:
    return ConsultationEvent.objects.create(
        consultation=consultation,
        action=action,
        from_status=from_status,
        to_status=consultation.status,
        by=by,
        note=note[:400],
    )


def move(consultation: Consultation, *, surgeon: Surgeon, slot: slots.Slot, location: Location) -> str:
    """Move the locked consultation, with the status it now has, to `slot` in one UPDATE, with the buffer now in
    force: the exclusion constraint refuses a time someone else holds, or within a buffer (SlotTaken). Returns
    the move in words, for the history."""
    moved_from = where_and_when(consultation)
    consultation.surgeon, consultation.location = surgeon, location
    consultation.start, consultation.end = slot.start, slot.end
    # Moved is booked anew: the buffer in force now, which the slot was offered under.
    consultation.buffer_minutes = buffer_minutes_in_force()
    consultation.sequence += 1
    fields = [*STATUS_FIELDS, "surgeon", "location", "start", "end", "buffer_minutes", "sequence"]
    try:
        with transaction.atomic():
            consultation.save(update_fields=fields)
    except (IntegrityError, OperationalError) as error:
        if is_overlap(error):
            raise SlotTaken from error
        raise
    return f"From {moved_from} to {where_and_when(consultation)}"


def cancel(
    consultation: Consultation,
    *,
    from_status: str,
    reason: str,
    by: AbstractBaseUser | None,
    tell_patient: bool = True,
    note: str = "",
) -> Consultation:
    """Save the locked consultation, already marked cancelled, with the reason; tell the patient (unless the desk
    found the request to be spam), and offer the freed time to the surgeon's waitlist. `note`: the history's words,
    when they differ from the reason the patient reads."""
    consultation.cancellation_reason = reason
    consultation.sequence += 1
    consultation.save()
    record_event(
        consultation=consultation,
        action=ConsultationEvent.Action.CANCEL,
        from_status=from_status,
        by=by,
        note=note or reason,
    )
    if tell_patient:
        queue_message(consultation=consultation, kind=SentMessage.Kind.CANCELLED)
    offer_freed_time(consultation)
    return consultation
