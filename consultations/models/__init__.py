"""The consultations app's models, one module per part of the work: scheduling, the intake, and auditing."""

from consultations.models.audit import AccessLog
from consultations.models.desk import ConsultationEvent, SentMessage, WaitlistEntry, WaitlistOffer
from consultations.models.intake import (
    ImagingStudy,
    InformationRequest,
    Instrument,
    Intake,
    IntakeReview,
    IntakeVersion,
    Medication,
    PriorOperation,
    QuestionnaireResponse,
    RedFlagScreen,
    Treatment,
    Upload,
)
from consultations.models.scheduling import (
    AvailabilityRule,
    Consultation,
    ConsultationQuerySet,
    Patient,
    TimeOff,
    TsTzRange,
)

__all__ = [
    "AccessLog",
    "AvailabilityRule",
    "Consultation",
    "ConsultationEvent",
    "ConsultationQuerySet",
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
    "SentMessage",
    "TimeOff",
    "Treatment",
    "TsTzRange",
    "Upload",
    "WaitlistEntry",
    "WaitlistOffer",
]
