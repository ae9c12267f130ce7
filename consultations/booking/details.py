"""The booking details given with a request, by the patient online or by the desk for a caller (DOMAIN.md §1
items 1 and 14): sex, language and interpreter, state of residence, primary care clinician, emergency contact, and
the consent to a video visit, which a video request cannot go without.

Personal information: shown to the desk and the consultation's surgeon, never put in an e-mail's text.
"""

from dataclasses import dataclass
from datetime import datetime

from consultations.models import BookingDetails, Consultation

# What the patient agrees to for a video visit (DOMAIN.md §1 item 14, telehealth consent), in our own words. The
# record keeps the words agreed to, with the time.
VIDEO_CONSENT = (
    "I agree to have this consultation by video call. I understand that the surgeon cannot examine me in person on "
    "a video call and may ask me to come in, and that I can ask for an in-person visit instead at any time."
)
# The desk's version, for a caller: the desk reads the consent out and records that the caller agreed.
VIDEO_CONSENT_READ_TO_CALLER = "The desk read the video-visit consent to the caller, who agreed to it."


class VideoConsentMissing(Exception):
    """A video visit was asked for without the patient's consent to one."""


@dataclass(frozen=True)
class PersonDetails:
    """As given; blank is "not given". `video_consent`: the words agreed to, blank when none was given."""

    sex: str = ""
    gender_identity: str = ""
    preferred_language: str = "English"
    interpreter_needed: bool = False
    state: str = ""
    primary_care_name: str = ""
    primary_care_practice: str = ""
    primary_care_phone: str = ""
    emergency_contact_name: str = ""
    emergency_contact_relationship: str = ""
    emergency_contact_phone: str = ""
    video_consent: str = ""


def check_video_consent(*, visit_type: str, details: PersonDetails | None) -> None:
    """Raise VideoConsentMissing for a video visit without the consent; call it before taking the slot."""
    if visit_type == Consultation.VisitType.VIDEO and not (details and details.video_consent):
        raise VideoConsentMissing


def record_booking_details(*, consultation: Consultation, details: PersonDetails, at: datetime) -> BookingDetails:
    """Keep what was given with the request, in the caller's transaction; the video consent only for a video
    visit, timed `at` (when the request was sent)."""
    video = consultation.visit_type == Consultation.VisitType.VIDEO
    return BookingDetails.objects.create(
        consultation=consultation,
        sex=details.sex,
        gender_identity=details.gender_identity,
        preferred_language=details.preferred_language,
        interpreter_needed=details.interpreter_needed,
        state=details.state,
        primary_care_name=details.primary_care_name,
        primary_care_practice=details.primary_care_practice,
        primary_care_phone=details.primary_care_phone,
        emergency_contact_name=details.emergency_contact_name,
        emergency_contact_relationship=details.emergency_contact_relationship,
        emergency_contact_phone=details.emergency_contact_phone,
        video_consent=details.video_consent if video else "",
        video_consent_at=at if video and details.video_consent else None,
    )
