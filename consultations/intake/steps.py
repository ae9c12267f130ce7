"""The intake's steps as forms: which forms each step shows, checked together, and what saving them writes.
`intake.services.save_step` runs the writing inside its transaction."""

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from consultations.intake import questionnaires
from consultations.intake.forms import (
    AboutForm,
    ConsentForm,
    HistoryForm,
    MedicinesForm,
    PainMapForm,
    WorkForm,
)
from consultations.intake.formsets import (
    UploadForm,
    imaging_formset,
    operation_formset,
    treatment_forms,
)
from consultations.intake.health import HealthForm
from consultations.intake.medicines import medication_formset
from consultations.intake.nerves import NervesForm, NumbnessMapForm
from consultations.models import Intake, Treatment


@dataclass
class StepForms:
    """The bound or unbound forms of one step, checked and saved together."""

    forms: dict[str, Any]
    cross_checks: list = field(default_factory=list)

    def is_valid(self) -> bool:
        valid = all([form.is_valid() for form in self._all()])  # noqa: C419 - validate every form, for its errors
        for check in self.cross_checks:
            check()
        return valid and all(form.is_valid() for form in self._all())

    def _all(self) -> list:
        found = []
        for form in self.forms.values():
            found.extend(form if isinstance(form, list) else [form])
        return found


def instrument_form(intake: Intake, purpose: str, data) -> questionnaires.InstrumentForm:
    """The questionnaire this intake already answered for `purpose` (an intake keeps its version), else the
    one new intakes use; filled with the saved answers."""
    instrument = questionnaires.instrument_for(intake, purpose)
    return questionnaires.form_for(instrument, data=data, intake=intake, prefix=purpose)


def step_forms(step: str, intake: Intake, data=None, files=None) -> StepForms:
    born = intake.patient.date_of_birth
    match step:
        case "about":
            return StepForms({"main": AboutForm(data, instance=intake)})
        case "pain":
            return StepForms(
                {"map": PainMapForm(data, pain_map=intake.pain_map), "scales": instrument_form(intake, "pain", data)}
            )
        case "nerves":
            nerves = NervesForm(data, instance=intake)
            areas = NumbnessMapForm(data, body_map=intake.numbness_map, prefix="numb")
            return StepForms({"main": nerves, "numbness": areas}, cross_checks=[lambda: nerves.check_against(areas)])
        case "history":
            return StepForms({"main": HistoryForm(data, instance=intake, born=born)})
        case "operations":
            return StepForms({"operations": operation_formset(intake, data)})
        case "treatments":
            return StepForms({"treatments": treatment_forms(intake, data)})
        case "medications":
            medicines, medications = MedicinesForm(data, instance=intake), medication_formset(intake, data)
            return StepForms(
                {"main": medicines, "medications": medications},
                cross_checks=[lambda: medications.check_against(medicines)],
            )
        case "imaging":
            return StepForms({"imaging": imaging_formset(intake, data), "upload": UploadForm(data, files)})
        case "health":
            return StepForms({"main": HealthForm(data, instance=intake)})
        case "function":
            return StepForms({"questionnaire": instrument_form(intake, "function", data)})
        case "mood":
            return StepForms({"questionnaire": instrument_form(intake, "mood", data)})
        case "work":
            return StepForms({"main": WorkForm(data, instance=intake)})
        case "consent":
            return StepForms({"main": ConsentForm(data, instance=intake)})
    raise Http404


def saver(step: str, forms: dict[str, Any]) -> Callable[[Intake], list[str]]:
    """What saving the step's valid forms does: a function `save_step` runs inside its transaction, returning
    the intake's columns it set."""

    def apply(intake: Intake) -> list[str]:
        changed = []
        if "main" in forms:
            forms["main"].save(commit=False)
            changed += forms["main"].saved_fields()
        if step == "pain":
            intake.pain_map = forms["map"].pain_map()
            changed.append("pain_map")
        for name in ("operations", "medications", "imaging"):
            if name in forms:
                forms[name].instance = intake
                forms[name].save()
        if step == "treatments":
            save_treatments(intake, forms["treatments"])
        for name in ("scales", "questionnaire"):
            if name in forms:
                questionnaires.save_response(
                    intake=intake, instrument=forms[name].instrument, answers=forms[name].answers()
                )
        return changed

    return apply


def save_treatments(intake: Intake, forms: list) -> None:
    for form in forms:
        answered = {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
        if answered:
            values = {"tried": "", "last_year": None, "helped": "", "detail": ""} | answered
            Treatment.objects.update_or_create(intake=intake, kind=form.kind, defaults=values)
        else:
            Treatment.objects.filter(intake=intake, kind=form.kind).delete()
