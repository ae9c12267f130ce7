import re
import uuid
from datetime import date, datetime, timedelta

from django import forms
from django.conf import settings
from django.utils import timezone

from clinic.models import Location
from consultations.booking import red_flags, screening, slots
from consultations.booking.bot_guard import BotGuardForm
from consultations.booking.coverage_forms import CoverageForm
from consultations.booking.details_forms import BookingDetailsForm
from consultations.booking.services import PatientDetails
from consultations.fields import check_phone
from consultations.models import Consultation, Patient

SLUG = re.compile(r"[-a-zA-Z0-9_]{1,50}")


def _horizon(horizon_days: int | None) -> slots.Policy:
    return slots.Policy(horizon=timedelta(days=horizon_days or settings.BOOKING_HORIZON_DAYS))


def parse_slot(value: str, *, horizon_days: int | None = None) -> tuple[datetime, str]:
    """A slot as the pages carry it: 'ISO start|location slug'; only times that can be within the horizon (the
    patient's booking horizon unless another is given) in some zone. Its last day is a whole local day: it ends
    less than a day and a clock change after `now + horizon` (`clean_slot_field` checks the location's own)."""
    start_text, _, location = value.partition("|")
    start = datetime.fromisoformat(start_text)
    now = timezone.now()
    latest = now + _horizon(horizon_days).horizon + timedelta(days=2)
    try:
        in_range = start.tzinfo is not None and now - timedelta(days=1) <= start <= latest
    except OverflowError as error:  # a date at the very end of the calendar, shifted by its offset
        raise ValueError(value) from error
    if not in_range or not SLUG.fullmatch(location):
        raise ValueError(value)
    return start, location


def clean_slot_field(value: str, *, horizon_days: int | None = None) -> tuple[datetime, Location]:
    """The form field's value as a start time and an existing location, or a clear error."""
    try:
        start, slug = parse_slot(value, horizon_days=horizon_days)
    except ValueError as error:
        raise forms.ValidationError("Please choose a time from the list.") from error
    location = Location.objects.filter(slug=slug).first()
    if location is None:
        raise forms.ValidationError("Please choose a time from the list.")
    if start.astimezone(location.zone).date() > _horizon(horizon_days).last_day(timezone.now(), location.zone):
        raise forms.ValidationError("That time is beyond how far ahead we book: please choose one from the list.")
    return start, location


class PatientDetailsForm(forms.Form):
    """Who the consultation is for, as the patient types it online or the desk types it for a caller."""

    first_name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"autocomplete": "given-name"}))
    last_name = forms.CharField(max_length=80, widget=forms.TextInput(attrs={"autocomplete": "family-name"}))
    date_of_birth = forms.DateField(
        widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}),
        help_text="We use it with your e-mail to recognise you if you have been here before.",
    )
    email = forms.EmailField(widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    phone = forms.CharField(
        label="Phone number", max_length=25, widget=forms.TextInput(attrs={"autocomplete": "tel", "type": "tel"})
    )

    def clean_date_of_birth(self) -> date:
        born = self.cleaned_data["date_of_birth"]
        today = timezone.localdate()
        if born >= today:
            raise forms.ValidationError("Your date of birth must be in the past.")
        if born.year < today.year - 120:
            raise forms.ValidationError("Please check the year of your date of birth.")
        return born

    def clean_phone(self) -> str:
        return check_phone(self.cleaned_data["phone"])

    def details(self) -> PatientDetails:
        data = self.cleaned_data
        return PatientDetails(
            first_name=data["first_name"],
            last_name=data["last_name"],
            date_of_birth=data["date_of_birth"],
            email=data["email"],
            phone=data["phone"],
            preferred_contact=data.get("preferred_contact") or Patient.Contact.EMAIL,
            # A new patient's row starts with the language given (`BookingDetailsForm`); it never changes after.
            preferred_language=data.get("preferred_language") or "English",
        )


class ResendLinkForm(forms.Form):
    """Who asks for their links again: the e-mail address and date of birth given with the request."""

    email = forms.EmailField(label="E-mail address", widget=forms.EmailInput(attrs={"autocomplete": "email"}))
    date_of_birth = forms.DateField(widget=forms.DateInput(attrs={"type": "date", "autocomplete": "bday"}))


class RequestForm(BotGuardForm, BookingDetailsForm, CoverageForm, PatientDetailsForm):
    slot = forms.CharField(widget=forms.HiddenInput)
    idempotency_key = forms.UUIDField(widget=forms.HiddenInput, initial=uuid.uuid4)
    preferred_contact = forms.ChoiceField(
        label="How should we contact you?",
        choices=Patient.Contact.choices,
        initial=Patient.Contact.EMAIL,
        widget=forms.RadioSelect,
    )
    visit_type = forms.ChoiceField(
        label="Visit",
        choices=Consultation.VisitType.choices,
        initial=Consultation.VisitType.IN_PERSON,
        widget=forms.RadioSelect,
    )
    reason = forms.CharField(
        label="What would you like to discuss?",
        max_length=300,
        help_text="One sentence is enough, for example: leg pain came back a year after my fusion.",
        widget=forms.TextInput(),
    )
    waitlist = forms.BooleanField(
        label="Tell me if an earlier time with this surgeon becomes free",
        required=False,
        help_text="We e-mail you when someone gives up an earlier time. The first to take it gets it.",
    )

    def clean_slot(self) -> tuple[datetime, Location]:
        return clean_slot_field(self.cleaned_data["slot"])


class SlotChoiceForm(forms.Form):
    slot = forms.CharField()

    def clean_slot(self) -> tuple[datetime, Location]:
        return clean_slot_field(self.cleaned_data["slot"])


class CancelForm(forms.Form):
    reason = forms.CharField(
        label="Reason (optional)", max_length=300, required=False, help_text="It helps us, but you do not have to say."
    )


class SlotQueryForm(forms.Form):
    """The slots API's parameters."""

    surgeon = forms.SlugField()
    start = forms.DateField(input_formats=["%Y-%m-%d"])
    days = forms.IntegerField(min_value=1, max_value=31, required=False)

    def clean_start(self) -> date:
        start = self.cleaned_data["start"]
        today = timezone.localdate()
        if not today - timedelta(days=366) <= start <= _horizon(None).last_day_anywhere(timezone.now()):
            raise forms.ValidationError("Ask for a date between a year ago and the end of the booking horizon.")
        return start


class FindSlotsForm(forms.Form):
    procedure = forms.SlugField(required=False)
    location = forms.SlugField(required=False)


class RedFlagForm(forms.Form):
    """The red-flag questions of `consultations.booking.red_flags`, one group of tick boxes per question, all optional.

    Shared by the education self-check and the screen before booking, so that both ask the same thing.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        for question in red_flags.QUESTIONS:
            self.fields[f"flags_{question.key}"] = forms.MultipleChoiceField(
                label=question.legend,
                choices=[(flag.key, flag.text) for flag in question.flags],
                widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
                required=False,
            )

    @property
    def red_flag_fields(self) -> list[forms.BoundField]:
        return [self[f"flags_{question.key}"] for question in red_flags.QUESTIONS]

    def ticked(self) -> list[str]:
        """Every known symptom ticked, read from the raw answers so that no other answer failing validation
        can hide a red flag."""
        if not self.is_bound:
            return []
        return [
            key
            for question in red_flags.QUESTIONS
            for key in self.data.getlist(f"flags_{question.key}")
            if key in {flag.key for flag in question.flags}
        ]


class ScreenForm(RedFlagForm):
    """The safety screen before booking: recent surgery (it changes the advice), then the red flags."""

    recent_surgery = forms.ChoiceField(
        label="Have you had spine surgery in the last 12 weeks?",
        choices=[("yes", "Yes"), ("no", "No")],
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"required": "Please answer yes or no: have you had spine surgery in the last 12 weeks?"},
    )

    @property
    def had_recent_surgery(self) -> bool:
        return self.is_bound and self.data.get("recent_surgery") == "yes"

    def advice(self) -> red_flags.Advice:
        return red_flags.classify(self.ticked(), recent_surgery=self.had_recent_surgery)

    def hidden_answers(self) -> list[tuple[str, str]]:
        """The answers as (name, value) pairs, for the advice page to send back with the confirmation."""
        flags = [
            (f"flags_{question.key}", key)
            for question in red_flags.QUESTIONS
            for key in self.ticked()
            if key in {flag.key for flag in question.flags}
        ]
        return [*flags, ("recent_surgery", "yes" if self.had_recent_surgery else "no")]


class AcknowledgementForm(forms.Form):
    """The confirmation that lets a patient go on past red-flag advice; its words depend on the advice."""

    REQUIRED = {
        red_flags.Urgency.SAME_DAY: "To go on, tick the box to confirm that you have read this advice.",
        red_flags.Urgency.EMERGENCY: (
            "To go on, tick the box to confirm that you have had exactly these symptoms, without change, for "
            f"more than {screening.SETTLED_WEEKS} weeks and that a doctor has examined you for them. If that is not "
            "so, please call 911 or go to the nearest emergency department now."
        ),
    }

    confirmed = forms.BooleanField(widget=forms.CheckboxInput(attrs={"class": "form-check-input"}))

    def __init__(self, *args: object, urgency: red_flags.Urgency, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["confirmed"]
        field.label = screening.ACKNOWLEDGEMENTS[urgency][1]
        field.error_messages["required"] = self.REQUIRED[urgency]
