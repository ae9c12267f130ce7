"""What the front desk does to consultations and clinics: status changes (each checked against
`desk.transitions`, recorded in the history, the patient told on commit), proposing another time, time off and
the end of a weekly clinic."""

import logging
from datetime import date, datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations.booking import changes
from consultations.booking.availability import desk_policy, is_overlap, offered_slot
from consultations.booking.changes import AlreadyAtThatTime, NotChangeable
from consultations.booking.slots import Slot
from consultations.booking.waitlist import offer_freed_time
from consultations.desk import transitions
from consultations.models import AvailabilityRule, Consultation, ConsultationQuerySet, SentMessage, TimeOff
from consultations.notify.tasks import queue_message

logger = logging.getLogger("consultations.desk")

__all__ = ["AlreadyAtThatTime"]


class TransitionRefused(NotChangeable):
    """The desk's change is not allowed from the consultation's status, or not at this time; `message` says why."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


class ReasonRequired(ValueError):
    """A request is declined only with a reason the patient can read."""


def _change_status(*, consultation: Consultation, action: str, by: AbstractBaseUser) -> tuple[Consultation, str]:
    """The locked consultation with its new status (not saved yet) and the status it had, or TransitionRefused."""
    consultation = changes.locked(consultation)
    now = timezone.now()
    refused = transitions.refusal(
        action=action, status=consultation.status, start=consultation.start, now=now, zone=consultation.location.zone
    )
    if refused:
        raise TransitionRefused(refused)
    from_status = consultation.status
    consultation.status = transitions.target(action)
    consultation.status_changed_by, consultation.status_changed_at = by, now
    return consultation, from_status


@transaction.atomic
def confirm_consultation(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    """The desk confirms a request: the patient gets a confirmation whose calendar file updates theirs."""
    consultation, from_status = _change_status(consultation=consultation, action=transitions.CONFIRM, by=by)
    consultation.sequence += 1
    consultation.save(update_fields=[*changes.STATUS_FIELDS, "sequence"])
    changes.record_event(consultation=consultation, action=transitions.CONFIRM, from_status=from_status, by=by)
    queue_message(consultation=consultation, kind=SentMessage.Kind.CONFIRMED)
    return consultation


@transaction.atomic
def decline_consultation(*, consultation: Consultation, by: AbstractBaseUser, reason: str) -> Consultation:
    """The desk declines a request with a reason the patient reads; the freed time goes to the waitlist."""
    if not reason.strip():
        raise ReasonRequired("A declined request needs a reason the patient can read.")
    consultation, from_status = _change_status(consultation=consultation, action=transitions.DECLINE, by=by)
    consultation.cancellation_reason = reason.strip()
    consultation.sequence += 1
    consultation.save(update_fields=[*changes.STATUS_FIELDS, "sequence", "cancellation_reason"])
    changes.record_event(
        consultation=consultation,
        action=transitions.DECLINE,
        from_status=from_status,
        by=by,
        note=consultation.cancellation_reason,
    )
    queue_message(consultation=consultation, kind=SentMessage.Kind.DECLINED)
    offer_freed_time(consultation)
    return consultation


@transaction.atomic
def cancel_consultation(
    *, consultation: Consultation, by: AbstractBaseUser, reason: str = "", as_spam: bool = False
) -> Consultation:
    """The desk cancels for the patient; the freed time is offered to the surgeon's waitlist. `as_spam`: the desk
    judged the request not to come from a patient, so no e-mail goes out and the history says why. (The patient
    cancels from their link with `booking.services.cancel_consultation`.)"""
    consultation, from_status = _change_status(consultation=consultation, action=transitions.CANCEL, by=by)
    note = f"Cancelled as spam, without telling the contact. {reason}".strip() if as_spam else ""
    return changes.cancel(
        consultation, from_status=from_status, reason=reason, by=by, tell_patient=not as_spam, note=note
    )


def _save_status(consultation: Consultation, *, action: str, from_status: str, by: AbstractBaseUser) -> Consultation:
    try:
        with transaction.atomic():
            consultation.save(update_fields=changes.STATUS_FIELDS)
    except IntegrityError as error:
        # Only a no-show checked in after all can take its time back, and someone may hold it by now.
        if is_overlap(error):
            raise TransitionRefused(
                "Another consultation holds this time now, so this one cannot take it back."
            ) from error
        raise
    changes.record_event(consultation=consultation, action=action, from_status=from_status, by=by)
    return consultation


@transaction.atomic
def check_in_consultation(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    consultation, from_status = _change_status(consultation=consultation, action=transitions.CHECK_IN, by=by)
    return _save_status(consultation, action=transitions.CHECK_IN, from_status=from_status, by=by)


@transaction.atomic
def mark_no_show(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    consultation, from_status = _change_status(consultation=consultation, action=transitions.NO_SHOW, by=by)
    return _save_status(consultation, action=transitions.NO_SHOW, from_status=from_status, by=by)


@transaction.atomic
def complete_consultation(*, consultation: Consultation, by: AbstractBaseUser) -> Consultation:
    consultation, from_status = _change_status(consultation=consultation, action=transitions.COMPLETE, by=by)
    return _save_status(consultation, action=transitions.COMPLETE, from_status=from_status, by=by)


@transaction.atomic
def propose_another_time(
    *,
    consultation: Consultation,
    surgeon: Surgeon,
    start: datetime,
    location: Location,
    by: AbstractBaseUser,
    note: str = "",
) -> Consultation:
    """Move the consultation to a free time of this or another surgeon, and ask the patient to accept it or
    choose another. The new time is taken and the old one freed in one transaction."""
    consultation, from_status = _change_status(consultation=consultation, action=transitions.PROPOSE, by=by)
    slot = _proposed_slot(consultation, surgeon=surgeon, start=start, location=location)
    moved = changes.move(consultation, surgeon=surgeon, slot=slot, location=location)
    changes.record_event(
        consultation=consultation,
        action=transitions.PROPOSE,
        from_status=from_status,
        by=by,
        note=f"{moved}. {note}".strip() if note else moved,
    )
    queue_message(consultation=consultation, kind=SentMessage.Kind.PROPOSED)
    return consultation


def proposal_refusal(consultation: Consultation) -> str | None:
    """Why the desk may not propose another time for this consultation now; None when it may."""
    return transitions.refusal(
        action=transitions.PROPOSE,
        status=consultation.status,
        start=consultation.start,
        now=timezone.now(),
        zone=consultation.location.zone,
    )


def preview_proposal(
    *, consultation: Consultation, surgeon: Surgeon, start: datetime, location: Location
) -> changes.Move:
    """The move `propose_another_time` would make, from where to where, checked as it checks it (the same
    exceptions) but changing nothing: for the page that asks the desk to confirm it."""
    refused = proposal_refusal(consultation)
    if refused:
        raise TransitionRefused(refused)
    _proposed_slot(consultation, surgeon=surgeon, start=start, location=location)
    return changes.describe_move(consultation, surgeon=surgeon, start=start, location=location)


def _proposed_slot(consultation: Consultation, *, surgeon: Surgeon, start: datetime, location: Location) -> Slot:
    """A free time under the desk's policy: not bound by the patient's minimum notice or horizon, but by the
    buffer, and (through the exclusion constraint) by every other consultation's time."""
    same_place = surgeon.pk == consultation.surgeon_id and location.pk == consultation.location_id
    if same_place and start == consultation.start:
        raise AlreadyAtThatTime
    return offered_slot(surgeon, start, location, ignore=consultation, policy=desk_policy())


@transaction.atomic
def add_time_off(
    *, surgeon: Surgeon, start: datetime, end: datetime, reason: str, by: AbstractBaseUser
) -> tuple[TimeOff, list[Consultation]]:
    """Record time off, even over booked consultations: those are returned so the desk can move each one."""
    time_off = TimeOff.objects.create(surgeon=surgeon, start=start, end=end, reason=reason)
    affected = list(time_off_affects(time_off))
    # Ids only: who did it, never which patients.
    logger.info(
        "Time off %s added for surgeon %s by user %s over %d booked consultations",
        time_off.pk,
        surgeon.slug,
        by.pk,
        len(affected),
    )
    return time_off, affected


@transaction.atomic
def remove_time_off(*, time_off: TimeOff, by: AbstractBaseUser) -> None:
    """Give the times back to patients, and log who did it (ids only) as adding it is logged."""
    logger.info("Time off %s removed for surgeon %s by user %s", time_off.pk, time_off.surgeon.slug, by.pk)
    time_off.delete()


def time_off_affects(time_off: TimeOff) -> ConsultationQuerySet:
    """The consultations still holding their time within `time_off`, with what the desk needs to call them."""
    return (
        Consultation.objects.occupying()
        .filter(surgeon_id=time_off.surgeon_id)
        .overlapping(time_off.start, time_off.end)
        .select_related("patient", "location")
        .order_by("start")
    )


@transaction.atomic
def end_availability_rule(*, rule: AvailabilityRule, last_day: date) -> AvailabilityRule:
    """The weekly clinic stops after `last_day`; earlier weeks keep it, so the record of past clinics stays true."""
    rule = AvailabilityRule.objects.select_for_update().get(pk=rule.pk)
    rule.valid_until = last_day
    rule.save(update_fields=["valid_until"])
    return rule
