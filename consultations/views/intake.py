"""The patient's intake history, step by step, from the signed link. Every view of it is logged."""

from dataclasses import dataclass, field
from typing import Any
from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from consultations import intake as workflows
from consultations import questionnaires, services
from consultations.downloads import file_response
from consultations.intake_display import NOT_ANSWERED, sections
from consultations.intake_forms import (
    STEP_SLUGS,
    STEPS,
    STEPS_BY_SLUG,
    AboutForm,
    ConsentForm,
    HealthForm,
    HistoryForm,
    MedicinesForm,
    PainMapForm,
    UploadForm,
    WorkForm,
    imaging_formset,
    medication_formset,
    operation_formset,
    treatment_forms,
)
from consultations.models import AccessLog, Intake, Treatment
from consultations.views.booking import consultation_from_token, link_problem

LOCKED = "Your history can no longer be changed online. Please call us to add anything."


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


def _instrument_form(intake: Intake, purpose: str, data) -> questionnaires.InstrumentForm:
    """The questionnaire this intake already answered for `purpose` (an intake keeps its version), else the
    one new intakes use; filled with the saved answers."""
    instrument = questionnaires.instrument_for(intake, purpose)
    return questionnaires.form_for(instrument, data=data, intake=intake, prefix=purpose)


def _step_forms(step: str, intake: Intake, data=None, files=None) -> StepForms:
    born = intake.patient.date_of_birth
    match step:
        case "about":
            return StepForms({"main": AboutForm(data, instance=intake)})
        case "pain":
            return StepForms(
                {"map": PainMapForm(data, pain_map=intake.pain_map), "scales": _instrument_form(intake, "pain", data)}
            )
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
            return StepForms({"questionnaire": _instrument_form(intake, "function", data)})
        case "work":
            return StepForms({"main": WorkForm(data, instance=intake)})
        case "consent":
            return StepForms({"main": ConsentForm(data, instance=intake)})
    raise Http404


def _apply(step: str, forms: dict[str, Any]) -> Any:
    """What saving the step's valid forms does, run by the workflow inside its transaction."""

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
            _save_treatments(intake, forms["treatments"])
        for name in ("scales", "questionnaire"):
            if name in forms:
                questionnaires.save_response(
                    intake=intake, instrument=forms[name].instrument, answers=forms[name].answers()
                )
        return changed

    return apply


def _save_treatments(intake: Intake, forms: list) -> None:
    for form in forms:
        answered = {name: value for name, value in form.cleaned_data.items() if value not in ("", None)}
        if answered:
            values = {"tried": "", "last_year": None, "helped": "", "detail": ""} | answered
            Treatment.objects.update_or_create(intake=intake, kind=form.kind, defaults=values)
        else:
            Treatment.objects.filter(intake=intake, kind=form.kind).delete()


def _add_upload(intake: Intake, file, kind: str) -> str:
    """Add a report; the reason it was refused, or "" when it was added."""
    try:
        services.add_upload(intake=intake, file=file, kind=kind)
    except ValidationError as error:
        return " ".join(error.messages)
    except services.TooManyUploads:
        return f"you have already added {settings.INTAKE_UPLOADS_PER_INTAKE} reports, the most we keep."
    except workflows.IntakeLocked:
        return LOCKED
    return ""


def _read_only(request: HttpRequest, token: str) -> HttpResponse:
    """The history can no longer change (reviewed, cancelled or over): say so on the page that shows it."""
    messages.error(request, LOCKED)
    return redirect("consultations:intake-review", token=token)


def _next_step(step: str) -> str | None:
    index = STEP_SLUGS.index(step)
    return STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else None


def _save(request: HttpRequest, *, intake: Intake, token: str, step: str, step_forms: StepForms) -> HttpResponse:
    """Save a valid step, add a report if one came with it, and go on (or stay, to add another)."""
    try:
        workflows.save_step(intake=intake, step=step, apply=_apply(step, step_forms.forms))
    except workflows.IntakeLocked:
        return _read_only(request, token)
    upload = step_forms.forms.get("upload")
    if upload is not None and upload.cleaned_data.get("file"):
        # In its own transaction, once the step's answers are safely saved (see services.add_upload).
        refused = _add_upload(intake, upload.cleaned_data["file"], upload.cleaned_data["kind"])
        if refused:
            messages.error(request, f"Your answers are saved, but the report was not added: {refused}")
            return redirect("consultations:intake-step", token=token, step=step)
        messages.success(request, "The report is added.")
    following = _next_step(step)
    if "stay" in request.POST:
        messages.success(request, "Saved. You can add another below.")
        return redirect("consultations:intake-step", token=token, step=step)
    if following:
        return redirect("consultations:intake-step", token=token, step=following)
    return redirect("consultations:intake-review", token=token)


def _open(request: HttpRequest, token: str) -> tuple[Intake | None, HttpResponse | None]:
    consultation = consultation_from_token(token)
    if problem := link_problem(request, consultation):
        return None, problem
    return workflows.open_intake(consultation=consultation), None


@require_GET
@never_cache
def intake_start(request: HttpRequest, token: str) -> HttpResponse:
    """The first step not yet saved, or the review page when every step has been."""
    intake, problem = _open(request, token)
    if problem:
        return problem
    unsaved = [slug for slug in STEP_SLUGS if slug not in intake.steps_saved]
    if unsaved and not workflows.is_locked(intake):
        return redirect("consultations:intake-step", token=token, step=unsaved[0])
    return redirect("consultations:intake-review", token=token)


@require_http_methods(["GET", "POST"])
@never_cache
def intake_step(request: HttpRequest, token: str, step: str) -> HttpResponse:
    if step not in STEPS_BY_SLUG:
        raise Http404
    intake, problem = _open(request, token)
    if problem:
        return problem
    if workflows.is_locked(intake):
        return _read_only(request, token)
    if request.method == "POST":
        step_forms = _step_forms(step, intake, request.POST, request.FILES)
        if step_forms.is_valid():
            return _save(request, intake=intake, token=token, step=step, step_forms=step_forms)
        status = 400
    else:
        step_forms = _step_forms(step, intake)
        status = 200
    # Also when a refused step comes back: the page shows what is saved (the reports, which steps are done).
    workflows.record_access(
        request=request, consultation=intake.consultation, action=AccessLog.Action.VIEW_INTAKE, what=f"step {step}"
    )
    index = STEP_SLUGS.index(step)
    context = {
        "intake": intake,
        "consultation": intake.consultation,
        "token": token,
        "step": STEPS_BY_SLUG[step],
        "steps": STEPS,
        "number": index + 1,
        "previous": STEP_SLUGS[index - 1] if index else None,
        "forms": step_forms.forms,
        "has_errors": status == 400,
        "uploads": list(intake.uploads.all()) if step == "imaging" else [],
    }
    return render(request, f"consultations/intake/step_{step}.html", context, status=status)


@require_http_methods(["GET", "POST"])
@never_cache
def intake_review(request: HttpRequest, token: str) -> HttpResponse:
    """Everything entered, step by step, and the button that submits it."""
    intake, problem = _open(request, token)
    if problem:
        return problem
    status = 200
    if request.method == "POST":
        already_sent = intake.is_submitted
        try:
            workflows.submit_intake(intake=intake)
        except workflows.IntakeLocked:
            messages.error(request, LOCKED)
        except workflows.NotReadyToSubmit:
            status = 400
            messages.error(request, "Before you send it, please complete “Privacy and contact”.")
        else:
            if not already_sent:
                messages.success(request, "Thank you. Your history is sent; we have e-mailed you a receipt.")
            return redirect("consultations:intake-review", token=token)
    workflows.record_access(
        request=request, consultation=intake.consultation, action=AccessLog.Action.VIEW_INTAKE, what="review"
    )
    locked = workflows.is_locked(intake)
    context = {
        "intake": intake,
        "consultation": intake.consultation,
        "token": token,
        "locked": locked,
        "editable": not locked,
        "not_answered": NOT_ANSWERED,
        "sections": sections(
            intake,
            operations=list(intake.operations.all()),
            treatments=list(intake.treatments.all()),
            medications=list(intake.medications.all()),
            imaging=list(intake.imaging.all()),
            responses=questionnaires.rows_by_purpose(intake),
        ),
        "uploads": list(intake.uploads.all()),
    }
    return render(request, "consultations/intake/review.html", context, status=status)


@require_GET
@never_cache
def intake_upload(request: HttpRequest, token: str, upload: UUID) -> HttpResponse:
    intake, problem = _open(request, token)
    if problem:
        return problem
    found = get_object_or_404(intake.uploads, token=upload)
    workflows.record_access(
        request=request,
        consultation=intake.consultation,
        action=AccessLog.Action.DOWNLOAD_UPLOAD,
        what=f"upload {found.token.hex[:8]}",
    )
    return file_response(found)


@require_POST
@never_cache
def intake_upload_remove(request: HttpRequest, token: str, upload: UUID) -> HttpResponse:
    intake, problem = _open(request, token)
    if problem:
        return problem
    if workflows.is_locked(intake):
        return _read_only(request, token)
    found = get_object_or_404(intake.uploads, token=upload)

    def remove(current: Intake) -> None:
        # After submission save_step has just kept a version listing this report: its file must stay.
        services.remove_upload(upload=found, keep_file=current.is_submitted)

    try:
        workflows.save_step(intake=intake, step="imaging", apply=remove)
    except workflows.IntakeLocked:
        return _read_only(request, token)
    messages.success(request, "The report is removed.")
    return redirect("consultations:intake-step", token=token, step="imaging")
