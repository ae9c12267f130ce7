"""Fictional schedule for `seed_demo`: weekly clinics for the next eight weeks, some time off, a few requests."""

import uuid
from datetime import date, datetime, time, timedelta

from django.db import transaction

from clinic.models import Surgeon
from consultations import services
from consultations.models import AvailabilityRule, Consultation, TimeOff

WEEKS = 8
# (weekday, start, end, slot minutes) per clinic; each surgeon's locations take turns through these.
CLINICS = [
    (0, time(9), time(12), 30),
    (2, time(13), time(17), 30),
    (3, time(8), time(11), 45),
    (4, time(9), time(12), 30),
]
DEMO_PATIENTS = [
    (
        "Jordan",
        "Example",
        date(1966, 5, 14),
        "jordan.example@example.com",
        "Leg pain came back a year after my discectomy.",
    ),
    ("Casey", "Sample", date(1979, 9, 2), "casey.sample@example.com", "Low back pain since my fusion two years ago."),
    ("Morgan", "Demo", date(1958, 1, 23), "morgan.demo@example.com", "Numb foot and back pain after two operations."),
    (
        "Riley",
        "Fictional",
        date(1984, 11, 30),
        "riley.fictional@example.com",
        "Second opinion about another operation.",
    ),
]
DEMO_NAMESPACE = uuid.UUID("6f1c1e2a-4a8e-4f7e-9a57-0d6c3c8b9e10")


@transaction.atomic
def seed_schedule(*, surgeons: list[Surgeon], today: date) -> list[Consultation]:
    """Create or refresh the demo clinics and time off; request a few consultations (once)."""
    until = today + timedelta(weeks=WEEKS)
    for index, surgeon in enumerate(surgeons):
        locations = list(surgeon.locations.order_by("slug"))
        for number, (weekday, start, end, minutes) in enumerate(CLINICS[index % 2 : index % 2 + 3]):
            AvailabilityRule.objects.update_or_create(
                surgeon=surgeon,
                location=locations[number % len(locations)],
                weekday=weekday,
                start_time=start,
                defaults={"end_time": end, "slot_minutes": minutes, "valid_from": today, "valid_until": until},
            )
    off_day = today + timedelta(days=14)
    TimeOff.objects.update_or_create(
        surgeon=surgeons[0],
        reason="Demo: spine conference",
        defaults={
            "start": datetime.combine(off_day, time(0), tzinfo=surgeons[0].locations.first().zone),
            "end": datetime.combine(off_day + timedelta(days=3), time(0), tzinfo=surgeons[0].locations.first().zone),
        },
    )
    return [_demo_request(surgeon, patient, today) for surgeon, patient in zip(surgeons, DEMO_PATIENTS, strict=False)]


def _demo_request(surgeon: Surgeon, patient: tuple, today: date) -> Consultation:
    first_name, last_name, born, email, reason = patient
    key = uuid.uuid5(DEMO_NAMESPACE, email)
    existing = Consultation.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    slot = services.free_slots_for(surgeon, first_day=today, days=WEEKS * 7)[2]
    return services.request_consultation(
        surgeon=surgeon,
        location=surgeon.locations.get(slug=slot.location),
        start=slot.start,
        details=services.PatientDetails(
            first_name=first_name, last_name=last_name, date_of_birth=born, email=email, phone="(555) 010-0150"
        ),
        visit_type=Consultation.VisitType.IN_PERSON,
        reason=reason,
        idempotency_key=key,
    )
