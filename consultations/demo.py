"""Fictional schedule for `seed_demo`: weekly clinics for the next eight weeks, some time off, a few requests."""

import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from clinic.models import Surgeon
from consultations.booking import red_flags, screening
from consultations.booking.availability import free_slots_for
from consultations.booking.red_flags import Urgency
from consultations.booking.screening import ScreenResult
from consultations.booking.services import PatientDetails, request_consultation
from consultations.desk.booking import Booking, book_for_patient
from consultations.desk.services import check_in_consultation, complete_consultation
from consultations.intake import questionnaires
from consultations.intake.forms import PAIN_AREAS
from consultations.models import (
    STEP_SLUGS,
    AvailabilityRule,
    BookingDetails,
    Consultation,
    ImagingStudy,
    Intake,
    Medication,
    PriorOperation,
    RedFlagScreen,
    TimeOff,
    Treatment,
)
from consultations.models.intake import Answer
from consultations.models.nerves import BladderBowel, Claim, Demand, Side, Walking
from consultations.models.operations import Level
from consultations.models.scheduling import SafetyFlag

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
# Today's desk list: fictional callers and walk-ins, a dozen of them, half an hour apart around now.
TODAY_PATIENTS = [
    ("Avery", "Placeholder"),
    ("Blake", "Testcase"),
    ("Cameron", "Mockford"),
    ("Drew", "Specimen"),
    ("Emery", "Dummyton"),
    ("Finley", "Notreal"),
    ("Harper", "Madeup"),
    ("Jesse", "Invented"),
    ("Kendall", "Pretend"),
    ("Logan", "Samplewood"),
    ("Parker", "Fakeley"),
    ("Quinn", "Imaginary"),
]
TODAY_STEP = timedelta(minutes=30)


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
    slot = free_slots_for(surgeon, first_day=today, days=WEEKS * 7)[2]
    return request_consultation(
        surgeon=surgeon,
        location=surgeon.locations.get(slug=slot.location),
        start=slot.start,
        details=PatientDetails(
            first_name=first_name, last_name=last_name, date_of_birth=born, email=email, phone="(555) 010-0150"
        ),
        visit_type=Consultation.VisitType.IN_PERSON,
        reason=reason,
        idempotency_key=key,
    )


@transaction.atomic
def seed_intakes(requests: list[Consultation]) -> None:
    """A sent history with two earlier operations and a red flag for the first demo request (the demo surgeon
    user's own patient), and a half-filled one for the third, so every role's pages have something to show."""
    if len(requests) < 3:
        return
    _sent_history(requests[0])
    _red_flag(requests[0])
    started, _ = Intake.objects.get_or_create(consultation=requests[2], defaults={"patient": requests[2].patient})
    if not started.steps_saved:
        started.chief_complaint = "Demo: pain down my right leg came back about a year after my discectomy."
        started.goals = "Demo: walk my dog again and sit through a work day."
        started.steps_saved = ["about"]
        started.save()


def _red_flag(consultation: Consultation) -> None:
    """The patient ticked constant night pain (see a doctor today), acknowledged the advice and went on."""
    advice = red_flags.classify(["night_pain"])
    RedFlagScreen.objects.get_or_create(
        consultation=consultation,
        defaults={
            "screened_at": consultation.created_at,
            "items": ["night_pain"],
            "urgency": int(advice.urgency),
            "message_shown": "\n".join((advice.headline, *advice.instructions)),
            "acknowledgement": screening.ACKNOWLEDGEMENTS[advice.urgency][1],
            "acknowledged_at": consultation.created_at,
        },
    )
    Consultation.objects.filter(pk=consultation.pk).update(safety_flag=SafetyFlag.REVIEW)


def _sent_history(consultation: Consultation) -> None:
    intake, created = Intake.objects.get_or_create(
        consultation=consultation, defaults={"patient": consultation.patient}
    )
    if not created and intake.is_submitted:
        return
    intake.chief_complaint = "Demo: numb left foot and low back pain after two operations."
    intake.goals = "Demo: stand long enough to cook, and stop taking oxycodone."
    # Every area of the body map was shown: those left clear are kept as "" (see intake.forms.BodyMapForm).
    clear_map = {area: "" for area, _ in PAIN_AREAS}
    legs = {"buttock": "left", "thigh": "left", "below_knee": "left", "foot": "left"}
    intake.pain_map = clear_map | legs | {"low_back": "both"}
    intake.weak_ankle_dorsiflexion, intake.weak_toe_extension = Side.LEFT, Side.LEFT
    intake.weak_hip_flexion = intake.weak_knee_extension = intake.weak_plantar_flexion = Side.NONE
    intake.numbness = Answer.YES
    intake.numbness_map = clear_map | {"below_knee": "left", "foot": "left"}
    intake.walking, intake.walking_blocks, intake.walking_eased_by_bending = Walking.LIMITED, 2, Answer.YES
    intake.balance_problems, intake.falls_last_year = Answer.YES, 1
    intake.bladder_bowel = BladderBowel.NORMAL
    intake.had_spine_surgery = Answer.YES
    intake.pain_pattern = Intake.PainPattern.CAME_BACK
    intake.pain_returned_year, intake.pain_returned_month = 2024, 3
    intake.pain_return_story = "Demo: slowly, over a few months, after the second operation."
    intake.takes_opioids = Answer.YES
    intake.takes_blood_thinners = Answer.NO
    intake.allergies = "Demo: penicillin (rash)"
    intake.diabetes = Answer.NO
    intake.smoking = Intake.Smoking.CURRENT
    intake.cigarettes_per_day, intake.smoking_years = 10, 25
    intake.long_term_steroids = Answer.NO
    intake.height_inches, intake.weight_pounds = 67, 205
    intake.osteoporosis = Answer.NO
    intake.work_status = Intake.WorkStatus.OFF_WORK
    intake.occupation = "Demo: warehouse supervisor"
    intake.job_demands = Demand.MEDIUM
    intake.workers_comp_claim = Claim.OPEN
    intake.injury_litigation = intake.disability_claim = Claim.NONE
    intake.privacy_consent_at = timezone.now()
    intake.steps_saved = list(STEP_SLUGS)
    intake.status = Intake.Status.COMPLETED
    intake.submitted_at = timezone.now()
    intake.save()
    PriorOperation.objects.get_or_create(
        intake=intake,
        year=2016,
        defaults={
            "month": 5,
            "procedure": PriorOperation.Procedure.MICRODISCECTOMY,
            "level_from": Level.L5,
            "level_to": Level.S1,
            "approach": PriorOperation.Approach.OPEN,
            "implants": Answer.NO,
            "outcome": PriorOperation.Outcome.BETTER,
            "relief_months": 30,
            "hospital": "Demo General Hospital, Albany",
        },
    )
    PriorOperation.objects.get_or_create(
        intake=intake,
        year=2020,
        defaults={
            "month": 9,
            "procedure": PriorOperation.Procedure.FUSION_TLIF,
            "segments": ["L4-L5", "L5-S1"],
            "approach": PriorOperation.Approach.OPEN,
            "implants": Answer.YES,
            "hardware": {"pedicle_screws": "in_place", "cage": "in_place"},
            "outcome": PriorOperation.Outcome.WORSE,
            "complications": [PriorOperation.Complication.DURAL_TEAR],
            "hospital": "Demo General Hospital, Albany",
        },
    )
    Medication.objects.get_or_create(
        intake=intake,
        name="Oxycodone (demo)",
        defaults={
            "category": "opioid",
            "drug": "oxycodone",
            "strength": 5,
            "units_per_dose": 1,
            "times_per_day": 2,
            "since_month": 4,
            "since_year": 2021,
        },
    )
    Treatment.objects.get_or_create(
        intake=intake,
        kind=Treatment.Kind.EPIDURAL,
        defaults={"tried": Answer.YES, "last_year": 2023, "helped": "a_little"},
    )
    ImagingStudy.objects.get_or_create(
        intake=intake, modality=ImagingStudy.Modality.MRI_CONTRAST, defaults={"region": "low_back", "year": 2024}
    )
    questionnaires.save_response(
        intake=intake,
        instrument=questionnaires.current_instrument("pain"),
        answers={"back_now": 6, "back_average": 5, "back_worst": 8, "leg_now": 7, "leg_average": 7, "leg_worst": 9},
    )
    function = questionnaires.current_instrument("function")
    items = [item.id for item in questionnaires.definition_of(function).items]
    questionnaires.save_response(
        intake=intake, instrument=function, answers=dict(zip(items, [3, 1, 3, 2, 3, 4, 3, None, 2, 3], strict=True))
    )
    # A positive depression half (PHQ-2 of 4), so the surgeon's risk box shows its flag in the demo.
    questionnaires.save_response(
        intake=intake,
        instrument=questionnaires.current_instrument("mood"),
        answers={"nervous": 1, "worrying": 1, "down": 2, "interest": 2},
    )
    BookingDetails.objects.get_or_create(
        consultation=consultation,
        defaults={
            "sex": "female",
            "preferred_language": "English",
            "state": "NY",
            "primary_care_name": "Dr. Demo Primary",
            "primary_care_practice": "Demo Family Practice",
            "emergency_contact_name": "Demo Contact",
            "emergency_contact_relationship": "sister",
            "emergency_contact_phone": "(518) 555-0199",
        },
    )


@transaction.atomic
def seed_today(*, surgeons: list[Surgeon], desk: AbstractBaseUser, now: datetime) -> list[Consultation]:
    """A realistic day for the desk, booked by the desk around `now` (once a day): the earliest are completed,
    the last hour's checked in, one is late (confirmed, its time passed, not yet arrived), the rest to come."""
    # The desk's day is the practice's.
    zone = ZoneInfo(settings.PRACTICE_TIME_ZONE)
    today = now.astimezone(zone).date()
    midnight = datetime.combine(today, time.min, tzinfo=zone)
    # Four before now and eight after, within today.
    first = max(midnight, _half_hour_floor(now.astimezone(zone)) - 4 * TODAY_STEP)
    first = min(first, midnight + timedelta(days=1) - len(TODAY_PATIENTS) * TODAY_STEP)
    booked = []
    for number, (first_name, last_name) in enumerate(TODAY_PATIENTS):
        surgeon = surgeons[number % len(surgeons)]
        start = first + number * TODAY_STEP
        key = uuid.uuid5(DEMO_NAMESPACE, f"today {today.isoformat()} {number}")
        existing = Consultation.objects.filter(idempotency_key=key).first()
        if existing is not None:
            booked.append(existing)
            continue
        consultation = book_for_patient(
            booking=Booking(
                surgeon=surgeon,
                location=surgeon.locations.order_by("slug").first(),
                start=start,
                end=start + TODAY_STEP,
                visit_type=Consultation.VisitType.IN_PERSON,
                reason="Demo: back and leg pain after spine surgery.",
                channel=Consultation.Channel.WALK_IN if number % 3 == 0 else Consultation.Channel.PHONE,
            ),
            details=PatientDetails(
                first_name=first_name,
                last_name=last_name,
                date_of_birth=date(1950 + 3 * number, 1 + number, 10),
                email=f"{first_name.lower()}.{last_name.lower()}@example.com",
                phone=f"(555) 010-{200 + number:04d}",
            ),
            screen=ScreenResult(
                items=(), recent_surgery=False, urgency=Urgency.NONE, acknowledgement="", screened_at=now
            ),
            by=desk,
        )
        Consultation.objects.filter(pk=consultation.pk).update(idempotency_key=key)
        booked.append(
            _arrived(
                consultation, now=now, late=start == _half_hour_floor(now.astimezone(zone)) - TODAY_STEP, desk=desk
            )
        )
    return booked


def _half_hour_floor(moment: datetime) -> datetime:
    return moment.replace(minute=30 if moment.minute >= 30 else 0, second=0, microsecond=0)


def _arrived(consultation: Consultation, *, now: datetime, late: bool, desk: AbstractBaseUser) -> Consultation:
    """What happened so far to one of today's consultations: nothing yet for the future and the late one."""
    if consultation.start > now or late:
        return consultation
    checked_in = check_in_consultation(consultation=consultation, by=desk)
    if consultation.end <= now - timedelta(hours=1):
        return complete_consultation(consultation=checked_in, by=desk)
    return checked_in
