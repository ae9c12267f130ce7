"""The patient's side: find a time, request it, and manage the request from the signed link."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core import signing
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods

from clinic.models import Location, Procedure, Surgeon
from consultations import screening, services
from consultations.forms import CancelForm, FindSlotsForm, RequestForm, SlotChoiceForm, clean_slot_field
from consultations.messages import patient_token, public_id_from_token
from consultations.models import Consultation
from consultations.slots import Slot
from consultations.views.screening import screen_required

EARLIEST_SHOWN = 12
ALTERNATIVES_SHOWN = 8


def _week_start(request: HttpRequest) -> date:
    """The Monday of the week asked for (?week=YYYY-MM-DD), kept between this week and the booking horizon."""
    today = timezone.localdate()
    try:
        asked = date.fromisoformat(request.GET.get("week", ""))
    except ValueError:
        asked = today
    asked = min(max(asked, today), today + services.booking_policy().horizon)
    return asked - timedelta(days=asked.weekday())


def _days(slots: list[Slot], monday: date, locations: dict[str, Location]) -> list[tuple[date, list]]:
    """The seven local days from `monday`, each with its (slot, location) pairs."""
    # Slots come in UTC order; with several time zones one local day's slots need not be adjacent.
    by_day: dict[date, list] = defaultdict(list)
    for slot in slots:
        by_day[slot.local_start.date()].append((slot, locations.get(slot.location)))
    return [(monday + timedelta(days=n), by_day[monday + timedelta(days=n)]) for n in range(7)]


def _week_context(
    surgeon: Surgeon, monday: date, *, ignore: Consultation | None = None, current: datetime | None = None
) -> dict:
    """The week's free slots; `current` (the time being moved away from) is not offered as a new one."""
    slots = [
        slot
        for slot in services.free_slots_for(surgeon, first_day=monday, days=7, ignore=ignore)
        if slot.start != current
    ]
    today = timezone.localdate()
    horizon = today + timedelta(days=services.booking_policy().horizon.days)
    locations = {location.slug: location for location in Location.objects.filter(availability_rules__surgeon=surgeon)}
    return {
        "surgeon": surgeon,
        "days": _days(slots, monday, locations),
        "monday": monday,
        "previous_week": monday - timedelta(days=7) if monday > today else None,
        "next_week": monday + timedelta(days=7) if monday + timedelta(days=7) <= horizon else None,
        "has_slots": bool(slots),
    }


def _first_available_week(
    surgeon: Surgeon, *, ignore: Consultation | None = None, current: datetime | None = None
) -> date | None:
    today = timezone.localdate()
    slots = [
        slot
        for slot in services.free_slots_for(
            surgeon, first_day=today, days=services.booking_policy().horizon.days + 1, ignore=ignore
        )
        if slot.start != current
    ]
    if not slots:
        return None
    first = slots[0].local_start.date()
    return first - timedelta(days=first.weekday())


@require_GET
@screen_required
def request_start(request: HttpRequest) -> HttpResponse:
    """Choose a surgeon, or see the earliest times across the surgeons matching a procedure and location."""
    form = FindSlotsForm(request.GET or None)
    surgeons = Surgeon.objects.listed().filter(accepts_new_patients=True)
    earliest: list[tuple[Slot, Surgeon]] = []
    if form.is_bound and form.is_valid():
        if form.cleaned_data["procedure"]:
            surgeons = surgeons.filter(procedures__slug=form.cleaned_data["procedure"])
        if form.cleaned_data["location"]:
            surgeons = surgeons.filter(locations__slug=form.cleaned_data["location"])
        by_id = {surgeon.pk: surgeon for surgeon in surgeons.distinct()}
        found = services.free_slots_by_surgeon(list(by_id), first_day=timezone.localdate(), days=21)
        earliest = sorted(
            ((slot, by_id[surgeon_id]) for surgeon_id, slots in found.items() for slot in slots[:EARLIEST_SHOWN]),
            key=lambda pair: pair[0].start,
        )[:EARLIEST_SHOWN]
    locations = list(Location.objects.all())
    by_slug = {location.slug: location for location in locations}
    context = {
        "form": form,
        "surgeons": Surgeon.objects.listed().filter(accepts_new_patients=True).order_by("last_name"),
        "procedures": Procedure.objects.filter(surgeons__is_listed=True).distinct(),
        "locations": locations,
        "earliest": [(slot, surgeon, by_slug.get(slot.location)) for slot, surgeon in earliest],
    }
    return render(request, "consultations/request_start.html", context)


@require_GET
@screen_required
def pick_slot(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(Surgeon.objects.listed().filter(accepts_new_patients=True), slug=slug)
    first = _first_available_week(surgeon) if request.GET.get("first") else None
    monday = first or _week_start(request)
    context = _week_context(surgeon, monday) | {"details_url": reverse("consultations:request-details", args=[slug])}
    template = "consultations/_week.html" if request.htmx else "consultations/pick_slot.html"
    return render(request, template, context)


@require_http_methods(["GET", "POST"])
@screen_required
def request_details(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(Surgeon.objects.listed().filter(accepts_new_patients=True), slug=slug)
    form = RequestForm(request.POST or None, initial={"slot": request.GET.get("slot", "")})
    alternatives: list[Slot] = []
    if request.method == "GET" and not request.GET.get("slot"):
        return redirect("consultations:pick-slot", slug=slug)
    status = 200 if request.method == "GET" else 400
    if request.method == "POST" and form.is_valid():
        start, location = form.cleaned_data["slot"]
        data = form.cleaned_data
        try:
            consultation = services.request_consultation(
                surgeon=surgeon,
                location=location,
                start=start,
                details=services.PatientDetails(
                    first_name=data["first_name"],
                    last_name=data["last_name"],
                    date_of_birth=data["date_of_birth"],
                    email=data["email"],
                    phone=data["phone"],
                    preferred_contact=data["preferred_contact"],
                ),
                visit_type=data["visit_type"],
                reason=data["reason"],
                idempotency_key=data["idempotency_key"],
                screen=request.screen_result,
                waitlist=data["waitlist"],
            )
        except services.FormAlreadyUsed:
            messages.error(request, "This form was already sent. Please choose a time again to make a new request.")
            return redirect("consultations:pick-slot", slug=slug)
        except services.SlotUnavailable as error:
            status = 409
            form.add_error("slot", _unavailable_message(error))
            first_day = max(start.date(), timezone.localdate())
            alternatives = services.free_slots_for(surgeon, first_day=first_day, days=14)[:ALTERNATIVES_SHOWN]
        else:
            response = redirect("consultations:request-sent", token=patient_token(consultation))
            screening.forget(response)
            return response
    context = {
        "surgeon": surgeon,
        "form": form,
        "chosen": _chosen_slot(form),
        "alternatives": alternatives,
        "locations": {location.slug: location for location in surgeon.locations.all()},
    }
    return render(request, "consultations/request_details.html", context, status=status)


def _unavailable_message(error: services.SlotUnavailable) -> str:
    if isinstance(error, services.SlotTaken):
        return "That time was just taken, please choose another."
    return "That time is no longer available, please choose another."


def _chosen_slot(form: RequestForm) -> dict | None:
    """The slot the patient picked, for display, whether or not the rest of the form is valid yet."""
    try:
        start, location = clean_slot_field(form["slot"].value() or "")
    except ValidationError:
        return None
    return {
        "slot": Slot(start=start, end=start, location=location.slug, timezone=location.timezone),
        "location": location,
    }


def consultation_from_token(token: str) -> Consultation | None:
    try:
        public_id = public_id_from_token(token)
    except signing.BadSignature:
        return None
    return Consultation.objects.select_related("surgeon", "location", "patient").filter(public_id=public_id).first()


def link_problem(request: HttpRequest, consultation: Consultation | None) -> HttpResponse | None:
    """A friendly page for a broken, unknown or finished link; None when the link is good."""
    if consultation is None:
        return render(request, "consultations/link_invalid.html", status=404)
    if consultation.is_over:
        return render(request, "consultations/link_expired.html", {"consultation": consultation}, status=410)
    return None


def _patient_page(request: HttpRequest, token: str, template: str) -> HttpResponse:
    consultation = consultation_from_token(token)
    if problem := link_problem(request, consultation):
        return problem
    return render(request, template, {"consultation": consultation, "token": token})


@require_GET
@never_cache
def request_sent(request: HttpRequest, token: str) -> HttpResponse:
    return _patient_page(request, token, "consultations/request_sent.html")


@require_GET
@never_cache
def my_consultation(request: HttpRequest, token: str) -> HttpResponse:
    return _patient_page(request, token, "consultations/my_consultation.html")


@require_http_methods(["GET", "POST"])
@never_cache
def cancel(request: HttpRequest, token: str) -> HttpResponse:
    consultation = consultation_from_token(token)
    if problem := link_problem(request, consultation):
        return problem
    form = CancelForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.cancel_consultation(consultation=consultation, reason=form.cleaned_data["reason"])
        except services.NotChangeable:
            messages.error(request, "This consultation can no longer be cancelled online. Please call us.")
        else:
            messages.success(request, "Your consultation is cancelled. We have sent you an e-mail to confirm.")
        return redirect("consultations:my-consultation", token=token)
    context = {"consultation": consultation, "token": token, "form": form}
    return render(request, "consultations/cancel.html", context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
@never_cache
def reschedule(request: HttpRequest, token: str) -> HttpResponse:
    consultation = consultation_from_token(token)
    if problem := link_problem(request, consultation):
        return problem
    if not consultation.is_changeable:
        messages.error(request, "This consultation can no longer be moved online. Please call us.")
        return redirect("consultations:my-consultation", token=token)
    status = 200
    if request.method == "POST":
        form = SlotChoiceForm(request.POST)
        status = 400
        if form.is_valid():
            start, location = form.cleaned_data["slot"]
            try:
                services.reschedule_consultation(consultation=consultation, start=start, location=location)
            except services.AlreadyAtThatTime:
                messages.info(request, "That is already your consultation's time; nothing has changed.")
                return redirect("consultations:my-consultation", token=token)
            except services.SlotUnavailable as error:
                status = 409
                messages.error(request, _unavailable_message(error))
            except services.NotChangeable:
                messages.error(request, "This consultation can no longer be moved online. Please call us.")
            else:
                messages.success(request, "Your consultation has a new time. We have sent you an e-mail with it.")
                return redirect("consultations:my-consultation", token=token)
        else:
            messages.error(request, "Please choose a time from the list.")
    first = (
        _first_available_week(consultation.surgeon, ignore=consultation, current=consultation.start)
        if request.GET.get("first")
        else None
    )
    monday = first or _week_start(request)
    context = _week_context(consultation.surgeon, monday, ignore=consultation, current=consultation.start) | {
        "consultation": consultation,
        "token": token,
        "post_url": reverse("consultations:reschedule", args=[token]),
    }
    template = "consultations/_week.html" if request.htmx else "consultations/reschedule.html"
    return render(request, template, context, status=status)
