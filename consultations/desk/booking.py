"""The desk books for a patient: a caller on the phone, someone at the counter, a referral or a surgeon's "fit her
in". The red-flag screen is asked as a script and recorded like the patient's own; an emergency is never booked.
The consultation is confirmed at once, and the patient gets the usual e-mail when they gave an address."""

from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser
from django.db import IntegrityError, transaction
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations.booking.availability import (
    SlotTaken,
    buffer_minutes_in_force,
    desk_policy,
    is_overlap,
    offered_slot,
)
from consultations.booking.changes import record_event
from consultations.booking.coverage import CoverageDetails, ReferralDetails, record_coverage
from consultations.booking.details import PersonDetails, check_video_consent, record_booking_details
from consultations.booking.red_flags import Urgency
from consultations.booking.screening import ScreenResult
from consultations.booking.services import SAFETY_FLAGS, PatientDetails, find_or_create_patient, record_screen
from consultations.models import Consultation, ConsultationEvent, SentMessage
from consultations.notify.tasks import queue_message

# What the desk confirms before booking a caller who ticked a same-day red flag: the record keeps these words.
READ_TO_CALLER = (
    "The desk read this advice to the caller, who understands that a consultation does not replace seeing a "
    "doctor today."
)


class EmergencyNotBooked(Exception):
    """The screen found an emergency symptom: the caller needs emergency care, not a consultation."""


@dataclass(frozen=True)
class Booking:
    """What the desk chose: a free slot of the surgeon's clinics (`end` None), or a time typed in for a walk-in
    or a same-day visit, with its end."""

    surgeon: Surgeon
    location: Location
    start: datetime
    end: datetime | None
    visit_type: str
    reason: str
    channel: str
    note: str = ""


@transaction.atomic
def book_for_patient(
    *,
    booking: Booking,
    details: PatientDetails,
    screen: ScreenResult,
    by: AbstractBaseUser,
    coverage: CoverageDetails | None = None,
    referral: ReferralDetails | None = None,
    person: PersonDetails | None = None,
) -> Consultation:
    """Book and confirm at once. A slot of the clinics must still be free under the desk's policy (no minimum
    notice or horizon); a typed time is checked by the database alone, which refuses an overlap (SlotTaken).
    The insurance, the referral and the booking details the caller gave are recorded with it; a video visit needs
    the caller's consent (VideoConsentMissing)."""
    if screen.urgency == Urgency.EMERGENCY:
        raise EmergencyNotBooked
    check_video_consent(visit_type=booking.visit_type, details=person)
    if booking.end is None:
        slot = offered_slot(booking.surgeon, booking.start, booking.location, policy=desk_policy())
        start, end = slot.start, slot.end
    else:
        start, end = booking.start, booking.end
    now = timezone.now()
    try:
        with transaction.atomic():
            consultation = Consultation.objects.create(
                surgeon=booking.surgeon,
                location=booking.location,
                patient=find_or_create_patient(details),
                contact_name=f"{details.first_name} {details.last_name}",
                contact_phone=details.phone,
                start=start,
                end=end,
                buffer_minutes=buffer_minutes_in_force(),
                status=Consultation.Status.CONFIRMED,
                status_changed_by=by,
                status_changed_at=now,
                visit_type=booking.visit_type,
                reason=booking.reason,
                channel=booking.channel,
                booked_by=by,
                desk_note=booking.note,
                safety_flag=SAFETY_FLAGS[screen.urgency],
            )
    except IntegrityError as error:
        if is_overlap(error):
            raise SlotTaken from error
        raise
    record_screen(consultation=consultation, screen=screen)
    if coverage is not None:
        record_coverage(consultation=consultation, coverage=coverage, referral=referral)
    if person is not None:
        record_booking_details(consultation=consultation, details=person, at=now)
    record_event(
        consultation=consultation,
        action=ConsultationEvent.Action.BOOK,
        from_status=Consultation.Status.REQUESTED,
        by=by,
        note=booking.note,
    )
    if details.email:
        queue_message(consultation=consultation, kind=SentMessage.Kind.BOOKED)
    return consultation
