"""Small builders for test data. Every person here is fictional."""

import hashlib
import json
import uuid
from datetime import date, time, timedelta
from pathlib import Path
from time import time as now_seconds

from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.http import HttpResponse
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from clinic.models import Credential, Location, Procedure, Surgeon, SurgeonProcedure
from clinic.npi import check_digit
from consultations.booking import red_flags, screening
from consultations.booking.bot_guard import SHOWN_AT, shown_at_stamp
from consultations.intake import questionnaires
from consultations.models import (
    AvailabilityRule,
    BookingDetails,
    Consultation,
    Coverage,
    Instrument,
    Intake,
    Medication,
    Patient,
    PriorOperation,
    QuestionnaireResponse,
    RedFlagScreen,
    Referral,
    ResidenceState,
    Sex,
    TimeOff,
    Upload,
)
from education.models import Article

PASSWORD = "correct-horse-battery-staple"


def form_shown_earlier(seconds: float = 60) -> dict[str, str]:
    """The request form's signed "shown at" field, as a person who took `seconds` to fill it would send it."""
    return {SHOWN_AT: shown_at_stamp(now_seconds() - seconds)}


def request_form(slot: str, **overrides: str) -> dict[str, str]:
    """What a patient sends from the request form for `slot` ("ISO start|location slug", as the slot picker
    sends it): a fictional person who took a minute to fill it in. `overrides` replace or add fields."""
    return {
        "slot": slot,
        "idempotency_key": str(uuid.uuid4()),
        **form_shown_earlier(),
        "first_name": "Robin",
        "last_name": "Fictional",
        "date_of_birth": "1968-04-02",
        "email": "robin@example.com",
        "phone": "(518) 555-0123",
        "preferred_contact": "email",
        "visit_type": "in_person",
        "reason": "Leg pain came back after my fusion.",
        "preferred_language": "English",
    } | overrides


def make_user(*, role: str | None = None, username: str | None = None, enrolled: bool = True) -> User:
    """A staff user in `role` (front_desk, surgeon or admin), with a confirmed authenticator if `enrolled`."""
    username = username or f"{role or 'nobody'}-{User.objects.count() + 1}"
    is_admin = role == roles.ADMIN
    user = User.objects.create_user(
        username=username, password=PASSWORD, is_staff=is_admin, is_superuser=is_admin, email=f"{username}@example.com"
    )
    if role in roles.GROUPS:
        user.groups.add(Group.objects.get_or_create(name=role)[0])
    if enrolled:
        TOTPDevice.objects.create(user=user, name="Authenticator app", confirmed=True)
    return user


def current_code(device: TOTPDevice) -> str:
    """The code the user's authenticator app would show right now."""
    totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
    return f"{totp.token():0{device.digits}d}"


def sign_in(client: Client, user: User) -> None:
    """A session that has passed both password and second factor, as after the real sign-in."""
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    session = client.session
    session[DEVICE_ID_SESSION_KEY] = TOTPDevice.objects.get(user=user, confirmed=True).persistent_id
    session.save()


def screened(client: Client, *items: str, recent_surgery: bool = False) -> screening.ScreenResult:
    """Give `client` the cookie of a passed red-flag screen (with `items` ticked and any advice confirmed),
    made by the same code as the real screen, so that it may see free times and send a request."""
    result = screening.ScreenResult.passed(items, recent_surgery=recent_surgery, acknowledged=True, at=timezone.now())
    response = HttpResponse()
    screening.remember(response, result)
    client.cookies.update(response.cookies)
    return result


def make_location(**overrides) -> Location:
    number = Location.objects.count() + 1
    values = {
        "name": f"Test Spine Clinic {number}",
        "slug": f"clinic-{number}",
        "address": f"{number} Test Street\nAlbany, NY 12207",
        "phone": "(518) 555-0100",
        "timezone": "America/New_York",
    }
    return Location.objects.create(**values | overrides)


def make_procedure(**overrides) -> Procedure:
    number = Procedure.objects.count() + 1
    values = {"name": f"Procedure {number}", "slug": f"procedure-{number}", "description": "A fictional procedure."}
    return Procedure.objects.create(**values | overrides)


def make_surgeon(*, locations=(), procedures=(), **overrides) -> Surgeon:
    number = Surgeon.objects.count() + 1
    first_nine = f"199999{number:03d}"
    values = {
        "slug": f"surgeon-{number}",
        "first_name": "Test",
        "last_name": f"Surgeon{number}",
        "degree": Surgeon.Degree.MD,
        "specialty": Surgeon.Specialty.ORTHOPAEDIC,
        "title": "Spine surgeon (fictional)",
        "bio": "A fictional surgeon for tests.",
        "languages": ["English"],
        "npi": first_nine + check_digit(first_nine),
    }
    surgeon = Surgeon.objects.create(**values | overrides)
    surgeon.locations.set(locations)
    for procedure in procedures:
        SurgeonProcedure.objects.create(
            surgeon=surgeon, procedure=procedure, miss_cases_per_year=50, revision_cases_per_year=10, volume_year=2025
        )
    return surgeon


def make_credential(surgeon: Surgeon, **overrides) -> Credential:
    today = timezone.localdate()
    values = {
        "kind": Credential.Kind.BOARD_CERTIFICATION,
        "issuer": "American Board of Orthopaedic Surgery (ABOS)",
        "title": "Orthopaedic Surgery",
        "identifier": "TEST-1",
        "awarded_on": date(2012, 7, 1),
        "expires_on": today + timedelta(days=365),
        "verified_on": today - timedelta(days=30),
        "source_url": "https://example.org/lookup",
    }
    values |= overrides
    if values["verified_on"] is not None and "verified_by" not in values:
        values["verified_by"] = User.objects.get_or_create(username="credential-checker")[0]
    return Credential.objects.create(surgeon=surgeon, **values)


def make_rule(surgeon: Surgeon, location: Location, **overrides) -> AvailabilityRule:
    values = {"weekday": 0, "start_time": time(9), "end_time": time(12), "slot_minutes": 30}
    return AvailabilityRule.objects.create(surgeon=surgeon, location=location, **values | overrides)


def make_time_off(surgeon: Surgeon, start, end, **overrides) -> TimeOff:
    values = {"reason": "Conference (fictional)"}
    return TimeOff.objects.create(surgeon=surgeon, start=start, end=end, **values | overrides)


def make_patient(**overrides) -> Patient:
    number = Patient.objects.count() + 1
    values = {
        "first_name": "Pat",
        "last_name": f"Fictional{number}",
        "date_of_birth": date(1970, 1, number % 28 + 1),
        "email": f"patient{number}@example.com",
        "phone": "(518) 555-0199",
    }
    return Patient.objects.create(**values | overrides)


def make_consultation(surgeon: Surgeon, location: Location, start, **overrides) -> Consultation:
    values = {
        "patient": overrides.pop("patient", None) or make_patient(),
        "end": start + timedelta(minutes=30),
        "reason": "Leg pain came back after surgery (fictional).",
    }
    return Consultation.objects.create(surgeon=surgeon, location=location, start=start, **values | overrides)


def make_intake(consultation: Consultation | None = None, **overrides) -> Intake:
    """An intake in progress, for `consultation` or for a new one a week from now."""
    if consultation is None:
        consultation = make_consultation(make_surgeon(), make_location(), timezone.now() + timedelta(days=7))
    return Intake.objects.create(consultation=consultation, patient=consultation.patient, **overrides)


def make_article(*, related_procedures=(), **overrides) -> Article:
    number = Article.objects.count() + 1
    values = {
        "title": f"Test article {number}",
        "slug": f"article-{number}",
        "category": Article.Category.CONDITIONS,
        "summary": "A fictional summary for tests.",
        "body": "## First part\n\nSome text for tests.\n\n## Second part\n\nMore text.\n",
        "updated_on": timezone.localdate(),
        "published": True,
    }
    article = Article.objects.create(**values | overrides)
    article.related_procedures.set(related_procedures)
    return article


def make_surgeon_user(**overrides) -> tuple[User, Surgeon]:
    """A user in the surgeon role, enrolled in the second factor, linked to a new surgeon as their account."""
    user = make_user(role=roles.SURGEON)
    return user, make_surgeon(user=user, **overrides)


def make_submitted_intake(consultation: Consultation, **overrides) -> Intake:
    """An intake the patient has sent (every step saved), for `consultation`."""
    values = {"status": Intake.Status.COMPLETED, "submitted_at": timezone.now(), "privacy_consent_at": timezone.now()}
    return make_intake(consultation, **values | overrides)


def make_operation(intake: Intake, **overrides) -> PriorOperation:
    values = {"year": 2018, "month": 6, "procedure": PriorOperation.Procedure.MICRODISCECTOMY}
    return PriorOperation.objects.create(intake=intake, **values | overrides)


def make_medication(intake: Intake, **overrides) -> Medication:
    values = {"name": "Fictional medicine", "dose": "1 tablet a day", "category": Medication.Category.OTHER}
    return Medication.objects.create(intake=intake, **values | overrides)


def make_function_score(
    intake: Intake, values: list[int | None], instrument: Instrument | None = None
) -> QuestionnaireResponse:
    """Answers to the shipped ten-section function questionnaire (or `instrument`), scored and stored as the
    intake does."""
    instrument = instrument or questionnaires.current_instrument(questionnaires.FUNCTION)
    items = [item.id for item in questionnaires.definition_of(instrument).items]
    return questionnaires.save_response(
        intake=intake, instrument=instrument, answers=dict(zip(items, values, strict=True))
    )


def make_synthetic_odi() -> Instrument:
    """The synthetic ODI-shaped definition (placeholder text, Ostelo 2008 thresholds), installed as a practice
    would install the licensed one."""
    data = json.loads((Path(__file__).parent / "consultations" / "data" / "synthetic-odi.json").read_text())
    return Instrument.objects.create(
        code=data["code"],
        version=data["version"],
        purpose=data["purpose"],
        title=data["title"],
        definition=data,
        source=Instrument.Source.LOADED,
    )


def make_mood_screen(intake: Intake, nervous, worrying, down, interest) -> QuestionnaireResponse:
    """Answers to the shipped PHQ-4, scored and stored as the intake does (None: left blank)."""
    instrument = questionnaires.current_instrument(questionnaires.MOOD)
    answers = {"nervous": nervous, "worrying": worrying, "down": down, "interest": interest}
    return questionnaires.save_response(intake=intake, instrument=instrument, answers=answers)


def make_red_flag_screen(consultation: Consultation, *items: str, **overrides) -> RedFlagScreen:
    """The red-flag screen the patient passed before booking, with `items` ticked and the advice acknowledged."""
    advice = red_flags.classify(items)
    values = {
        "screened_at": timezone.now(),
        "items": list(items),
        "urgency": int(advice.urgency),
        "message_shown": " ".join([advice.headline, *advice.instructions]).strip(),
        "acknowledgement": screening.ACKNOWLEDGEMENTS[advice.urgency][1] if items else "",
        "acknowledged_at": timezone.now() if items else None,
        "acknowledged_items": [flag.key for flag in advice.emergency_flags],
    }
    return RedFlagScreen.objects.create(consultation=consultation, **values | overrides)


def make_upload(intake: Intake, data: bytes = b"%PDF-1.4 fictional report\n%%EOF\n", **overrides) -> Upload:
    """A stored report without the content checks of services.add_upload; store it under a temporary
    PRIVATE_MEDIA_ROOT (override_settings) in tests."""
    values = {"kind": Upload.Kind.IMAGING_REPORT, "content_type": "application/pdf", "original_name": "mri.pdf"}
    upload = Upload(intake=intake, size=len(data), sha256=hashlib.sha256(data).hexdigest(), **values | overrides)
    upload.file.save("report", ContentFile(data), save=False)
    upload.save()
    return upload


def make_coverage(consultation: Consultation, **overrides) -> Coverage:
    """Fictional health insurance, not verified yet."""
    values = {
        "kind": Coverage.Kind.INSURANCE,
        "payer": "Fictional Health Mutual",
        "member_id": "FHM-000-TEST-1",
    }
    return Coverage.objects.create(consultation=consultation, **values | overrides)


def make_referral(consultation: Consultation, **overrides) -> Referral:
    values = {
        "clinician_name": "Dr. Pat Referrer (fictional)",
        "practice": "Example Family Practice",
        "phone": "(518) 555-0100",
        "npi": "1234567893",
    }
    return Referral.objects.create(consultation=consultation, **values | overrides)


def make_booking_details(consultation: Consultation, **overrides) -> BookingDetails:
    """Fictional booking details: Spanish with an interpreter, New York, a primary care doctor and a contact."""
    values = {
        "sex": Sex.FEMALE,
        "preferred_language": "Spanish",
        "interpreter_needed": True,
        "state": ResidenceState.NY,
        "primary_care_name": "Dr. Robin Primary (fictional)",
        "primary_care_practice": "Example Family Practice",
        "primary_care_phone": "(518) 555-0101",
        "emergency_contact_name": "Sam Example (fictional)",
        "emergency_contact_relationship": "brother",
        "emergency_contact_phone": "(518) 555-0102",
    }
    return BookingDetails.objects.create(consultation=consultation, **values | overrides)
