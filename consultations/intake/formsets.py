"""The intake's repeated parts, each row its own form: previous operations (levels and implants one by one, never
before the patient was born), other treatments, scans and their reports. Medicines are in `intake.medicines`."""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from consultations.intake.forms import (
    MONTHS,
    PatientAwareMixin,
    answer_field,
    check_month_and_year,
    number_field,
    year_field,
)
from consultations.models import ImagingStudy, Intake, PriorOperation, Treatment, Upload
from consultations.models.intake import Answer
from consultations.models.operations import Implant, ImplantState, Segment

# 4. Previous operations


IMPLANT_STATES = [("", "None of these"), *ImplantState.choices]


def implant_field(kind: Implant) -> forms.ChoiceField:
    return forms.ChoiceField(label=kind.label, choices=IMPLANT_STATES, required=False)


class PriorOperationForm(PatientAwareMixin, forms.ModelForm):
    month = forms.TypedChoiceField(label="Month", choices=MONTHS, coerce=int, empty_value=None, required=False)
    year = year_field()
    segments = forms.MultipleChoiceField(
        label="Which levels were operated on?",
        choices=Segment.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Tick each one, for example L4-L5 and L5-S1 for a fusion from L4 to S1.",
    )
    relief_months = number_field(
        "If it got better, for how many months?",
        low=0,
        high=600,
        message="Please give the months of relief as a number from 0 to 600.",
    )
    complications = forms.MultipleChoiceField(
        label="Problems after this operation",
        choices=PriorOperation.Complication.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = PriorOperation
        fields = [
            "month",
            "year",
            "procedure",
            "procedure_detail",
            "segments",
            "levels_other",
            "approach",
            "implants",
            "hardware_detail",
            "surgeon_name",
            "hospital",
            "outcome",
            "relief_months",
            "complications",
            "complications_detail",
            "operative_report",
        ]
        labels = {
            "procedure": "What was done?",
            "procedure_detail": "Anything to add about what was done (optional)",
            "levels_other": "Other levels, for example in the neck or mid-back (optional)",
            "approach": "How was it done?",
            "implants": "Were screws, rods, cages, a stimulator or other implants put in?",
            "hardware_detail": "About the implants, if you want to add anything (optional)",
            "surgeon_name": "Surgeon",
            "hospital": "Hospital and city",
            "outcome": "Afterwards, was your pain better, the same or worse?",
            "complications_detail": "Anything to add about problems afterwards (optional)",
            "operative_report": "Do you have the operation report?",
        }
        widgets = {
            "approach": forms.RadioSelect,
            "implants": forms.RadioSelect,
            "outcome": forms.RadioSelect,
            "operative_report": forms.RadioSelect,
        }

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in ("approach", "implants", "outcome", "operative_report"):
            # Radio groups without the "---------" choice a blank model field would add.
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0]]
        # One choice per kind of implant: not put in, still in place, taken out, or not sure.
        for kind in Implant:
            self.fields[f"implant_{kind.value}"] = implant_field(kind)
        for kind, state in self.instance.implant_states:
            self.fields[f"implant_{kind.value}"].initial = state.value
        if self.instance.old_range and not self.instance.segments:
            # Saved before levels were ticked one by one: show what the patient said, never tick it for them.
            self.fields[
                "segments"
            ].help_text = f"You told us before: {self.instance.old_range}. Please tick each level, if you know them."

    def implant_fields(self) -> list[forms.BoundField]:
        return [self[f"implant_{kind.value}"] for kind in Implant]

    def hardware(self) -> dict[str, str]:
        return {
            kind.value: self.cleaned_data[f"implant_{kind.value}"]
            for kind in Implant
            if self.cleaned_data.get(f"implant_{kind.value}")
        }

    def clean(self) -> dict:
        data = super().clean()
        try:
            check_month_and_year(data.get("year"), data.get("month"), born=self.born, what="An operation")
        except forms.ValidationError as error:
            self.add_error("year", error)
        segments = data.get("segments") or []
        if Segment.UNSURE in segments and len(segments) > 1:
            self.add_error("segments", "You ticked “Not sure” and some levels: please keep one or the other.")
        named = self.hardware()
        if named and data.get("implants") == Answer.NO:
            self.add_error(
                "implants", "You chose implants below: please answer “Yes” here, or set them back to “None of these”."
            )
        elif named and not data.get("implants"):
            # Naming an implant answers the question.
            data["implants"] = Answer.YES
        return data

    def save(self, commit: bool = True) -> PriorOperation:
        self.instance.hardware = self.hardware()
        return super().save(commit)


class RepeatedFormSet(BaseInlineFormSet):
    """A list the patient adds to one row at a time, with a limit and a plain "remove" box on saved rows."""

    default_error_messages = {
        "too_many_forms": "Please list at most %(num)d here; tell us about the rest at the visit.",
        "too_few_forms": "Please fill in at least %(num)d.",
    }

    def add_fields(self, form: forms.Form, index: int | None) -> None:
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = "Remove this one"


def repeated(model, form: type[forms.ModelForm], *, most: int, extra: int = 1, formset=RepeatedFormSet):
    return inlineformset_factory(
        Intake,
        model,
        form=form,
        formset=formset,
        extra=extra,
        can_delete=True,
        max_num=most,
        validate_max=True,
        absolute_max=most + extra,
    )


def operation_formset(intake: Intake, data=None) -> BaseInlineFormSet:
    factory = repeated(PriorOperation, PriorOperationForm, most=20)
    return factory(data, instance=intake, prefix="operations", form_kwargs={"born": intake.patient.date_of_birth})


# 5. Other treatments: one row per kind, answered or not


class TreatmentForm(PatientAwareMixin, forms.Form):
    tried = answer_field("Tried it?")
    last_year = year_field(label="Last time (year)", required=False)
    helped = forms.ChoiceField(label="Did it help?", choices=[("", "—"), *Treatment.Helped.choices], required=False)
    detail = forms.CharField(
        label="Details (optional)", max_length=200, required=False, help_text="For example: 6 weeks, 3 injections."
    )

    def __init__(self, *args, kind: str, **kwargs) -> None:
        self.kind = kind
        self.label = Treatment.Kind(kind).label
        super().__init__(*args, **kwargs)

    def clean(self) -> dict:
        data = super().clean()
        if data.get("tried") != Answer.YES and (data.get("helped") or data.get("last_year")):
            self.add_error("tried", f"You gave details for {self.label.lower()}: please answer “Tried it?” with Yes.")
        try:
            check_month_and_year(data.get("last_year"), None, born=self.born, what="A treatment")
        except forms.ValidationError as error:
            self.add_error("last_year", error)
        return data


def treatment_forms(intake: Intake, data=None) -> list[TreatmentForm]:
    saved = {treatment.kind: treatment for treatment in intake.treatments.all()}
    forms_ = []
    for kind in Treatment.Kind:
        row = saved.get(kind)
        initial = (
            {"tried": row.tried, "last_year": row.last_year, "helped": row.helped, "detail": row.detail} if row else {}
        )
        forms_.append(TreatmentForm(data, kind=kind, prefix=kind, initial=initial, born=intake.patient.date_of_birth))
    return forms_


# 7. Scans and tests


class ImagingStudyForm(PatientAwareMixin, forms.ModelForm):
    month = forms.TypedChoiceField(label="Month", choices=MONTHS, coerce=int, empty_value=None, required=False)
    year = year_field()

    class Meta:
        model = ImagingStudy
        fields = ["modality", "region", "month", "year", "facility"]
        labels = {"modality": "Scan or test", "region": "Part of the body", "facility": "Where it was done"}

    def clean(self) -> dict:
        data = super().clean()
        try:
            check_month_and_year(data.get("year"), data.get("month"), born=self.born, what="A scan")
        except forms.ValidationError as error:
            self.add_error("year", error)
        return data


def imaging_formset(intake: Intake, data=None) -> BaseInlineFormSet:
    factory = repeated(ImagingStudy, ImagingStudyForm, most=30)
    return factory(data, instance=intake, prefix="imaging", form_kwargs={"born": intake.patient.date_of_birth})


class UploadForm(forms.Form):
    file = forms.FileField(
        label="Add a report (PDF, JPEG or PNG, up to 10 MB)",
        required=False,
        widget=forms.ClearableFileInput(attrs={"accept": "application/pdf,image/jpeg,image/png"}),
    )
    kind = forms.ChoiceField(
        label="What is it?",
        choices=[(kind.value, kind.label) for kind in Upload.INTAKE_KINDS],
        initial=Upload.Kind.IMAGING_REPORT,
    )
