"""Who the patient is beyond name and contact, as given with one request (DOMAIN.md §1 item 1): sex, language and
interpreter, primary care clinician, emergency contact and state of residence; and the consent to a video visit
(§1 item 14). Kept per consultation, as the contact name and phone are: a form never changes an existing patient's
row, and what was true at this request (a language, an emergency contact) is what the visit needs."""

from django.db import models
from django.db.models import Q

from consultations.models.scheduling import Consultation


class Sex(models.TextChoices):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    INTERSEX = "intersex", "Intersex"
    NOT_SAID = "not_said", "Prefer not to say"


class ResidenceState(models.TextChoices):
    """US states, the District of Columbia and the inhabited territories: where the patient lives matters for a
    video visit, which the surgeon may hold only where licensed (DOMAIN.md §1 item 1)."""

    AL = "AL", "Alabama"
    AK = "AK", "Alaska"
    AZ = "AZ", "Arizona"
    AR = "AR", "Arkansas"
    CA = "CA", "California"
    CO = "CO", "Colorado"
    CT = "CT", "Connecticut"
    DE = "DE", "Delaware"
    DC = "DC", "District of Columbia"
    FL = "FL", "Florida"
    GA = "GA", "Georgia"
    HI = "HI", "Hawaii"
    ID = "ID", "Idaho"
    IL = "IL", "Illinois"
    IN = "IN", "Indiana"
    IA = "IA", "Iowa"
    KS = "KS", "Kansas"
    KY = "KY", "Kentucky"
    LA = "LA", "Louisiana"
    ME = "ME", "Maine"
    MD = "MD", "Maryland"
    MA = "MA", "Massachusetts"
    MI = "MI", "Michigan"
    MN = "MN", "Minnesota"
    MS = "MS", "Mississippi"
    MO = "MO", "Missouri"
    MT = "MT", "Montana"
    NE = "NE", "Nebraska"
    NV = "NV", "Nevada"
    NH = "NH", "New Hampshire"
    NJ = "NJ", "New Jersey"
    NM = "NM", "New Mexico"
    NY = "NY", "New York"
    NC = "NC", "North Carolina"
    ND = "ND", "North Dakota"
    OH = "OH", "Ohio"
    OK = "OK", "Oklahoma"
    OR = "OR", "Oregon"
    PA = "PA", "Pennsylvania"
    RI = "RI", "Rhode Island"
    SC = "SC", "South Carolina"
    SD = "SD", "South Dakota"
    TN = "TN", "Tennessee"
    TX = "TX", "Texas"
    UT = "UT", "Utah"
    VT = "VT", "Vermont"
    VA = "VA", "Virginia"
    WA = "WA", "Washington"
    WV = "WV", "West Virginia"
    WI = "WI", "Wisconsin"
    WY = "WY", "Wyoming"
    AS = "AS", "American Samoa"
    GU = "GU", "Guam"
    MP = "MP", "Northern Mariana Islands"
    PR = "PR", "Puerto Rico"
    VI = "VI", "U.S. Virgin Islands"


class BookingDetails(models.Model):
    """Everything optional but the language: blank is "not given", never a guess. Personal information: shown to
    the desk and the consultation's surgeon, never put in an e-mail."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="booking_details")
    sex = models.CharField(max_length=10, choices=Sex, blank=True)
    gender_identity = models.CharField(max_length=60, blank=True)
    preferred_language = models.CharField(max_length=40, default="English")
    interpreter_needed = models.BooleanField(default=False)
    state = models.CharField("state of residence", max_length=2, choices=ResidenceState, blank=True)
    primary_care_name = models.CharField("primary care clinician", max_length=170, blank=True)
    primary_care_practice = models.CharField(max_length=200, blank=True)
    primary_care_phone = models.CharField(max_length=30, blank=True)
    emergency_contact_name = models.CharField(max_length=170, blank=True)
    emergency_contact_relationship = models.CharField(max_length=60, blank=True)
    emergency_contact_phone = models.CharField(max_length=30, blank=True)
    # The words the patient (or the desk, for a caller) agreed to for a video visit, and when; blank otherwise.
    video_consent = models.CharField(max_length=400, blank=True)
    video_consent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name_plural = "booking details"
        constraints = [
            models.CheckConstraint(
                condition=Q(video_consent="", video_consent_at__isnull=True)
                | (~Q(video_consent="") & Q(video_consent_at__isnull=False)),
                name="booking_details_video_consent_has_words_and_time",
                violation_error_message="A video consent keeps the words agreed to and when.",
            ),
            models.CheckConstraint(
                condition=Q(emergency_contact_phone="") | ~Q(emergency_contact_name=""),
                name="booking_details_emergency_contact_named",
                violation_error_message="An emergency contact's phone needs their name.",
            ),
        ]

    def __str__(self) -> str:
        return f"Booking details of {self.consultation.reference}"

    @property
    def language_line(self) -> str:
        """'Spanish, needs an interpreter', the way the desk and the surgeon read it."""
        return self.preferred_language + (", needs an interpreter" if self.interpreter_needed else "")

    @property
    def sex_line(self) -> str:
        """'Female (gender identity: non-binary)'; empty when not given."""
        sex = self.get_sex_display() if self.sex else ""
        if self.gender_identity:
            return f"{sex or 'Sex not given'} (gender identity: {self.gender_identity})"
        return sex
