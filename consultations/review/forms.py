"""Forms of the surgeon's workspace: which consultations to list, the review, and a question to the patient."""

from datetime import date, timedelta

from django import forms
from django.utils import timezone

from consultations.fields import DateInput, check_within_reach
from consultations.models import STEPS, IntakeReview, Upload

DEFAULT_DAYS = 14
MAX_DAYS = 366


class ConsultationRangeForm(forms.Form):
    """From and to (both days included); the next two weeks when left empty."""

    start = forms.DateField(label="From", required=False, widget=DateInput())
    end = forms.DateField(label="To (included)", required=False, widget=DateInput())
    unreviewed = forms.BooleanField(label="Only histories I have not reviewed", required=False)

    def clean(self) -> dict:
        cleaned = super().clean()
        if self.errors:
            return cleaned
        # Near today first, so that adding days to them (here and in the view) never leaves the calendar.
        start: date = check_within_reach(cleaned.get("start") or timezone.localdate())
        end: date = check_within_reach(cleaned.get("end") or start + timedelta(days=DEFAULT_DAYS - 1))
        if end < start:
            raise forms.ValidationError("The “To” day must not be before the “From” day.")
        if (end - start).days >= MAX_DAYS:
            raise forms.ValidationError(f"Please choose at most {MAX_DAYS} days at a time.")
        cleaned["start"], cleaned["end"] = start, end
        return cleaned


class ReviewForm(forms.ModelForm):
    class Meta:
        model = IntakeReview
        fields = ["priority", "notes"]
        labels = {"priority": "How soon the front desk should see this patient", "notes": "Pre-visit notes"}
        help_texts = {
            "priority": "The front desk sees “soon” and “urgent” in its queue.",
            "notes": "Private to clinicians: neither the patient nor the front desk sees them.",
        }
        widgets = {"priority": forms.RadioSelect, "notes": forms.Textarea(attrs={"rows": 3})}


class InformationRequestForm(forms.Form):
    section = forms.ChoiceField(
        label="Part of the history",
        choices=[("", "Choose a part")] + [(step.slug, step.title) for step in STEPS],
        error_messages={"required": "Please choose the part of the history to add to."},
    )
    message = forms.CharField(
        label="Your question to the patient",
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="The patient reads it after following the link in our e-mail; the e-mail itself does not show it.",
        error_messages={"required": "Please write what you would like the patient to add."},
    )


class ReplyForm(forms.Form):
    reply = forms.CharField(
        label="Your answer",
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 6}),
        error_messages={"required": "Please write your answer before sending it."},
    )
    report = forms.FileField(
        label="Add a report if your surgeon asked for one (PDF, JPEG or PNG, up to 10 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )

    # The kind of report an answer brings, by the part of the history the question is about.
    KINDS = {"imaging": Upload.Kind.IMAGING_REPORT, "operations": Upload.Kind.OPERATIVE_REPORT}
