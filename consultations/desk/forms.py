"""The front desk's forms: status buttons and proposing a time, schedules, availability, time off and finding
patients."""

import re
import uuid
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone

from clinic.models import Location, Surgeon
from consultations.booking.availability import DESK_HORIZON_DAYS
from consultations.booking.forms import clean_slot_field
from consultations.booking.slots import local_instant
from consultations.desk import spam, transitions
from consultations.fields import DateInput, TimeInput, check_within_reach
from consultations.models import AvailabilityRule, TimeOff

REFERENCE = re.compile(r"[0-9A-F]{8}")


class SurgeonAndPlaceForm(forms.Form):
    """A surgeon and a location to narrow a desk page to, by slug (no patient details in the query string)."""

    surgeon = forms.ModelChoiceField(
        queryset=Surgeon.objects.order_by("last_name", "first_name"),
        to_field_name="slug",
        required=False,
        empty_label="All surgeons",
    )
    location = forms.ModelChoiceField(
        queryset=Location.objects.order_by("name"), to_field_name="slug", required=False, empty_label="All locations"
    )


class ScheduleForm(SurgeonAndPlaceForm):
    VIEWS = (("day", "Day"), ("week", "Week (Monday to Sunday)"))

    day = forms.DateField(required=False, widget=DateInput(), help_text="In a week view, any day of that week.")
    view = forms.ChoiceField(choices=VIEWS, required=False, widget=forms.RadioSelect, label="Show")

    def clean_day(self) -> date:
        return check_within_reach(self.cleaned_data["day"] or timezone.localdate())

    def clean_view(self) -> str:
        return self.cleaned_data["view"] or "day"


class ScheduleCsvForm(forms.Form):
    surgeon = forms.ModelChoiceField(queryset=Surgeon.objects.all(), to_field_name="slug", required=False)
    location = forms.ModelChoiceField(queryset=Location.objects.all(), to_field_name="slug", required=False)
    day = forms.DateField()

    def clean_day(self) -> date:
        return check_within_reach(self.cleaned_data["day"])


class AvailabilityRuleForm(forms.ModelForm):
    class Meta:
        model = AvailabilityRule
        fields = ["location", "weekday", "start_time", "end_time", "slot_minutes", "valid_from", "valid_until"]
        labels = {
            "start_time": "Clinic starts",
            "end_time": "Clinic ends",
            "slot_minutes": "Minutes per consultation",
            "valid_from": "First day",
            "valid_until": "Last day",
        }
        help_texts = {
            "start_time": "Local time at the location.",
            "end_time": "Local time at the location.",
            "slot_minutes": "Between 5 and 480.",
            "valid_from": "Leave empty to start at once.",
            "valid_until": "Leave empty for no end.",
        }
        widgets = {
            "start_time": TimeInput(),
            "end_time": TimeInput(),
            "valid_from": DateInput(),
            "valid_until": DateInput(),
        }

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = Location.objects.order_by("name")
        self.fields["location"].label_from_instance = lambda location: f"{location.name} ({location.timezone})"

    def clean(self) -> dict:
        data = super().clean()
        start, end, minutes = data.get("start_time"), data.get("end_time"), data.get("slot_minutes")
        if start and end and minutes and end > start:
            length = datetime.combine(date.min, end) - datetime.combine(date.min, start)
            if length < timedelta(minutes=minutes):
                raise ValidationError("The clinic is shorter than one consultation, so it would offer no time.")
        for name in ("valid_from", "valid_until"):
            if data.get(name):
                try:
                    check_within_reach(data[name])
                except ValidationError as error:
                    self.add_error(name, error)
        return data


class EndRuleForm(forms.ModelForm):
    class Meta:
        model = AvailabilityRule
        fields = ["valid_until"]
        labels = {"valid_until": "Last day of this clinic"}
        help_texts = {"valid_until": "The clinic is held on this day, if it is one of its days, and never after."}
        widgets = {"valid_until": DateInput()}

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["valid_until"].required = True

    def clean_valid_until(self) -> date:
        last_day = check_within_reach(self.cleaned_data["valid_until"])
        if last_day < timezone.localdate():
            raise ValidationError("Choose today or a later day: clinics already held stay on the record.")
        return last_day

    def clean(self) -> dict:
        data = super().clean()
        if data.get("valid_until"):
            # The form holds only the last day, so Django would skip the constraint that compares it with the first.
            self.instance.valid_until = data["valid_until"]
            self.instance.validate_constraints()
        return data


def zone_choices() -> list[tuple[str, str]]:
    """Each time zone the practice works in, named with its locations."""
    by_zone: dict[str, list[str]] = {settings.PRACTICE_TIME_ZONE: []}
    for name, zone in Location.objects.order_by("name").values_list("name", "timezone"):
        by_zone.setdefault(zone, []).append(name)
    return [(zone, f"{zone} ({', '.join(names)})" if names else zone) for zone, names in by_zone.items()]


class TimeOffForm(forms.ModelForm):
    first_day = forms.DateField(widget=DateInput())
    from_time = forms.TimeField(
        label="From", required=False, widget=TimeInput(), help_text="Leave empty to start at midnight."
    )
    last_day = forms.DateField(required=False, widget=DateInput(), help_text="Leave empty for one day.")
    until_time = forms.TimeField(
        label="Until", required=False, widget=TimeInput(), help_text="Leave empty for the whole last day."
    )
    zone = forms.ChoiceField(label="Times are in")

    class Meta:
        model = TimeOff
        fields = ["reason"]
        help_texts = {"reason": "Seen by staff only; not needed."}

    field_order = ["first_day", "from_time", "last_day", "until_time", "zone", "reason"]

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)
        self.fields["zone"].choices = zone_choices()
        self.fields["zone"].initial = settings.PRACTICE_TIME_ZONE

    def clean_first_day(self) -> date:
        return check_within_reach(self.cleaned_data["first_day"])

    def clean_last_day(self) -> date | None:
        last_day = self.cleaned_data["last_day"]
        return check_within_reach(last_day) if last_day else None

    def clean(self) -> dict:
        data = super().clean()
        first_day, zone_name = data.get("first_day"), data.get("zone")
        if first_day is None or zone_name is None or self.has_error("last_day"):
            return data
        zone = ZoneInfo(zone_name)
        last_day = data.get("last_day") or first_day
        start = self._instant(first_day, data.get("from_time") or time.min, zone, "from_time")
        until = data.get("until_time")
        end = self._instant(last_day, until, zone, "until_time") if until else self._next_midnight(last_day, zone)
        if start is None or end is None:
            return data
        self.instance.start, self.instance.end = start, end
        # The model's own constraint (time off ends after it starts), as a message on the form.
        self.instance.validate_constraints(exclude={"surgeon"})
        data["start"], data["end"] = start, end
        return data

    def _instant(self, day: date, at: time, zone: ZoneInfo, field: str) -> datetime | None:
        instant = local_instant(day, at, zone)
        if instant is None:
            self.add_error(field, f"{at:%H:%M} does not exist on {day:%b %d} in {zone.key}: the clocks go forward.")
        return instant

    def _next_midnight(self, day: date, zone: ZoneInfo) -> datetime:
        next_day = day + timedelta(days=1)
        # Midnight can fall in a clock change in a few zones; the first instant of the day is what is meant.
        return local_instant(next_day, time.min, zone) or datetime.combine(next_day, time(1), zone)


class PatientSearchForm(forms.Form):
    name = forms.CharField(required=False, max_length=170, help_text="First, last or both.")
    date_of_birth = forms.DateField(required=False, widget=DateInput())
    email = forms.CharField(label="E-mail", required=False, max_length=254, help_text="All or part of it.")
    phone = forms.CharField(required=False, max_length=30, help_text="Any part of the number, digits only or not.")
    reference = forms.CharField(
        required=False, max_length=20, help_text="The 8 letters and digits on the patient's e-mails."
    )

    def clean_phone(self) -> str:
        digits = re.sub(r"\D", "", self.cleaned_data["phone"])
        if self.cleaned_data["phone"] and len(digits) < 4:
            raise ValidationError("Type at least 4 digits of the number.")
        return digits

    def clean_reference(self) -> str:
        reference = re.sub(r"[\s#-]", "", self.cleaned_data["reference"]).upper()
        if reference and not REFERENCE.fullmatch(reference):
            raise ValidationError("A reference is 8 letters (A to F) and digits, like 3F9A12BC.")
        return reference

    def clean_date_of_birth(self) -> date | None:
        born = self.cleaned_data["date_of_birth"]
        if born and not date(1900, 1, 1) <= born <= timezone.localdate():
            raise ValidationError("Check the date of birth.")
        return born

    def clean(self) -> dict:
        data = super().clean()
        if not self.errors and not any(data.values()):
            raise ValidationError("Fill in at least one box.")
        return data

    def reference_range(self) -> tuple[uuid.UUID, uuid.UUID]:
        """Every public id whose first 8 hex digits are the reference, as a range the unique index can use."""
        prefix = self.cleaned_data["reference"].lower()
        return uuid.UUID(prefix + "0" * 24), uuid.UUID(prefix + "f" * 24)


class DeskActionForm(forms.Form):
    """One of the desk's status buttons; a decline needs a reason the patient will read."""

    BACK = {"today": "consultations:desk-today", "queue": "consultations:desk-queue"}

    action = forms.ChoiceField(
        choices=[(action, transition.button) for action, transition in transitions.ACTIONS.items()]
    )
    reason = forms.CharField(
        label="Reason the patient will read", max_length=300, required=False, widget=forms.TextInput()
    )
    # Where to go afterwards: the page the button was on (the consultation's own page when empty).
    back = forms.ChoiceField(choices=[("", "")] + [(name, name) for name in BACK], required=False)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("action") == transitions.DECLINE and not data.get("reason", "").strip():
            self.add_error("reason", "Give the patient a reason when declining a request.")
        return data


class ProposeForm(forms.Form):
    surgeon = forms.SlugField()
    slot = forms.CharField()
    note = forms.CharField(
        label="Note for the history (optional)",
        max_length=200,
        required=False,
        help_text="Why the time changed, for the desk. The patient does not see it.",
    )

    def clean_slot(self) -> tuple[datetime, Location]:
        return clean_slot_field(self.cleaned_data["slot"], horizon_days=DESK_HORIZON_DAYS)


class UUIDListField(forms.Field):
    widget = forms.MultipleHiddenInput

    def to_python(self, value: list[str] | None) -> list[uuid.UUID]:
        try:
            return [uuid.UUID(item) for item in value or []]
        except (TypeError, ValueError) as error:
            raise ValidationError("The list of requests was damaged. Please reload the page.") from error


class SpamGroupForm(forms.Form):
    """Cancel one group of the "possible spam" page: the requests the desk was shown, and whether to tell them."""

    kind = forms.ChoiceField(choices=[(kind, kind) for kind in spam.KINDS], widget=forms.HiddenInput)
    key = forms.RegexField(regex=r"^[0-9a-f]{64}$", widget=forms.HiddenInput)
    requests = UUIDListField()
    as_spam = forms.BooleanField(
        label="This is spam: cancel without e-mailing anyone",
        required=False,
        help_text="Leave it unticked if these could be real patients: each then gets the usual cancellation e-mail.",
    )
