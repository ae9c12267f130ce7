"""The patient's side of "ask the patient for more": the surgeon's question, behind the signed link, and the reply."""

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from clinic import ratelimit
from consultations.audit import record_access
from consultations.intake import services as intake_services
from consultations.links import link_invalid, patient_link
from consultations.models import AccessLog, Consultation, InformationRequest, Upload
from consultations.review import services
from consultations.review.forms import ReplyForm


@patient_link
@ratelimit.limit_anonymous_writes("patient-link")
@ratelimit.limit_anonymous_uploads("upload")
@require_http_methods(["GET", "HEAD", "POST"])
def patient_question(request: HttpRequest, token: str, consultation: Consultation, question: UUID) -> HttpResponse:
    found = (
        InformationRequest.objects.filter(intake__consultation=consultation, public_id=question)
        .select_related("intake")
        .first()
    )
    if found is None:
        return link_invalid(request)
    # The link still opens after the visit (links.patient_link), but the question was for before it.
    answerable = not found.is_answered and not consultation.is_over
    form = ReplyForm(request.POST or None, request.FILES or None) if answerable else None
    status = 200
    if request.method == "POST":
        status = 400
        if form is None:
            done = "This consultation is over." if not found.is_answered else "You have already answered this question."
            messages.info(request, f"{done} Please call us to add anything.")
            status = 409
        elif form.is_valid() and _report_added(form, found):
            try:
                services.answer_question(question=found, reply=form.cleaned_data["reply"])
            except services.AlreadyAnswered:
                messages.info(request, "You have already answered this question. Please call us to add anything.")
            else:
                messages.success(request, "Thank you. Your answer is saved and your surgeon will read it.")
            return redirect("consultations:patient-question", token=token, question=question)
    else:
        record_access(
            request=request,
            consultation=consultation,
            action=AccessLog.Action.VIEW_INTAKE,
            what=f"question {found.public_id.hex[:8]}",
        )
    context = {"consultation": consultation, "token": token, "question": found, "form": form}
    return render(request, "consultations/surgeon/patient_question.html", context, status=status)


def _report_added(form: ReplyForm, question: InformationRequest) -> bool:
    """Store the report sent with the answer, if any, before the answer: a refused file leaves the answer unsent,
    so the patient can try again. False (with the reason on the form) when it was refused."""
    report = form.cleaned_data.get("report")
    if not report:
        return True
    kind = ReplyForm.KINDS.get(question.section, Upload.Kind.OTHER)
    try:
        intake_services.add_upload(intake=question.intake, file=report, kind=kind, answering=True)
    except ValidationError as error:
        form.add_error("report", " ".join(error.messages))
    except intake_services.TooManyUploads:
        form.add_error("report", "Your history already holds as many reports as we keep. Please call us.")
    except intake_services.IntakeLocked:
        form.add_error("report", "This consultation can no longer take reports. Please call us.")
    return not form.errors
