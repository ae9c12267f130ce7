"""The patient's intake history, step by step, from the signed link. Every view of it is logged."""

from uuid import UUID

from django.conf import settings
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic import ratelimit
from consultations.audit import record_access
from consultations.booking import red_flags
from consultations.intake import questionnaires, services, steps
from consultations.intake.display import NOT_ANSWERED, sections
from consultations.links import patient_link
from consultations.models import STEP_SLUGS, STEPS, STEPS_BY_SLUG, AccessLog, Consultation, Intake
from consultations.uploads import file_response

LOCKED = "Your history can no longer be changed online. Please call us to add anything."
# The red-flag screen's own advice for new nerve symptoms (DOMAIN.md §3 A-B), repeated on the nerves step, which
# asks how things usually are.
NEW_NERVE_SYMPTOMS = red_flags.classify(("bladder", "bowel", "weakness"))


def _add_upload(intake: Intake, file, kind: str) -> str:
    """Add a report; the reason it was refused, or "" when it was added."""
    try:
        services.add_upload(intake=intake, file=file, kind=kind)
    except ValidationError as error:
        return " ".join(error.messages)
    except services.TooManyUploads:
        return f"you have already added {settings.INTAKE_UPLOADS_PER_INTAKE} reports, the most we keep."
    except services.IntakeLocked:
        return LOCKED
    return ""


def _read_only(request: HttpRequest, token: str) -> HttpResponse:
    """The history can no longer change (reviewed, cancelled or over): say so on the page that shows it."""
    messages.error(request, LOCKED)
    return redirect("consultations:intake-review", token=token)


def _next_step(step: str) -> str | None:
    index = STEP_SLUGS.index(step)
    return STEP_SLUGS[index + 1] if index + 1 < len(STEP_SLUGS) else None


def _save(request: HttpRequest, *, intake: Intake, token: str, step: str, step_forms: steps.StepForms) -> HttpResponse:
    """Save a valid step, add a report if one came with it, and go on (or stay, to add another)."""
    try:
        services.save_step(intake=intake, step=step, apply=steps.saver(step, step_forms.forms))
    except services.IntakeLocked:
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


@patient_link
@require_safe
def intake_start(request: HttpRequest, token: str, consultation: Consultation) -> HttpResponse:
    """The first step not yet saved, or the review page when every step has been."""
    intake = services.open_intake(consultation=consultation)
    unsaved = [slug for slug in STEP_SLUGS if slug not in intake.steps_saved]
    if unsaved and not intake.is_locked:
        return redirect("consultations:intake-step", token=token, step=unsaved[0])
    return redirect("consultations:intake-review", token=token)


@patient_link
@ratelimit.limit_anonymous_writes("intake")
@ratelimit.limit_anonymous_uploads("upload")
@require_http_methods(["GET", "HEAD", "POST"])
def intake_step(request: HttpRequest, token: str, consultation: Consultation, step: str) -> HttpResponse:
    if step not in STEPS_BY_SLUG:
        raise Http404
    intake = services.open_intake(consultation=consultation)
    if intake.is_locked:
        return _read_only(request, token)
    if request.method == "POST":
        step_forms = steps.step_forms(step, intake, request.POST, request.FILES)
        if step_forms.is_valid():
            return _save(request, intake=intake, token=token, step=step, step_forms=step_forms)
        status = 400
    else:
        step_forms = steps.step_forms(step, intake)
        status = 200
    # Also when a refused step comes back: the page shows what is saved (the reports, which steps are done).
    record_access(
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
        "new_symptoms_advice": NEW_NERVE_SYMPTOMS if step == "nerves" else None,
    }
    return render(request, f"consultations/intake/step_{step}.html", context, status=status)


@patient_link
@ratelimit.limit_anonymous_writes("intake")
@require_http_methods(["GET", "HEAD", "POST"])
def intake_review(request: HttpRequest, token: str, consultation: Consultation) -> HttpResponse:
    """Everything entered, step by step, and the button that submits it."""
    intake = services.open_intake(consultation=consultation)
    status = 200
    if request.method == "POST":
        already_sent = intake.is_submitted
        try:
            services.submit_intake(intake=intake)
        except services.IntakeLocked:
            messages.error(request, LOCKED)
        except services.NotReadyToSubmit:
            status = 400
            messages.error(request, "Before you send it, please complete “Privacy and contact”.")
        else:
            if not already_sent:
                messages.success(request, "Thank you. Your history is sent; we have e-mailed you a receipt.")
            return redirect("consultations:intake-review", token=token)
    record_access(request=request, consultation=intake.consultation, action=AccessLog.Action.VIEW_INTAKE, what="review")
    locked = intake.is_locked
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


@patient_link
@require_safe
def intake_upload(request: HttpRequest, token: str, consultation: Consultation, upload: UUID) -> HttpResponse:
    intake = services.open_intake(consultation=consultation)
    found = get_object_or_404(intake.uploads, token=upload)
    record_access(
        request=request,
        consultation=intake.consultation,
        action=AccessLog.Action.DOWNLOAD_UPLOAD,
        what=f"upload {found.token.hex[:8]}",
    )
    return file_response(found)


@patient_link
@ratelimit.limit_anonymous_writes("intake")
@require_POST
def intake_upload_remove(request: HttpRequest, token: str, consultation: Consultation, upload: UUID) -> HttpResponse:
    intake = services.open_intake(consultation=consultation)
    if intake.is_locked:
        return _read_only(request, token)
    found = get_object_or_404(intake.uploads, token=upload)

    def remove(current: Intake) -> None:
        # After submission save_step has just kept a version listing this report: its file must stay.
        services.remove_upload(upload=found, keep_file=current.is_submitted)

    try:
        services.save_step(intake=intake, step="imaging", apply=remove)
    except services.IntakeLocked:
        return _read_only(request, token)
    messages.success(request, "The report is removed.")
    return redirect("consultations:intake-step", token=token, step="imaging")
