"""The consultations app's models, one module per part of the work: scheduling and patients, the red-flag
screen, the intake and its questionnaires, the surgeon's review, the desk's records, and auditing."""

from consultations.models.audit import AccessLog
from consultations.models.booking_details import BookingDetails, ResidenceState, Sex
from consultations.models.coverage import Coverage, Referral
from consultations.models.desk import ConsultationEvent, SentMessage, WaitlistEntry, WaitlistOffer
from consultations.models.intake import (
    STEP_SLUGS,
    STEPS,
    STEPS_BY_SLUG,
    ImagingStudy,
    Intake,
    IntakeVersion,
    Step,
    Treatment,
)
from consultations.models.medicines import Medication
from consultations.models.operations import PriorOperation
from consultations.models.patients import Patient
from consultations.models.questionnaires import Instrument, QuestionnaireResponse
from consultations.models.review import InformationRequest, IntakeReview
from consultations.models.scheduling import (
    AvailabilityRule,
    Consultation,
    ConsultationQuerySet,
    SafetyFlag,
    TimeOff,
    TsTzRange,
)
from consultations.models.screening import RedFlagScreen
from consultations.models.uploads import Upload

__all__ = [
    "STEPS",
    "STEPS_BY_SLUG",
    "STEP_SLUGS",
    "AccessLog",
    "AvailabilityRule",
    "BookingDetails",
    "Consultation",
    "ConsultationEvent",
    "ConsultationQuerySet",
    "Coverage",
    "ImagingStudy",
    "InformationRequest",
    "Instrument",
    "Intake",
    "IntakeReview",
    "IntakeVersion",
    "Medication",
    "Patient",
    "PriorOperation",
    "QuestionnaireResponse",
    "RedFlagScreen",
    "Referral",
    "ResidenceState",
    "SafetyFlag",
    "SentMessage",
    "Sex",
    "Step",
    "TimeOff",
    "Treatment",
    "TsTzRange",
    "Upload",
    "WaitlistEntry",
    "WaitlistOffer",
]
