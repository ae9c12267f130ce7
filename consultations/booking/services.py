"""What the patient does to a consultation: request a time (recorded with the red-flag screen they passed),
move it, cancel it, accept a time the desk proposed, or take an earlier time offered from the waitlist.
Side effects (e-mails) are queued on commit."""

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from django.db import IntegrityError, transaction
from django.db.models import BooleanField, ExpressionWrapper, Q, Value
from django.db.models.functions import Lower
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations.booking import changes
from consultations.booking.availability import SlotTaken, buffer_minutes_in_force, is_overlap, offered_slot
from consultations.booking.changes import AlreadyAtThatTime, NotChangeable
from consultations.booking.coverage import CoverageDetails, ReferralDetails, record_coverage
from consultations.booking.details import PersonDetails, check_video_consent, record_booking_details
from consultations.booking.limits import RequestOrigin, TooManyRequests, check_request_limits
from consultations.booking.red_flags import Urgency
from consultations.booking.screening import ScreenResult
from consultations.booking.slots import Slot
from consultations.booking.waitlist import join_waitlist
from consultations.models import (
    Consultation,
    ConsultationEvent,
    Patient,
    RedFlagScreen,
    SafetyFlag,
    SentMessage,
    WaitlistOffer,
)
from consultations.notify.tasks import queue_message

__all__ = ["AlreadyAtThatTime", "NotChangeable", "RequestOrigin", "TooManyRequests"]


class FormAlreadyUsed(Exception):
    """The form's one-time key was already used for a different request (e.g. Back on a shared computer)."""


class NoProposalWaiting(Exception):
    """The patient answered a proposed time that no longer waits for an answer."""


class OfferNotAvailable(Exception):
    """The waitlist offer was taken already, or the patient's consultation can no longer move to it."""


@dataclass(frozen=True)
class PatientDetails:
    first_name: str
    last_name: str
    date_of_birth: date
    email: str
    phone: str
    preferred_contact: str = Patient.Contact.EMAIL
    preferred_language: str = "English"


def _same_person(details: PatientDetails) -> Q:
    """Who counts as the same person: the same e-mail (compared the way the unique constraint compares, with
    PostgreSQL's LOWER()) and date of birth; without an e-mail (a caller the desk booked), the same name, date of
    birth and phone number."""
    if details.email:
        return Q(email_lower=Lower(Value(details.email)), date_of_birth=details.date_of_birth)
    return Q(
        email="",
        first_name__iexact=details.first_name,
        last_name__iexact=details.last_name,
        date_of_birth=details.date_of_birth,
        phone=details.phone,
    )


def find_or_create_patient(details: PatientDetails) -> Patient:
    """The same person is the same row. A form never changes an existing patient's details: what was typed this
    time is kept on the consultation instead."""
    existing = Patient.objects.annotate(email_lower=Lower("email")).filter(_same_person(details))
    patient = existing.order_by("pk").first()
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
        return existing.get()


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


# How a red flag the patient went on past marks the request for the front desk.
SAFETY_FLAGS = {
    Urgency.NONE: SafetyFlag.NONE,
    Urgency.SAME_DAY: SafetyFlag.REVIEW,
    Urgency.EMERGENCY: SafetyFlag.URGENT,
}


def record_screen(*, consultation: Consultation, screen: ScreenResult) -> RedFlagScreen:
    return RedFlagScreen.objects.create(
        consultation=consultation,
        screened_at=screen.screened_at,
        items=list(screen.items),
        recent_surgery=screen.recent_surgery,
        urgency=screen.urgency,
        message_shown=screen.message_shown,
        acknowledgement=screen.acknowledgement,
        acknowledged_at=screen.screened_at if screen.acknowledgement else None,
        acknowledged_items=list(screen.acknowledged_items),
    )


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
    screen: ScreenResult | None = None,
    waitlist: bool = False,
    coverage: CoverageDetails | None = None,
    referral: ReferralDetails | None = None,
    person: PersonDetails | None = None,
    origin: RequestOrigin | None = None,
) -> Consultation:
    """Take the slot for the patient at once. The same form sent again returns the first consultation; a
    form whose key was already used for someone or something else is refused, never shown.

    `screen` is the red-flag screen the patient passed; it is recorded with the request and flags it for
    the front desk. None only where no patient screen took place (the tests of scheduling alone).
    `waitlist`: the patient also asked to hear of an earlier time; `coverage` and `referral`: how they pay and who
    sent them; `person`: the booking details (sex, language, contacts, state) and, for a video visit, the consent
    it cannot go without (VideoConsentMissing, nothing stored). All recorded in the same transaction.
    `origin`: where an online request came from; its address and contact limits are checked (TooManyRequests,
    nothing stored) and its keyed hashes kept on the consultation. None for the desk and the scheduling tests."""
    existing = _by_key(idempotency_key, details)
    if existing is not None:
        if _same_submission(existing, surgeon=surgeon, start=start):
            return existing
        raise FormAlreadyUsed
    check_video_consent(visit_type=visit_type, details=person)
    if origin is not None:
        check_request_limits(origin=origin, surgeon=surgeon)
    slot = offered_slot(surgeon, start, location)
    patient = find_or_create_patient(details)
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
                buffer_minutes=buffer_minutes_in_force(),
                visit_type=visit_type,
                reason=reason,
                idempotency_key=idempotency_key,
                safety_flag=SAFETY_FLAGS[screen.urgency] if screen else SafetyFlag.NONE,
                address_hash=origin.address_hash if origin else "",
                email_hash=origin.email_hash if origin else "",
                phone_hash=origin.phone_hash if origin else "",
            )
    except IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken from error
        duplicate = _by_key(idempotency_key, details)
        if duplicate is not None and _same_submission(duplicate, surgeon=surgeon, start=start):
            return duplicate
        raise
    if screen is not None:
        record_screen(consultation=consultation, screen=screen)
    if waitlist:
        join_waitlist(consultation=consultation)
    if coverage is not None:
        record_coverage(consultation=consultation, coverage=coverage, referral=referral)
    if person is not None:
        record_booking_details(consultation=consultation, details=person, at=consultation.created_at)
    queue_message(consultation=consultation, kind=SentMessage.Kind.REQUEST_RECEIVED)
    queue_message(consultation=consultation, kind=SentMessage.Kind.NEW_REQUEST_TO_DESK)
    return consultation


@transaction.atomic
def reschedule_consultation(*, consultation: Consultation, start: datetime, location: Location) -> Consultation:
    """Move to another free slot of the same surgeon: the new time is taken and the old one freed together. The
    desk confirms the new time, as any request."""
    consultation = changes.locked(consultation)
    slot = _rescheduled_slot(consultation, start=start, location=location)
    return _move_for_patient(consultation, slot=slot, location=location, action=ConsultationEvent.Action.RESCHEDULE)


def preview_reschedule(*, consultation: Consultation, start: datetime, location: Location) -> changes.Move:
    """The move `reschedule_consultation` would make, from where to where, checked as it checks it (the same
    exceptions) but changing nothing: for the page that asks the patient to confirm it."""
    _rescheduled_slot(consultation, start=start, location=location)
    return changes.describe_move(consultation, surgeon=consultation.surgeon, start=start, location=location)


def _rescheduled_slot(consultation: Consultation, *, start: datetime, location: Location) -> Slot:
    if not consultation.is_changeable:
        raise NotChangeable
    if start == consultation.start and location.pk == consultation.location_id:
        raise AlreadyAtThatTime
    return offered_slot(consultation.surgeon, start, location, ignore=consultation)


def _move_for_patient(consultation: Consultation, *, slot: Slot, location: Location, action: str) -> Consultation:
    """Move the locked consultation to a time the patient chose: it waits for the desk's confirmation again, the
    history says from where to where, and the patient and the desk are told."""
    from_status = consultation.status
    consultation.status = Consultation.Status.REQUESTED
    consultation.status_changed_by, consultation.status_changed_at = None, timezone.now()
    moved = changes.move(consultation, surgeon=consultation.surgeon, slot=slot, location=location)
    changes.record_event(consultation=consultation, action=action, from_status=from_status, by=None, note=moved)
    queue_message(consultation=consultation, kind=SentMessage.Kind.RESCHEDULED)
    queue_message(consultation=consultation, kind=SentMessage.Kind.CHANGE_TO_DESK)
    return consultation


@transaction.atomic
def cancel_consultation(*, consultation: Consultation, reason: str = "") -> Consultation:
    """The patient cancels from their link; the desk is told, and the freed time is offered to the surgeon's
    waitlist. (The desk cancels with `desk.services.cancel_consultation`.)"""
    consultation = changes.locked(consultation)
    if not consultation.is_changeable:
        raise NotChangeable
    from_status = consultation.status
    consultation.status = Consultation.Status.CANCELLED
    consultation.status_changed_by, consultation.status_changed_at = None, timezone.now()
    changes.cancel(consultation, from_status=from_status, reason=reason, by=None)
    queue_message(consultation=consultation, kind=SentMessage.Kind.CHANGE_TO_DESK)
    return consultation


@transaction.atomic
def accept_proposal(*, consultation: Consultation) -> Consultation:
    """The patient accepts the time the desk proposed: it is confirmed, and the desk is told."""
    consultation = changes.locked(consultation)
    if not consultation.awaiting_patient:
        raise NoProposalWaiting
    from_status = consultation.status
    consultation.status = Consultation.Status.CONFIRMED
    consultation.status_changed_by, consultation.status_changed_at = None, timezone.now()
    consultation.sequence += 1
    consultation.save(update_fields=[*changes.STATUS_FIELDS, "sequence"])
    changes.record_event(
        consultation=consultation, action=ConsultationEvent.Action.ACCEPT, from_status=from_status, by=None
    )
    queue_message(consultation=consultation, kind=SentMessage.Kind.CONFIRMED)
    queue_message(consultation=consultation, kind=SentMessage.Kind.CHANGE_TO_DESK)
    return consultation


@transaction.atomic
def take_waitlist_offer(*, offer: WaitlistOffer) -> Consultation:
    """Move the patient's consultation to the offered time. If another patient took it first, the exclusion
    constraint refuses the move (SlotTaken). The desk confirms the new time, as after any move by the patient."""
    offer = WaitlistOffer.objects.select_for_update(of=("self",)).select_related("entry", "location").get(pk=offer.pk)
    consultation = changes.locked(offer.entry.consultation)
    if (
        offer.taken_at is not None
        or offer.entry.ended_at is not None
        or not consultation.is_changeable
        or offer.start >= consultation.start
    ):
        raise OfferNotAvailable
    slot = offered_slot(consultation.surgeon, offer.start, offer.location, ignore=consultation)
    _move_for_patient(consultation, slot=slot, location=offer.location, action=ConsultationEvent.Action.TAKE_OFFER)
    offer.taken_at = offer.entry.ended_at = consultation.status_changed_at
    offer.save(update_fields=["taken_at"])
    offer.entry.save(update_fields=["ended_at"])
    return consultation


@transaction.atomic
def resend_links(*, email: str, date_of_birth: date) -> SentMessage | None:
    """E-mail the patient with this address and date of birth, at the address we hold, one message with the links
    of their consultations whose links still work. None, with nothing sent, when there is none: the caller answers
    the same either way, and both ways make the one same query."""
    consultations = list(
        Consultation.objects.with_open_links()
        .alias(email_lower=Lower("patient__email"))
        .filter(email_lower=email.strip().lower(), patient__date_of_birth=date_of_birth)
        .select_related("patient", "surgeon", "location")
        .order_by("start")
    )
    if not consultations:
        return None
    now = timezone.now()
    # The row the messages panel files it under: the next consultation, else the latest.
    regarding = next((c for c in consultations if c.end > now), consultations[-1])
    return queue_message(consultation=regarding, kind=SentMessage.Kind.LINKS_RESENT)
