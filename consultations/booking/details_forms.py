"""The booking-detail questions of a request, asked the same way online and by the desk: about the patient (sex,
language, interpreter, state of residence), two people we may call (their primary care clinician, an emergency
contact), and the consent a video visit needs. Only the language must be answered (it comes filled in); the state
and the consent are needed for a video visit."""

from django import forms

from consultations.booking.details import VIDEO_CONSENT, PersonDetails
from consultations.fields import check_phone
from consultations.models import Consultation, ResidenceState, Sex


def _phone(label: str) -> forms.CharField:
    return forms.CharField(label=label, max_length=25, required=False, widget=forms.TextInput(attrs={"type": "tel"}))


class BookingDetailsForm(forms.Form):
    """Mixed into a form that has `visit_type`."""

    sex = forms.ChoiceField(label="Sex (optional)", choices=Sex.choices, required=False, widget=forms.RadioSelect)
    gender_identity = forms.CharField(
        label="Gender identity (optional)",
        max_length=60,
        required=False,
        help_text="Only if you would like us to know, in your own words.",
    )
    preferred_language = forms.CharField(
        label="Language you would like to use at your visit",
        max_length=40,
        initial="English",
        widget=forms.TextInput(attrs={"autocomplete": "language"}),
        error_messages={"required": "Tell us the language you would like to use, for example English or Spanish."},
    )
    interpreter_needed = forms.BooleanField(label="I would like an interpreter at my visit", required=False)
    state = forms.ChoiceField(
        label="State where you live",
        choices=[("", "Choose a state (optional)"), *ResidenceState.choices],
        required=False,
        help_text="Needed for a video visit: a surgeon may see you by video only in a state where they are licensed.",
        widget=forms.Select(attrs={"autocomplete": "address-level1"}),
    )
    primary_care_name = forms.CharField(label="Your primary care doctor (optional)", max_length=170, required=False)
    primary_care_practice = forms.CharField(label="Their practice (optional)", max_length=200, required=False)
    primary_care_phone = _phone("Your doctor's phone (optional)")
    emergency_contact_name = forms.CharField(
        label="Someone we can call in an emergency (optional)", max_length=170, required=False
    )
    emergency_contact_relationship = forms.CharField(
        label="Who they are to you (optional)",
        max_length=60,
        required=False,
        help_text="For example: wife, son, friend.",
    )
    emergency_contact_phone = _phone("Their phone, for emergencies")
    video_consent = forms.BooleanField(label=VIDEO_CONSENT, required=False)

    def clean_gender_identity(self) -> str:
        return self.cleaned_data["gender_identity"].strip()

    def clean_preferred_language(self) -> str:
        language = self.cleaned_data["preferred_language"].strip()
        if not language:
            raise forms.ValidationError(self.fields["preferred_language"].error_messages["required"])
        return language

    def clean_primary_care_phone(self) -> str:
        phone = self.cleaned_data["primary_care_phone"].strip()
        return check_phone(phone) if phone else ""

    def clean_emergency_contact_phone(self) -> str:
        phone = self.cleaned_data["emergency_contact_phone"].strip()
        return check_phone(phone) if phone else ""

    def clean(self) -> dict:
        data = super().clean()
        name = data.get("emergency_contact_name", "").strip()
        phone = data.get("emergency_contact_phone", "")
        if name and not phone and not self.has_error("emergency_contact_phone"):
            self.add_error("emergency_contact_phone", f"Enter a phone number for {name}, or leave both empty.")
        if phone and not name:
            self.add_error("emergency_contact_name", "Enter the name of the person to call at this number.")
        if data.get("visit_type") == Consultation.VisitType.VIDEO:
            if not data.get("video_consent"):
                self.add_error(
                    "video_consent", "To have a video visit, tick the box to agree to it, or choose an in-person visit."
                )
            if not data.get("state"):
                self.add_error("state", "For a video visit, choose the state where you live.")
        return data

    def person_details(self) -> PersonDetails:
        data = self.cleaned_data
        video = data.get("visit_type") == Consultation.VisitType.VIDEO and data["video_consent"]
        return PersonDetails(
            sex=data["sex"],
            gender_identity=data["gender_identity"],
            preferred_language=data["preferred_language"],
            interpreter_needed=data["interpreter_needed"],
            state=data["state"],
            primary_care_name=data["primary_care_name"].strip(),
            primary_care_practice=data["primary_care_practice"].strip(),
            primary_care_phone=data["primary_care_phone"],
            emergency_contact_name=data["emergency_contact_name"].strip(),
            emergency_contact_relationship=data["emergency_contact_relationship"].strip(),
            emergency_contact_phone=data["emergency_contact_phone"],
            video_consent=self.fields["video_consent"].label if video else "",
        )
