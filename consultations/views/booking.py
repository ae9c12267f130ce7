"""The patient's side: find a time, request it, and manage the request from the signed link."""

from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_safe

from clinic import ratelimit
from clinic.models import Location, Procedure, Surgeon
from consultations.booking import coverage, screening, services
from consultations.booking.availability import (
    SlotTaken,
    SlotUnavailable,
    booking_policy,
    first_free_slots,
    free_slots_by_surgeon,
    free_slots_for,
)
from consultations.booking.changes import Move
from consultations.booking.forms import CancelForm, FindSlotsForm, RequestForm, SlotChoiceForm, clean_slot_field
from consultations.booking.slots import Slot, slot_token
from consultations.links import patient_link, patient_token
from consultations.models import Consultation
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
    asked = min(max(asked, today), booking_policy().last_day_anywhere(timezone.now()))
    return asked - timedelta(days=asked.weekday())


def _days(slots: list[Slot], monday: date, locations: dict[str, Location]) -> list[tuple[date, list]]:
    """The local days of the week from `monday` with their (slot, location) pairs: none already past, and none
    before the first free time (on a phone they would only push the free times down the screen)."""
    # Slots come in UTC order; with several time zones one local day's slots need not be adjacent.
    by_day: dict[date, list] = defaultdict(list)
    for slot in slots:
        by_day[slot.local_start.date()].append((slot, locations.get(slot.location)))
    if not by_day:
        return []
    week = [monday + timedelta(days=n) for n in range(7)]
    first = min(by_day)
    return [(day, by_day[day]) for day in week if day >= max(first, timezone.localdate())]


def _week_context(
    surgeon: Surgeon, monday: date, *, ignore: Consultation | None = None, current: datetime | None = None
) -> dict:
    """The week's free slots; `current` (the time being moved away from) is not offered as a new one."""
    slots = [slot for slot in free_slots_for(surgeon, first_day=monday, days=7, ignore=ignore) if slot.start != current]
    today = timezone.localdate()
    horizon = booking_policy().last_day_anywhere(timezone.now())
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
    # Up to the horizon's last day in each location's own zone (`Policy.last_day`).
    days = (booking_policy().last_day_anywhere(timezone.now()) - today).days + 1
    slots = [
        slot for slot in free_slots_for(surgeon, first_day=today, days=days, ignore=ignore) if slot.start != current
    ]
    if not slots:
        return None
    first = slots[0].local_start.date()
    return first - timedelta(days=first.weekday())


@screen_required
@require_safe
def request_start(request: HttpRequest) -> HttpResponse:
    """Choose a surgeon, or see the earliest times across the surgeons matching a procedure and location."""
    form = FindSlotsForm(request.GET or None)
    surgeons = Surgeon.objects.bookable()
    earliest: list[tuple[Slot, Surgeon]] = []
    if form.is_bound and form.is_valid():
        if form.cleaned_data["procedure"]:
            surgeons = surgeons.filter(procedures__slug=form.cleaned_data["procedure"])
        if form.cleaned_data["location"]:
            surgeons = surgeons.filter(locations__slug=form.cleaned_data["location"])
        by_id = {surgeon.pk: surgeon for surgeon in surgeons.distinct()}
        found = free_slots_by_surgeon(list(by_id), first_day=timezone.localdate(), days=21)
        earliest = sorted(
            ((slot, by_id[surgeon_id]) for surgeon_id, slots in found.items() for slot in slots[:EARLIEST_SHOWN]),
            key=lambda pair: pair[0].start,
        )[:EARLIEST_SHOWN]
    bookable = list(Surgeon.objects.bookable().order_by("last_name", "first_name"))
    first_free = first_free_slots([surgeon.pk for surgeon in bookable])
    locations = list(Location.objects.all())
    by_slug = {location.slug: location for location in locations}
    context = {
        "form": form,
        "surgeons": [(surgeon, first_free.get(surgeon.pk)) for surgeon in bookable],
        "procedures": Procedure.objects.filter(surgeons__is_listed=True).distinct(),
        "locations": locations,
        "earliest": [(slot, surgeon, by_slug.get(slot.location)) for slot, surgeon in earliest],
    }
    return render(request, "consultations/request_start.html", context)


@screen_required
@require_safe
def pick_slot(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(Surgeon.objects.bookable(), slug=slug)
    first = _first_available_week(surgeon) if request.GET.get("first") else None
    monday = first or _week_start(request)
    context = _week_context(surgeon, monday) | {"details_url": reverse("consultations:request-details", args=[slug])}
    template = "consultations/_week.html" if request.htmx else "consultations/pick_slot.html"
    return render(request, template, context)


@screen_required
@ratelimit.limit_anonymous_writes("request-form")
@ratelimit.limit_anonymous_uploads("upload")
@require_http_methods(["GET", "HEAD", "POST"])
def request_details(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(Surgeon.objects.bookable(), slug=slug)
    form = RequestForm(request.POST or None, request.FILES or None, initial={"slot": request.GET.get("slot", "")})
    alternatives: list[Slot] = []
    if request.method != "POST" and not request.GET.get("slot"):
        return redirect("consultations:pick-slot", slug=slug)
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and not form.is_valid() and form.guard_tripped:
        # Counted as a request made, so that a script learns nothing from the answer and soon meets the limit.
        hit = ratelimit.count(bucket="request", key=ratelimit.address_key(request))
        if hit.exceeded:
            return ratelimit.too_many_requests(request, retry_after=hit.retry_after)
    if request.method == "POST" and form.is_valid():
        start, location = form.cleaned_data["slot"]
        data = form.cleaned_data
        origin = services.RequestOrigin.of(request, email=data["email"], phone=data["phone"])
        try:
            consultation = services.request_consultation(
                surgeon=surgeon,
                location=location,
                start=start,
                details=form.details(),
                visit_type=data["visit_type"],
                reason=data["reason"],
                idempotency_key=data["idempotency_key"],
                screen=request.screen_result,
                waitlist=data["waitlist"],
                coverage=form.coverage(),
                referral=form.referral(),
                person=form.person_details(),
                origin=origin,
            )
        except services.TooManyRequests as error:
            return ratelimit.too_many_requests(request, retry_after=error.retry_after, contact=not error.by_address)
        except services.FormAlreadyUsed:
            messages.error(request, "This form was already sent. Please choose a time again to make a new request.")
            return redirect("consultations:pick-slot", slug=slug)
        except SlotUnavailable as error:
            status = 409
            form.add_error("slot", _unavailable_message(error))
            first_day = max(start.date(), timezone.localdate())
            alternatives = free_slots_for(surgeon, first_day=first_day, days=14)[:ALTERNATIVES_SHOWN]
        else:
            # Once the request is committed, each in its own transaction (see coverage.add_document).
            refused = coverage.add_documents(consultation=consultation, documents=form.documents())
            if refused:
                messages.warning(
                    request,
                    "Your request is sent, but not every document was added. "
                    + " ".join(refused)
                    + " Please bring the card or letter to your visit.",
                )
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


def _unavailable_message(error: SlotUnavailable) -> str:
    if isinstance(error, SlotTaken):
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


@patient_link
@require_safe
def request_sent(request: HttpRequest, token: str, consultation: Consultation) -> HttpResponse:
    return render(request, "consultations/request_sent.html", {"consultation": consultation, "token": token})


@patient_link
@require_safe
def my_consultation(request: HttpRequest, token: str, consultation: Consultation) -> HttpResponse:
    return render(request, "consultations/my_consultation.html", {"consultation": consultation, "token": token})


@patient_link
@ratelimit.limit_anonymous_writes("patient-link")
@require_http_methods(["GET", "HEAD", "POST"])
def cancel(request: HttpRequest, token: str, consultation: Consultation) -> HttpResponse:
    if not consultation.is_changeable:
        # Over, cancelled or declined: the link still shows it (see links.patient_link), but there is nothing to cancel.
        messages.error(request, "This consultation can no longer be cancelled online. Please call us.")
        return redirect("consultations:my-consultation", token=token)
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


@patient_link
@ratelimit.limit_anonymous_writes("patient-link")
@require_http_methods(["GET", "HEAD", "POST"])
def reschedule(request: HttpRequest, token: str, consultation: Consultation) -> HttpResponse:
    """The week's free times; a time chosen (?slot=) shows the move from where to where, made only once confirmed
    (a POST with `confirm`), so that a mis-tap on a phone moves nothing."""
    if not consultation.is_changeable:
        messages.error(request, "This consultation can no longer be moved online. Please call us.")
        return redirect("consultations:my-consultation", token=token)
    chosen = request.POST if request.method == "POST" else request.GET
    if "slot" in chosen:
        return _move_to_chosen(request, token, consultation, form=SlotChoiceForm(chosen))
    return _reschedule_week(request, token, consultation)


def _reschedule_week(
    request: HttpRequest, token: str, consultation: Consultation, *, status: int = 200
) -> HttpResponse:
    first = (
        _first_available_week(consultation.surgeon, ignore=consultation, current=consultation.start)
        if request.GET.get("first")
        else None
    )
    monday = first or _week_start(request)
    context = _week_context(consultation.surgeon, monday, ignore=consultation, current=consultation.start) | {
        "consultation": consultation,
        "token": token,
        "details_url": reverse("consultations:reschedule", args=[token]),
    }
    template = "consultations/_week.html" if request.htmx else "consultations/reschedule.html"
    return render(request, template, context, status=status)


def _move_to_chosen(
    request: HttpRequest, token: str, consultation: Consultation, *, form: SlotChoiceForm
) -> HttpResponse:
    if not form.is_valid():
        messages.error(request, "Please choose a time from the list.")
        return _reschedule_week(request, token, consultation, status=400)
    start, location = form.cleaned_data["slot"]
    try:
        if "confirm" not in request.POST:
            move = services.preview_reschedule(consultation=consultation, start=start, location=location)
            return _confirm_move(request, token, consultation, move=move, start=start, location=location)
        services.reschedule_consultation(consultation=consultation, start=start, location=location)
    except services.AlreadyAtThatTime:
        messages.info(request, "That is already your consultation's time; nothing has changed.")
        return redirect("consultations:my-consultation", token=token)
    except SlotUnavailable as error:
        messages.error(request, _unavailable_message(error))
        return _reschedule_week(request, token, consultation, status=409)
    except services.NotChangeable:
        messages.error(request, "This consultation can no longer be moved online. Please call us.")
        return _reschedule_week(request, token, consultation, status=400)
    messages.success(request, "Your consultation has a new time. We have sent you an e-mail with it.")
    return redirect("consultations:my-consultation", token=token)


def _confirm_move(
    request: HttpRequest, token: str, consultation: Consultation, *, move: Move, start: datetime, location: Location
) -> HttpResponse:
    day = timezone.localtime(start, location.zone).date()
    context = {
        "consultation": consultation,
        "token": token,
        "move": move,
        "slot": slot_token(start, location.slug),
        "week": day - timedelta(days=day.weekday()),
    }
    return render(request, "consultations/reschedule_confirm.html", context)
