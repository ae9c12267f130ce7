"""The desk's booking form: the red-flag script read to the caller, who the patient is, and when: a free time of
the clinics, or a time typed in for a walk-in or a same-day visit."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations.booking import red_flags
from consultations.booking.availability import DESK_HORIZON_DAYS
from consultations.booking.coverage_forms import CoverageForm
from consultations.booking.details import VIDEO_CONSENT_READ_TO_CALLER
from consultations.booking.details_forms import BookingDetailsForm
from consultations.booking.forms import PatientDetailsForm, RedFlagForm, clean_slot_field
from consultations.booking.screening import ScreenResult
from consultations.booking.slots import local_instant
from consultations.desk.booking import READ_TO_CALLER, Booking
from consultations.fields import DateInput, TimeInput
from consultations.models import Consultation

TYPED = "typed"
DESK_DETAIL_LABELS = {
    "preferred_language": "Language for the visit",
    "interpreter_needed": "Needs an interpreter",
    "state": "State of residence",
    "primary_care_name": "Primary care clinician (optional)",
    "emergency_contact_name": "Emergency contact (optional)",
    "emergency_contact_relationship": "Relationship (optional)",
    "video_consent": VIDEO_CONSENT_READ_TO_CALLER,
}
LENGTHS = [(minutes, f"{minutes} minutes") for minutes in (15, 20, 30, 45, 60, 90, 120)]


class DeskBookingForm(BookingDetailsForm, CoverageForm, RedFlagForm, PatientDetailsForm):
    """Everything the desk asks a caller, in the order it asks. The red-flag answers are read even when another
    answer fails, so that an emergency is never missed behind a typo."""

    recent_surgery = forms.ChoiceField(
        label="Spine surgery in the last 12 weeks?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Ask the caller: spine surgery in the last 12 weeks?"},
    )
    read_to_caller = forms.BooleanField(label=READ_TO_CALLER, required=False)
    surgeon = forms.ModelChoiceField(queryset=Surgeon.objects.order_by("last_name", "first_name"))
    slot = forms.CharField(
        label="When",
        error_messages={"required": "Choose one of the free times, or “Another time” and type it in."},
    )
    typed_location = forms.ModelChoiceField(label="Place", queryset=Location.objects.all(), required=False)
    typed_day = forms.DateField(label="Date", widget=DateInput(), required=False)
    typed_time = forms.TimeField(label="Time", widget=TimeInput(), required=False)
    typed_minutes = forms.TypedChoiceField(label="Length", choices=LENGTHS, coerce=int, initial=30, required=False)
    visit_type = forms.ChoiceField(
        label="Visit",
        choices=Consultation.VisitType.choices,
        initial=Consultation.VisitType.IN_PERSON,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(label="What the patient would like to discuss", max_length=300)
    channel = forms.ChoiceField(
        label="How the request came in",
        choices=Consultation.Channel.choices,
        initial=Consultation.Channel.PHONE,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label="Note for the desk (optional)",
        max_length=300,
        required=False,
        help_text="Staff see it on the consultation's page; the patient does not.",
    )

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        email = self.fields["email"]
        email.required = False
        email.help_text = "Without one, the patient gets no e-mail: read the reference out instead."
        self.fields["date_of_birth"].help_text = ""
        self.fields["payment"].label = "How will the patient pay?"
        self.fields["referral_name"].label = "Referring clinician (optional)"
        self.fields["referral_name"].help_text = ""
        self.fields["referral_npi"].help_text = "Ten digits; the last one is checked."
        # The same questions as online, in the desk's words; the record keeps the consent's words as read.
        for name, label in DESK_DETAIL_LABELS.items():
            self.fields[name].label = label
        self.fields["gender_identity"].help_text = ""
        self.fields["emergency_contact_relationship"].help_text = ""
        self.fields["state"].help_text = "Needed for a video visit (the surgeon's licence)."

    @property
    def had_recent_surgery(self) -> bool:
        return self.is_bound and self.data.get("recent_surgery") == "yes"

    def advice(self) -> red_flags.Advice:
        return red_flags.classify(self.ticked(), recent_surgery=self.had_recent_surgery)

    def clean_slot(self) -> str:
        value = self.cleaned_data["slot"]
        if value != TYPED:
            self.cleaned_data["chosen"] = clean_slot_field(value, horizon_days=DESK_HORIZON_DAYS)
        return value

    def clean(self) -> dict:
        data = super().clean()
        if self.advice().needs_acknowledgement and not data.get("read_to_caller"):
            self.add_error("read_to_caller", "Read the advice to the caller, then tick the box to go on.")
        if data.get("slot") == TYPED:
            self._clean_typed(data)
        return data

    def _clean_typed(self, data: dict) -> None:
        missing = [
            name for name in ("typed_location", "typed_day", "typed_time", "typed_minutes") if not data.get(name)
        ]
        for name in missing:
            self.add_error(name, "Needed for a time typed in.")
        if missing:
            return
        location: Location = data["typed_location"]
        today = timezone.localdate(timezone=location.zone)
        day: date = data["typed_day"]
        if not today <= day <= today + timedelta(days=DESK_HORIZON_DAYS):
            self.add_error("typed_day", "Choose today or a later date within a year.")
            return
        start = local_instant(day, data["typed_time"], location.zone)
        if start is None:
            self.add_error("typed_time", "That time does not exist that day: the clocks go forward an hour.")
            return
        data["chosen"] = (start, location)
        data["end"] = start + timedelta(minutes=data["typed_minutes"])

    def booking(self) -> Booking:
        start, location = self.cleaned_data["chosen"]
        data = self.cleaned_data
        return Booking(
            surgeon=data["surgeon"],
            location=location,
            start=start,
            end=data.get("end"),
            visit_type=data["visit_type"],
            reason=data["reason"],
            channel=data["channel"],
            note=data["note"],
        )

    def screen(self) -> ScreenResult:
        advice = self.advice()
        return ScreenResult(
            items=tuple(flag.key for flag in advice.flags),
            recent_surgery=self.had_recent_surgery,
            urgency=advice.urgency,
            acknowledgement=READ_TO_CALLER if advice.is_urgent else "",
            screened_at=timezone.now(),
        )
