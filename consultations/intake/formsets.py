"""The intake's repeated parts, each row its own form: previous operations (levels in order, never before the
patient was born), other treatments, medicines (cross-checked with the opioid and blood-thinner questions), scans
and their reports."""

from django import forms
from django.forms import BaseInlineFormSet, inlineformset_factory

from consultations.intake.forms import (
    MONTHS,
    MedicinesForm,
    PatientAwareMixin,
    answer_field,
    check_month_and_year,
    number_field,
    year_field,
)
from consultations.models import ImagingStudy, Intake, Medication, PriorOperation, Treatment, Upload
from consultations.models.intake import Answer

# 4. Previous operations


class PriorOperationForm(PatientAwareMixin, forms.ModelForm):
    month = forms.TypedChoiceField(label="Month", choices=MONTHS, coerce=int, empty_value=None, required=False)
    year = year_field()
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
            "level_from",
            "level_to",
            "approach",
            "implants",
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
            "level_from": "Spinal level, from",
            "level_to": "to",
            "approach": "How was it done?",
            "implants": "Were screws, rods, cages or other implants put in?",
            "surgeon_name": "Surgeon",
            "hospital": "Hospital and city",
            "outcome": "Afterwards, was your pain better, the same or worse?",
            "complications_detail": "Anything to add about problems afterwards (optional)",
            "operative_report": "Do you have the operation report?",
        }
        help_texts = {"level_from": "For example L4 to L5. Leave blank if you don't know."}
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

    def clean(self) -> dict:
        data = super().clean()
        try:
            check_month_and_year(data.get("year"), data.get("month"), born=self.born, what="An operation")
        except forms.ValidationError as error:
            self.add_error("year", error)
        level_from, level_to = data.get("level_from"), data.get("level_to")
        if level_from and level_to and level_to < level_from:
            self.add_error(
                "level_to", "The second level should be lower down the spine than the first (e.g. L4 to L5)."
            )
        if level_to and not level_from:
            self.add_error("level_from", "Please give the first level too, or leave both blank.")
        return data


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


class MedicationForm(forms.ModelForm):
    class Meta:
        model = Medication
        fields = ["name", "dose", "category"]
        labels = {"name": "Medicine", "dose": "How much and how often", "category": "Kind"}


class MedicationFormSet(RepeatedFormSet):
    """Cross-checks the list with the two questions asked about explicitly."""

    def check_against(self, medicines: MedicinesForm) -> None:
        if not medicines.is_valid() or not self.is_valid():
            return
        kinds = {
            form.cleaned_data.get("category")
            for form in self.forms
            if form.has_changed() and not self._should_delete_form(form)
        } | {
            medication.category
            for medication in self.get_queryset()
            if not any(form.instance.pk == medication.pk for form in self.forms if form.has_changed())
        }
        if medicines.cleaned_data.get("takes_opioids") == Answer.YES and Medication.Category.OPIOID not in kinds:
            medicines.add_error(
                "takes_opioids",
                "You said you take an opioid pain medicine: please add it to the list below as “Opioid”.",
            )
        if (
            medicines.cleaned_data.get("takes_blood_thinners") == Answer.YES
            and Medication.Category.BLOOD_THINNER not in kinds
        ):
            medicines.add_error(
                "takes_blood_thinners",
                "You said you take a blood thinner: please add it to the list below as “Blood thinner”.",
            )


def medication_formset(intake: Intake, data=None) -> MedicationFormSet:
    factory = repeated(Medication, MedicationForm, most=40, extra=2, formset=MedicationFormSet)
    return factory(data, instance=intake, prefix="medications")


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
