"""The surgeon's workspace: their own consultations, each intake as a one-screen summary and its printout, the
review, questions to the patient, earlier histories and uploaded reports.

Only the surgeon role reaches these pages (`role_required`), and each surgeon only their own consultations
(`Consultation.objects.for_surgeon_user`): another surgeon's patient is a 404, so nothing tells them it exists.
Every page that shows a history writes its access-log row in the same request.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from uuid import UUID

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic.roles import SURGEON, role_required
from consultations.audit import record_access
from consultations.intake.display import NOT_ANSWERED
from consultations.models import AccessLog, Consultation, IntakeReview, Upload
from consultations.models.scheduling import DESK_INTAKE_LABELS, DESK_INTAKE_NONE
from consultations.review import services
from consultations.review.forms import ConsultationRangeForm, InformationRequestForm, ReviewForm
from consultations.review.summary import (
    earlier_intakes,
    earlier_summary_for,
    related,
    summary_for,
    visible_intakes,
)
from consultations.uploads import file_response

Status = Consultation.Status
# The intake's status as the list shows it; None is a history not started.
# The same words as the front desk's pages.
INTAKE_LABELS = {None: DESK_INTAKE_NONE, **DESK_INTAKE_LABELS}
SUMMARY_RELATED = (
    "patient",
    "location",
    "surgeon",
    "intake__review__reviewed_by",
    "red_flag_screen",
    "referral",
    "booking_details",
)


def _consultation(request: HttpRequest, public_id: UUID) -> Consultation:
    consultations = Consultation.objects.for_surgeon_user(request.user).select_related(*SUMMARY_RELATED)
    return get_object_or_404(consultations, public_id=public_id)


@dataclass(frozen=True)
class ListRow:
    consultation: Consultation
    age: int
    intake_status: str
    red_flag: str
    review: IntakeReview | None


def _list_row(consultation: Consultation, today: date) -> ListRow:
    intake = related(consultation, "intake")
    screen = related(consultation, "red_flag_screen")
    if consultation.safety_flag:
        red_flag = consultation.get_safety_flag_display()
    elif screen is not None and screen.urgency:
        red_flag = f"Red flag: {screen.get_urgency_display().lower()}"
    else:
        red_flag = ""
    return ListRow(
        consultation=consultation,
        age=consultation.patient.age_on(today),
        intake_status=INTAKE_LABELS[intake.status if intake else None],
        red_flag=red_flag,
        review=related(intake, "review") if intake else None,
    )


@role_required(SURGEON)
@require_safe
@never_cache
def surgeon_home(request: HttpRequest) -> HttpResponse:
    """My consultations: the next two weeks by default, or the days asked for; optionally only those not reviewed."""
    form = ConsultationRangeForm(request.GET)
    if not form.is_valid():
        return render(request, "consultations/surgeon/home.html", {"form": form, "rows": None}, status=400)
    zone = timezone.get_current_timezone()
    start, end = form.cleaned_data["start"], form.cleaned_data["end"]
    consultations = (
        Consultation.objects.for_surgeon_user(request.user)
        .filter(
            start__gte=datetime.combine(start, time.min, tzinfo=zone),
            start__lt=datetime.combine(end + timedelta(days=1), time.min, tzinfo=zone),
        )
        .exclude(status__in=[Status.DECLINED, Status.CANCELLED])
        .select_related("patient", "location", "intake__review", "red_flag_screen")
        .order_by("start", "pk")
    )
    if form.cleaned_data["unreviewed"]:
        consultations = consultations.filter(intake__review__isnull=True)
    today = timezone.localdate()
    context = {
        # The days shown, filled in, so the next change starts from them.
        "form": ConsultationRangeForm(initial=form.cleaned_data),
        "start": start,
        "end": end,
        "unreviewed": form.cleaned_data["unreviewed"],
        "rows": [_list_row(consultation, today) for consultation in consultations],
    }
    return render(request, "consultations/surgeon/home.html", context)


def _summary_page(
    request: HttpRequest,
    consultation: Consultation,
    *,
    printing: bool = False,
    review_form: ReviewForm | None = None,
    status: int = 200,
) -> HttpResponse:
    summary = summary_for(consultation)
    record_access(
        request=request,
        consultation=consultation,
        action=AccessLog.Action.PRINT_SUMMARY if printing else AccessLog.Action.VIEW_SUMMARY,
        what="print view" if printing else "summary",
    )
    context = {
        "summary": summary,
        "consultation": consultation,
        "intake": summary.intake,
        "printing": printing,
        "not_answered": NOT_ANSWERED,
        "review_form": review_form or ReviewForm(instance=summary.review),
    }
    return render(request, "consultations/surgeon/summary.html", context, status=status)


@role_required(SURGEON)
@require_safe
@never_cache
def surgeon_summary(request: HttpRequest, public_id: UUID) -> HttpResponse:
    return _summary_page(request, _consultation(request, public_id))


@role_required(SURGEON)
@require_safe
@never_cache
def surgeon_print(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """The summary laid out for two printed pages; opening it is logged as a printout."""
    return _summary_page(request, _consultation(request, public_id), printing=True)


@role_required(SURGEON)
@require_POST
@never_cache
def surgeon_review(request: HttpRequest, public_id: UUID) -> HttpResponse:
    consultation = _consultation(request, public_id)
    intake = related(consultation, "intake")
    form = ReviewForm(request.POST, instance=related(intake, "review") if intake else None)
    if intake is None:
        form.add_error(None, "The patient has not started the history yet, so there is nothing to review.")
    elif form.is_valid():
        first_time = not hasattr(intake, "review")
        try:
            services.review_intake(
                intake=intake,
                reviewer=request.user,
                priority=form.cleaned_data["priority"],
                notes=form.cleaned_data["notes"],
            )
        except services.NotSubmitted:
            form.add_error(
                None,
                "The patient has not sent this history yet. You can review it once they have; "
                "until then they may still be adding to it.",
            )
        else:
            messages.success(
                request,
                "Marked as reviewed. The patient can no longer change the history online."
                if first_time
                else "Review saved.",
            )
            return redirect(reverse("consultations:surgeon-summary", args=[consultation.public_id]) + "#review")
    return _summary_page(request, consultation, review_form=form, status=400)


@role_required(SURGEON)
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def surgeon_ask(request: HttpRequest, public_id: UUID) -> HttpResponse:
    """Ask the patient to add to one part of the history; they get an e-mail with a link to the question."""
    consultation = _consultation(request, public_id)
    intake = related(consultation, "intake")
    form = InformationRequestForm(request.POST or None, initial={"section": request.GET.get("section")})
    status = 200
    if request.method == "POST":
        status = 400
        if intake is None:
            form.add_error(None, "The patient has not started the history yet. The front desk can remind them.")
        elif form.is_valid():
            try:
                services.ask_patient(
                    intake=intake,
                    asked_by=request.user,
                    section=form.cleaned_data["section"],
                    message=form.cleaned_data["message"],
                )
            except services.CannotAsk:
                form.add_error(None, "This consultation is over or not going ahead, so the patient's link has expired.")
            else:
                messages.success(request, "Question sent. The patient gets an e-mail with a link to it.")
                return redirect(reverse("consultations:surgeon-summary", args=[consultation.public_id]) + "#questions")
    context = {"consultation": consultation, "intake": intake, "form": form}
    return render(request, "consultations/surgeon/ask.html", context, status=status)


@role_required(SURGEON)
@require_safe
@never_cache
def surgeon_upload(request: HttpRequest, public_id: UUID, report: UUID) -> HttpResponse:
    """A report uploaded with this history or one of the patient's earlier ones, logged as a download."""
    consultation = _consultation(request, public_id)
    upload = get_object_or_404(
        Upload.objects.filter(intake__in=visible_intakes(consultation)).select_related("intake__consultation"),
        token=report,
    )
    record_access(
        request=request,
        consultation=upload.intake.consultation,
        action=AccessLog.Action.DOWNLOAD_UPLOAD,
        what=f"upload {upload.token.hex[:8]}",
    )
    return file_response(upload)


@role_required(SURGEON)
@require_safe
@never_cache
def surgeon_earlier(request: HttpRequest, public_id: UUID, earlier_id: UUID) -> HttpResponse:
    """One of the patient's earlier histories, read-only, opened from this consultation."""
    consultation = _consultation(request, public_id)
    earlier = (
        earlier_intakes(consultation, related(consultation, "intake"))
        .filter(consultation__public_id=earlier_id)
        .select_related(
            "consultation__surgeon",
            "consultation__location",
            "consultation__red_flag_screen",
            "review__reviewed_by",
        )
        .first()
    )
    if earlier is None:
        raise Http404
    record_access(
        request=request,
        consultation=earlier.consultation,
        action=AccessLog.Action.VIEW_INTAKE,
        what=f"earlier history, opened from {consultation.reference}",
    )
    context = {
        "consultation": consultation,
        "earlier": earlier_summary_for(earlier),
        "not_answered": NOT_ANSWERED,
    }
    return render(request, "consultations/surgeon/earlier.html", context)
