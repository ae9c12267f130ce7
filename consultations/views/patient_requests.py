"""The patient's side of "ask the patient for more": the surgeon's question, behind the signed link, and the reply."""

from uuid import UUID

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from consultations import reviews
from consultations.intake import record_access
from consultations.models import AccessLog, InformationRequest
from consultations.surgeon_forms import ReplyForm
from consultations.views.booking import consultation_from_token, link_problem


@require_http_methods(["GET", "POST"])
@never_cache
def patient_question(request: HttpRequest, token: str, question: UUID) -> HttpResponse:
    consultation = consultation_from_token(token)
    if problem := link_problem(request, consultation):
        return problem
    found = (
        InformationRequest.objects.filter(intake__consultation=consultation, public_id=question)
        .select_related("intake")
        .first()
    )
    if found is None:
        return render(request, "consultations/link_invalid.html", status=404)
    form = ReplyForm(request.POST or None) if not found.is_answered else None
    status = 200
    if request.method == "POST":
        status = 400
        if form is None:
            messages.info(request, "You have already answered this question. Please call us to add anything.")
            status = 409
        elif form.is_valid():
            try:
                reviews.answer_question(question=found, reply=form.cleaned_data["reply"])
            except reviews.AlreadyAnswered:
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
