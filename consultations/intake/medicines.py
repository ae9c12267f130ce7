"""The medicines step's list: each medicine a row; an opioid with the numbers its daily morphine milligram
equivalent needs (DOMAIN.md §9), checked against the two questions asked about opioids and blood thinners."""

from decimal import Decimal

from django import forms

from consultations.intake import mme
from consultations.intake.forms import (
    MONTHS,
    MedicinesForm,
    PatientAwareMixin,
    check_month_and_year,
    number_field,
    year_field,
)
from consultations.intake.formsets import RepeatedFormSet, repeated
from consultations.models import Intake, Medication
from consultations.models.intake import Answer


def decimal_field(label: str, *, low: str, high: str, message: str, help_text: str = "") -> forms.DecimalField:
    """A number with decimals a patient types (7.5 mg, half a tablet), refused with `message` outside the range."""
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(low),
        max_value=Decimal(high),
        decimal_places=2,
        help_text=help_text,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "any"}),
        error_messages=dict.fromkeys(
            ("invalid", "min_value", "max_value", "max_digits", "max_decimal_places", "max_whole_digits"), message
        ),
    )


def opioid_choices() -> list[tuple[str, str]]:
    drugs = sorted(mme.table().drugs.values(), key=lambda drug: drug.label)
    return [("", "Not an opioid"), *((drug.key, drug.label) for drug in drugs), (mme.OTHER, "Another opioid")]


class MedicationForm(PatientAwareMixin, forms.ModelForm):
    """A medicine; for an opioid, the numbers a daily morphine equivalent needs (DOMAIN.md §9)."""

    NUMBERS = ("strength", "units_per_dose", "times_per_day", "since_year")

    name = forms.CharField(label="Medicine", max_length=120, required=False)
    drug = forms.ChoiceField(label="If it is an opioid pain medicine, which one?", required=False)
    strength = decimal_field(
        "Strength of one tablet or dose, in mg (for a patch, the mcg per hour on it; for a tablet like 5/325, "
        "the first number)",
        low="0.01",
        high="2000",
        message="Please give the strength as a number on the label, for example 5 or 7.5.",
    )
    units_per_dose = decimal_field(
        "How many tablets (or patches) at a time",
        low="0.25",
        high="20",
        message="Please give how many at a time as a number from 0.25 to 20, for example 1 or 0.5.",
    )
    times_per_day = number_field(
        "How many times a day, usually",
        low=1,
        high=24,
        message="Please give the times a day as a number from 1 to 24.",
        help_text="Not needed for a patch.",
    )
    since_month = forms.TypedChoiceField(
        label="Taking it since: month", choices=MONTHS, coerce=int, empty_value=None, required=False
    )
    since_year = year_field(label="Year", required=False)

    class Meta:
        model = Medication
        fields = [
            "name",
            "dose",
            "category",
            "drug",
            "strength",
            "units_per_dose",
            "times_per_day",
            "since_month",
            "since_year",
        ]
        labels = {"dose": "How much and how often", "category": "Kind"}

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.fields["drug"].choices = opioid_choices()
        # Choosing an opioid below is enough to say what kind it is.
        self.fields["category"].required = False

    def clean(self) -> dict:
        data = super().clean()
        drug = data.get("drug")
        if drug:
            # Choosing an opioid from the list says what kind of medicine it is.
            data["category"] = Medication.Category.OPIOID
            if not data.get("name", "").strip():
                data["name"] = dict(self.fields["drug"].choices)[drug]
        elif not data.get("category"):
            data["category"] = Medication.Category.OTHER
        if not drug and any(data.get(name) is not None for name in self.NUMBERS):
            self.add_error("drug", "Please choose which opioid these numbers are for, or “Another opioid”.")
        if not data.get("name", "").strip() and self.has_changed() and "name" not in self.errors:
            self.add_error("name", "Please give the name of the medicine.")
        year, month = data.get("since_year"), data.get("since_month")
        if month and not year:
            self.add_error("since_year", "Please give the year as well as the month.")
        try:
            check_month_and_year(year, month, born=self.born, what="Starting a medicine")
        except forms.ValidationError as error:
            self.add_error("since_year", error)
        return data


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
    return factory(data, instance=intake, prefix="medications", form_kwargs={"born": intake.patient.date_of_birth})
