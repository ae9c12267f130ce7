"""The desk books for a caller, a walk-in or a referral: free times of any surgeon (no minimum notice or horizon
binds the desk) or a time typed in, the red-flag script, and a confirmed consultation at once."""

from datetime import date, timedelta

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic.models import Location, Surgeon
from clinic.roles import ADMIN, FRONT_DESK, role_required
from consultations import when
from consultations.booking import coverage
from consultations.booking.availability import SlotTaken, SlotUnavailable, desk_policy, free_slots_for
from consultations.desk import schedule
from consultations.desk.booking import EmergencyNotBooked, book_for_patient
from consultations.desk.booking_forms import TYPED, DeskBookingForm
from consultations.models import Consultation
from consultations.views.desk import asked_first_day

WEEK = 7


def _free_times(surgeon: Surgeon, first_day: date) -> dict:
    """A week of the surgeon's free times from `first_day`, under the desk's policy."""
    found = free_slots_for(surgeon, first_day=first_day, days=WEEK, policy=desk_policy())
    locations = {location.slug: location for location in Location.objects.filter(availability_rules__surgeon=surgeon)}
    today = timezone.localdate()
    return {
        "days": schedule.by_local_day(found, locations),
        "first_day": first_day,
        "last_day": first_day + timedelta(days=WEEK - 1),
        "earlier": max(first_day - timedelta(days=WEEK), today) if first_day > today else None,
        "later": first_day + timedelta(days=WEEK),
    }


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_book(request: HttpRequest) -> HttpResponse:
    surgeons = list(Surgeon.objects.order_by("last_name", "first_name"))
    chosen = request.POST.get("surgeon") or request.GET.get("surgeon", "")
    surgeon = next((each for each in surgeons if str(each.pk) == chosen or each.slug == chosen), None)
    form = DeskBookingForm(request.POST or None, request.FILES or None, initial={"surgeon": surgeon})
    status, emergency = 200, None
    if request.method == "POST":
        status = 400
        advice = form.advice()
        if advice.is_emergency:
            # Read even when another answer is wrong: the caller needs emergency care, not a booking.
            emergency = advice
        elif form.is_valid():
            try:
                consultation = book_for_patient(
                    booking=form.booking(),
                    details=form.details(),
                    screen=form.screen(),
                    by=request.user,
                    coverage=form.coverage(),
                    referral=form.referral(),
                    person=form.person_details(),
                )
            except EmergencyNotBooked:
                emergency = advice
            except SlotUnavailable as error:
                status = 409
                form.add_error("slot", _not_booked(error))
            else:
                return _booked(request, consultation, form)
    context = {"form": form, "surgeons": surgeons, "surgeon": surgeon, "typed": TYPED, "emergency": emergency}
    if surgeon is not None:
        context |= _free_times(surgeon, asked_first_day(request))
    return render(request, "consultations/desk/book.html", context, status=status)


def _booked(request: HttpRequest, consultation: Consultation, form: DeskBookingForm) -> HttpResponse:
    """Keep the documents that came with the booking, now committed (each in its own transaction, see
    coverage.add_document), and say what was done."""
    refused = coverage.add_documents(consultation=consultation, documents=form.documents())
    messages.success(
        request,
        f"Booked and confirmed: {consultation.name_as_typed}, "
        f"{when.dated(consultation.local_start)}. Reference {consultation.reference}."
        + ("" if consultation.patient.email else " The patient gets no e-mail: read the reference out."),
    )
    if refused:
        messages.warning(request, " ".join(["The booking stands, but not every document was added.", *refused]))
    return redirect("consultations:desk-consultation", public_id=consultation.public_id)


def _not_booked(error: SlotUnavailable) -> str:
    if isinstance(error, SlotTaken):
        return "That time was just taken, or overlaps another consultation with this surgeon. Choose another."
    return "That time is no longer free (time off, or outside the clinic). Choose another."
