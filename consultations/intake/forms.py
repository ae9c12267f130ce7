"""The intake's forms for answers kept on the intake itself, one per step. Each checks what a patient can get
wrong: dates in the future or before they were born, implausible heights and weights (DOMAIN.md §1). The
repeated parts (operations, treatments, medicines, scans) are in `intake.formsets`."""

from datetime import date

from django import forms
from django.utils import timezone

from consultations.models import Intake
from consultations.models.intake import Answer

MONTHS = [(None, "Month (if you know it)")] + [(n, date(2000, n, 1).strftime("%B")) for n in range(1, 13)]
EARLIEST_YEAR = 1920


def check_month_and_year(year: int | None, month: int | None, *, born: date, what: str) -> None:
    """`what` happened in this month (or year): not in the future, and not before the patient was born."""
    if year is None:
        return
    today = timezone.localdate()
    if (year, month or 1) > (today.year, today.month):
        raise forms.ValidationError(f"{what} cannot be in the future. Please check the year.")
    if (year, month or 12) < (born.year, born.month):
        raise forms.ValidationError(f"{what} cannot be before you were born. Please check the year.")


def year_field(*, label: str = "Year", required: bool = True) -> forms.IntegerField:
    check_year = f"Please check the year: give it as four digits, from {EARLIEST_YEAR} on."
    return forms.IntegerField(
        label=label,
        required=required,
        min_value=EARLIEST_YEAR,
        # Only a ceiling for the column: this year changes while the server runs; check_month_and_year refuses the
        # future.
        max_value=9999,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": "Please give the year, even if you are not sure of the month.",
            "invalid": check_year,
            "min_value": check_year,
            "max_value": check_year,
        },
    )


def number_field(label: str, *, low: int, high: int, message: str, help_text: str = "") -> forms.IntegerField:
    """A whole number a patient types, refused with `message` outside `low`..`high`.

    Declared on the form rather than adjusted after it is built: a field's limits become validators only in
    its constructor.
    """
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=low,
        max_value=high,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={"invalid": message, "min_value": message, "max_value": message},
    )


def answer_field(label: str, *, help_text: str = "") -> forms.ChoiceField:
    return forms.ChoiceField(
        label=label, choices=Answer.choices, required=False, widget=forms.RadioSelect, help_text=help_text
    )


class PatientAwareMixin:
    """Forms that compare dates with the patient's date of birth take it as `born`."""

    def __init__(self, *args, born: date, **kwargs) -> None:
        self.born = born
        super().__init__(*args, **kwargs)


class IntakeStepForm(forms.ModelForm):
    """A step's form on the intake itself. A step saves only its own columns (`saved_fields`), so two tabs on
    different steps never overwrite each other's answers."""

    # Columns the form sets itself, beside its Meta.fields.
    also_saves: tuple[str, ...] = ()

    def saved_fields(self) -> list[str]:
        return [*self._meta.fields, *self.also_saves]


# 1. Main problem and goals


class AboutForm(IntakeStepForm):
    class Meta:
        model = Intake
        fields = ["chief_complaint", "goals"]
        labels = {
            "chief_complaint": "What is the main problem you would like help with?",
            "goals": "What would count as success for you? Which activities do you want to get back to?",
        }
        widgets = {"chief_complaint": forms.Textarea(attrs={"rows": 4}), "goals": forms.Textarea(attrs={"rows": 3})}


# 2. Where it hurts (the 0-10 scores come from the pain-scales instrument)

# The body map of DOMAIN.md §1 item 3, for pain and (on the nerves step) numbness: the low back and legs, then
# the "other" areas a cervical problem or a second cause shows in.
BACK_AND_LEG_AREAS = (
    ("low_back", "Low back"),
    ("buttock", "Buttock"),
    ("hip", "Hip"),
    ("groin", "Groin"),
    ("thigh", "Thigh"),
    ("below_knee", "Below the knee"),
    ("foot", "Foot"),
)
OTHER_AREAS = (("neck", "Neck"), ("arm", "Arm or hand"))
PAIN_AREAS = BACK_AND_LEG_AREAS + OTHER_AREAS
PAIN_AREA_LABELS = dict(PAIN_AREAS)
PAIN_SIDES = (("", "No pain here"), ("left", "Left"), ("right", "Right"), ("both", "Both sides"))
PAIN_SIDE_LABELS = dict(PAIN_SIDES)


class BodyMapForm(forms.Form):
    """A side for each area of the body map. Every area shown is saved, a clear one as "", so that an area
    added to the map later reads "Not answered" on an older history rather than "none"."""

    none_label = PAIN_SIDES[0][1]

    def __init__(self, *args, body_map: dict | None = None, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        choices = [("", self.none_label), *PAIN_SIDES[1:]]
        for area, label in PAIN_AREAS:
            self.fields[area] = forms.ChoiceField(
                label=label, choices=choices, required=False, widget=forms.RadioSelect
            )
            self.fields[area].initial = (body_map or {}).get(area, "")

    @property
    def back_and_legs(self) -> list[forms.BoundField]:
        return [self[area] for area, _ in BACK_AND_LEG_AREAS]

    @property
    def other_areas(self) -> list[forms.BoundField]:
        return [self[area] for area, _ in OTHER_AREAS]

    def body_map(self) -> dict[str, str]:
        return {area: self.cleaned_data.get(area) or "" for area, _ in PAIN_AREAS}

    def marked(self) -> dict[str, str]:
        return {area: side for area, side in self.body_map().items() if side}


class PainMapForm(BodyMapForm):
    def __init__(self, *args, pain_map: dict | None = None, **kwargs) -> None:
        super().__init__(*args, body_map=pain_map, **kwargs)

    def pain_map(self) -> dict[str, str]:
        return self.body_map()


# 3. Since the surgery


class HistoryForm(PatientAwareMixin, IntakeStepForm):
    also_saves = ("pain_returned_year", "pain_returned_month")

    returned_month = forms.TypedChoiceField(label="Month", choices=MONTHS, coerce=int, empty_value=None, required=False)
    returned_year = year_field(label="Year", required=False)

    class Meta:
        model = Intake
        fields = ["had_spine_surgery", "pain_pattern", "pain_return_story"]
        labels = {
            "had_spine_surgery": "Have you had an operation on your spine?",
            "pain_pattern": "After your last operation, what happened to the pain?",
            "pain_return_story": "How did the pain come back? For example: slowly, or suddenly after lifting.",
        }
        widgets = {
            "had_spine_surgery": forms.RadioSelect,
            "pain_pattern": forms.RadioSelect,
            "pain_return_story": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["had_spine_surgery"].choices = Answer.choices
        self.fields["pain_pattern"].choices = Intake.PainPattern.choices
        self.fields["returned_month"].initial = self.instance.pain_returned_month
        self.fields["returned_year"].initial = self.instance.pain_returned_year

    def clean(self) -> dict:
        data = super().clean()
        year, month = data.get("returned_year"), data.get("returned_month")
        if month and not year:
            self.add_error("returned_year", "Please give the year as well as the month.")
            return data
        try:
            check_month_and_year(year, month, born=self.born, what="The pain coming back")
        except forms.ValidationError as error:
            self.add_error("returned_year", error)
        return data

    def save(self, commit: bool = True) -> Intake:
        year, month = self.cleaned_data.get("returned_year"), self.cleaned_data.get("returned_month")
        self.instance.pain_returned_year, self.instance.pain_returned_month = (year, month) if year else (None, None)
        return super().save(commit)


# 6. Medicines and allergies


class MedicinesForm(IntakeStepForm):
    class Meta:
        model = Intake
        fields = ["takes_opioids", "takes_blood_thinners", "allergies", "no_known_allergies"]
        labels = {
            "takes_opioids": "Do you take an opioid pain medicine? (for example oxycodone, hydrocodone, tramadol, "
            "morphine, codeine, fentanyl patches)",
            "takes_blood_thinners": "Do you take a blood thinner? (for example warfarin, apixaban, rivaroxaban, "
            "clopidogrel, or a daily aspirin)",
            "allergies": "Allergies to medicines, latex, contrast dye or anything else, and what happens",
            "no_known_allergies": "I have no known allergies",
        }
        widgets = {
            "takes_opioids": forms.RadioSelect,
            "takes_blood_thinners": forms.RadioSelect,
            "allergies": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["takes_opioids"].choices = Answer.choices
        self.fields["takes_blood_thinners"].choices = Answer.choices

    def clean(self) -> dict:
        data = super().clean()
        if data.get("no_known_allergies") and data.get("allergies", "").strip():
            self.add_error(
                "no_known_allergies", "You listed allergies: please untick “no known allergies”, or clear the list."
            )
        return data


# 8. General health: see `intake.health`


# 10. Work


class WorkForm(IntakeStepForm):
    class Meta:
        model = Intake
        fields = [
            "work_status",
            "occupation",
            "job_demands",
            "workers_comp_claim",
            "injury_litigation",
            "disability_claim",
        ]
        labels = {
            "work_status": "Which best describes you now?",
            "occupation": "Your job (or your last job)",
            "job_demands": "How physical is that job?",
            "workers_comp_claim": "Have you made a workers' compensation claim about your back?",
            "injury_litigation": "Are you part of a legal case about an injury to your back, for example after an "
            "accident?",
            "disability_claim": "Have you claimed disability benefits because of your back?",
        }
        widgets = {name: forms.RadioSelect for name in fields if name != "occupation"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.widgets:
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0]]


# 11. Privacy and contact


class ConsentForm(IntakeStepForm):
    also_saves = ("privacy_consent_at",)

    privacy = forms.BooleanField(
        label="I have read the privacy notice and agree that the practice keeps this history to prepare my visit.",
        error_messages={
            "required": "Please confirm you have read the privacy notice; we cannot keep your answers without it."
        },
    )

    class Meta:
        model = Intake
        fields = ["contact_by_email", "contact_by_phone", "contact_by_text"]
        labels = {
            "contact_by_email": "You may e-mail me",
            "contact_by_phone": "You may call me",
            "contact_by_text": "You may send me text messages",
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["privacy"].initial = self.instance.privacy_consent_at is not None

    def clean(self) -> dict:
        data = super().clean()
        if not any(data.get(name) for name in self.Meta.fields):
            raise forms.ValidationError(
                "Please let us contact you at least one way, so we can reach you about the visit."
            )
        return data

    def save(self, commit: bool = True) -> Intake:
        if self.instance.privacy_consent_at is None:
            self.instance.privacy_consent_at = timezone.now()
        return super().save(commit)
