"""The general-health step: conditions and habits that matter for any operation (DOMAIN.md §1 item 10),
with the details a surgeon weighs: insulin and the last HbA1c for diabetes, treatment for thin bones, how much
and how long a patient smoked and when a former smoker stopped. Each detail is checked against its question."""

from datetime import date
from decimal import Decimal

from django import forms
from django.utils import timezone

from consultations.intake.forms import MONTHS, IntakeStepForm, check_month_and_year, number_field, year_field
from consultations.models import Intake
from consultations.models.intake import Answer

# What the database keeps (the intake_height_plausible and intake_weight_plausible constraints).
HEIGHT_INCHES = (36, 96)
WEIGHT_POUNDS = (50, 1000)
HEIGHT_MESSAGE = "Please give a height between 3 ft and 8 ft, in feet and inches, for example 5 and 9."
# The intake_hba1c_plausible constraint: a percentage a lab could report.
HBA1C = (Decimal(3), Decimal(20))
HBA1C_MESSAGE = "Please give the HbA1c as a percentage between 3 and 20, for example 6.8."
CIGARETTES_MESSAGE = "Please give the number of cigarettes a day as a number from 1 to 200 (a pack is 20)."


class HealthForm(IntakeStepForm):
    also_saves = ("height_inches", "smoking_quit_year", "smoking_quit_month")

    height_feet = number_field("Height: feet", low=3, high=8, message=HEIGHT_MESSAGE)
    height_extra_inches = number_field(
        "and inches", low=0, high=11, message="Please give the inches as a number from 0 to 11."
    )
    weight_pounds = number_field(
        "Weight in pounds",
        low=WEIGHT_POUNDS[0],
        high=WEIGHT_POUNDS[1],
        message=f"Please give your weight as a number between {WEIGHT_POUNDS[0]} and {WEIGHT_POUNDS[1]} pounds.",
    )
    hba1c = forms.DecimalField(
        label="Your last HbA1c (blood sugar test), in %, if you know it",
        required=False,
        min_value=HBA1C[0],
        max_value=HBA1C[1],
        max_digits=3,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"inputmode": "decimal", "step": "0.1"}),
        error_messages={
            "invalid": HBA1C_MESSAGE,
            "min_value": HBA1C_MESSAGE,
            "max_value": HBA1C_MESSAGE,
            "max_digits": HBA1C_MESSAGE,
            "max_decimal_places": "Please give the HbA1c with at most one decimal, for example 6.8.",
            "max_whole_digits": HBA1C_MESSAGE,
        },
    )
    hba1c_year = year_field(label="Year of that test", required=False)
    cigarettes_per_day = number_field(
        "How many cigarettes a day (or did you, before you stopped)?",
        low=1,
        high=200,
        message=CIGARETTES_MESSAGE,
        help_text="A pack is 20 cigarettes. Leave blank if you only vape.",
    )
    smoking_years = number_field(
        "For how many years, in all?", low=0, high=90, message="Please give the years as a number from 0 to 90."
    )
    quit_month = forms.TypedChoiceField(label="Month", choices=MONTHS, coerce=int, empty_value=None, required=False)
    quit_year = year_field(label="Year", required=False)

    class Meta:
        model = Intake
        fields = [
            "diabetes",
            "diabetes_insulin",
            "hba1c",
            "hba1c_year",
            "smoking",
            "cigarettes_per_day",
            "smoking_years",
            "weight_pounds",
            "osteoporosis",
            "osteoporosis_treatment",
            "osteoporosis_medicine",
            "heart_disease",
            "lung_disease",
            "sleep_apnoea",
            "long_term_steroids",
        ]
        labels = {
            "diabetes": "Do you have diabetes?",
            "diabetes_insulin": "Do you use insulin?",
            "smoking": "Do you smoke, vape or use nicotine?",
            "osteoporosis": "Have you been told you have thin bones (osteoporosis or osteopenia)?",
            "osteoporosis_treatment": "Do you take anything for thin bones?",
            "osteoporosis_medicine": "Name of the medicine, if you know it",
            "heart_disease": "Do you have heart disease?",
            "lung_disease": "Do you have lung disease, such as COPD?",
            "sleep_apnoea": "Do you have sleep apnea?",
            "long_term_steroids": "Do you take steroid tablets (such as prednisone) long term?",
        }
        radios = (
            "diabetes",
            "diabetes_insulin",
            "smoking",
            "osteoporosis",
            "osteoporosis_treatment",
            "heart_disease",
            "lung_disease",
            "sleep_apnoea",
            "long_term_steroids",
        )
        widgets = dict.fromkeys(radios, forms.RadioSelect)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        for name in self.Meta.widgets:
            self.fields[name].choices = [choice for choice in self.fields[name].choices if choice[0]]
        if self.instance.height_inches:
            self.fields["height_feet"].initial, self.fields["height_extra_inches"].initial = divmod(
                self.instance.height_inches, 12
            )
        self.fields["quit_month"].initial = self.instance.smoking_quit_month
        self.fields["quit_year"].initial = self.instance.smoking_quit_year

    def clean(self) -> dict:
        data = super().clean()
        feet, inches = data.get("height_feet"), data.get("height_extra_inches")
        if inches is not None and feet is None:
            self.add_error("height_feet", "Please give your height in feet as well as inches.")
        elif feet is not None and not HEIGHT_INCHES[0] <= feet * 12 + (inches or 0) <= HEIGHT_INCHES[1]:
            self.add_error("height_feet", HEIGHT_MESSAGE)
        self._check_diabetes(data)
        self._check_smoking(data)
        return data

    def _check_diabetes(self, data: dict) -> None:
        if data.get("diabetes_insulin") == Answer.YES and data.get("diabetes") == Answer.NO:
            self.add_error(
                "diabetes", "You said you use insulin: please answer “Yes” here, or change the insulin answer."
            )
        if data.get("hba1c_year") and data.get("hba1c") is None:
            self.add_error("hba1c", "You gave the year of the test: please give its result too, or clear the year.")
        try:
            check_month_and_year(data.get("hba1c_year"), None, born=self.born, what="The test")
        except forms.ValidationError as error:
            self.add_error("hba1c_year", error)

    def _check_smoking(self, data: dict) -> None:
        smoking = data.get("smoking")
        amount = data.get("cigarettes_per_day") is not None or data.get("smoking_years") is not None
        if amount and smoking == Intake.Smoking.NEVER:
            self.add_error("smoking", "You gave how much you smoked: please choose another answer than “Never”.")
        years = data.get("smoking_years")
        age = self.instance.patient.age_on(timezone.localdate())
        if years is not None and years > age:
            self.add_error("smoking_years", f"That is more years than your age ({age}). Please check the number.")
        year, month = data.get("quit_year"), data.get("quit_month")
        if (year or month) and smoking != Intake.Smoking.FORMER:
            self.add_error("quit_year", "A date you stopped is only for “Used to, but stopped”. Please check.")
        elif month and not year:
            self.add_error("quit_year", "Please give the year as well as the month.")
        else:
            try:
                check_month_and_year(year, month, born=self.born, what="Stopping smoking")
            except forms.ValidationError as error:
                self.add_error("quit_year", error)

    @property
    def born(self) -> date:
        return self.instance.patient.date_of_birth

    def save(self, commit: bool = True) -> Intake:
        feet, inches = self.cleaned_data.get("height_feet"), self.cleaned_data.get("height_extra_inches")
        self.instance.height_inches = feet * 12 + (inches or 0) if feet is not None else None
        year, month = self.cleaned_data.get("quit_year"), self.cleaned_data.get("quit_month")
        self.instance.smoking_quit_year, self.instance.smoking_quit_month = (year, month) if year else (None, None)
        return super().save(commit)
