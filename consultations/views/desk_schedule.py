"""The front desk's schedules (day, week, printable, CSV) and the surgeons' availability and time off."""

import csv
from datetime import date, timedelta

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_safe

from clinic.models import Location, Surgeon
from clinic.roles import ADMIN, FRONT_DESK, role_required
from consultations import when
from consultations.audit import csv_cell, record_schedule_export
from consultations.booking.availability import free_slots_by_surgeon, free_slots_for
from consultations.booking.slots import local_days_window
from consultations.desk import schedule, services
from consultations.desk.forms import (
    AvailabilityRuleForm,
    EndRuleForm,
    ScheduleCsvForm,
    ScheduleForm,
    TimeOffForm,
)
from consultations.models import AvailabilityRule, Consultation, TimeOff

PREVIEW_DAYS = 14
CSV_HEADER = ["Date", "Start", "End", "Time zone", "Surgeon", "Location", "Patient", "Phone", "Visit type", "Status"]


def _posted(request: HttpRequest) -> QueryDict | None:
    """The form data of a POST, even an empty one (which must fail validation, not show a blank form)."""
    return request.POST if request.method == "POST" else None


def _days(day: date, view: str) -> list[date]:
    if view == "week":
        monday = day - timedelta(days=day.weekday())
        return [monday + timedelta(days=n) for n in range(7)]
    return [day]


def _day_consultations(*, surgeon: Surgeon | None, location: Location | None, days: list[date]) -> list[Consultation]:
    """Every consultation, whatever its status, on the local dates `days` at its own location."""
    window_start, window_end = local_days_window(days[0], len(days))
    found = (
        Consultation.objects.filter(start__gte=window_start, start__lt=window_end).for_desk().order_by("start", "pk")
    )
    if surgeon is not None:
        found = found.filter(surgeon=surgeon)
    if location is not None:
        found = found.filter(location=location)
    return [consultation for consultation in found if consultation.local_start.date() in days]


def _schedules(
    *, surgeon: Surgeon | None, location: Location | None, days: list[date]
) -> list[schedule.SurgeonSchedule] | list[schedule.SurgeonWeek]:
    """Each surgeon's days, in a fixed number of queries however many surgeons, slots and bookings: every entry for
    one surgeon or one day, counts a day for every surgeon's week."""
    surgeons = [surgeon] if surgeon is not None else list(Surgeon.objects.order_by("last_name", "first_name"))
    ids = [each.pk for each in surgeons]
    window_start, window_end = local_days_window(days[0], len(days))
    rules = AvailabilityRule.objects.filter(surgeon__in=ids).select_related("location")
    if location is not None:
        rules = rules.filter(location=location)
    rules = list(rules)
    free = free_slots_by_surgeon(ids, first_day=days[0], days=len(days))
    if location is not None:
        free = {pk: [slot for slot in found if slot.location == location.slug] for pk, found in free.items()}
    time_off = TimeOff.objects.filter(surgeon__in=ids, start__lt=window_end, end__gt=window_start)
    time_off_zone = location.zone if location is not None else timezone.get_current_timezone()
    if surgeon is None and len(days) > 1:
        booked = Consultation.objects.filter(start__gte=window_start, start__lt=window_end).exclude(
            status__in=[Consultation.Status.DECLINED, Consultation.Status.CANCELLED]
        )
        if location is not None:
            booked = booked.filter(location=location)
        return schedule.overview(
            surgeons=surgeons,
            days=days,
            rules=rules,
            consultations=booked.values_list("surgeon", "start", "location__timezone", "status"),
            time_off=time_off,
            free=free,
            time_off_zone=time_off_zone,
        )
    return schedule.build(
        surgeons=surgeons,
        days=days,
        rules=rules,
        consultations=_day_consultations(surgeon=surgeon, location=location, days=days),
        time_off=time_off,
        free=free,
        locations={rule.location.slug: rule.location for rule in rules},
        time_off_zone=time_off_zone,
        keep_empty=surgeon is not None,
    )


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_schedule(request: HttpRequest) -> HttpResponse:
    defaults = {"day": timezone.localdate().isoformat(), "view": "day"}
    form = ScheduleForm(defaults | {key: value for key, value in request.GET.items() if value})
    if not form.is_valid():
        return render(request, "consultations/desk/schedule.html", {"form": form}, status=400)
    surgeon, location = form.cleaned_data["surgeon"], form.cleaned_data["location"]
    day, view = form.cleaned_data["day"], form.cleaned_data["view"]
    days = _days(day, view)
    step = timedelta(days=len(days))
    chosen = {"surgeon": surgeon.slug if surgeon else "", "location": location.slug if location else ""}
    return render(
        request,
        "consultations/desk/schedule.html",
        {
            "form": form,
            "surgeon": surgeon,
            "location": location,
            "day": day,
            "days": days,
            "view": view,
            "schedules": _schedules(surgeon=surgeon, location=location, days=days),
            "overview": surgeon is None and view == "week",
            # The chosen surgeon and location, for links to other days, views and the CSV.
            "base_query": urlencode({name: value for name, value in chosen.items() if value}),
            "previous_day": days[0] - step,
            "next_day": days[0] + step,
            "time_off_zone": location.timezone if location else settings.PRACTICE_TIME_ZONE,
            "min_notice_hours": settings.BOOKING_MIN_NOTICE_HOURS,
        },
    )


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_schedule_csv(request: HttpRequest) -> HttpResponse:
    form = ScheduleCsvForm(request.GET)
    if not form.is_valid():
        return render(request, "consultations/desk/schedule_csv_invalid.html", {"form": form}, status=400)
    surgeon, location, day = (form.cleaned_data[name] for name in ("surgeon", "location", "day"))
    consultations = _day_consultations(surgeon=surgeon, location=location, days=[day])
    # Stable: consultations at the same time keep their order by id.
    consultations.sort(key=lambda consultation: (consultation.start, consultation.surgeon.last_name))
    record_schedule_export(request=request, consultations=consultations, what=f"day schedule CSV for {day.isoformat()}")
    name = "-".join(["schedule", day.isoformat(), *(each.slug for each in (surgeon, location) if each)])
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}.csv"'
    # A byte-order mark, so spreadsheet programs read accented names as UTF-8.
    response.write("\ufeff")
    writer = csv.writer(response)
    writer.writerow(CSV_HEADER)
    for consultation in consultations:
        start, end = consultation.local_start, consultation.local_end
        writer.writerow(
            csv_cell(value)
            for value in (
                start.date().isoformat(),
                when.clock(start),
                when.clock(end),
                f"{consultation.location.timezone} ({start.tzname()})",
                consultation.surgeon.display_name,
                consultation.location.name,
                str(consultation.patient),
                consultation.phone_to_call,
                consultation.get_visit_type_display(),
                consultation.get_status_display(),
            )
        )
    return response


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_availability(request: HttpRequest) -> HttpResponse:
    surgeons = Surgeon.objects.order_by("last_name", "first_name").prefetch_related(
        "availability_rules__location",
    )
    time_off = TimeOff.objects.filter(end__gt=timezone.now()).order_by("start")
    by_surgeon: dict[int, list[TimeOff]] = {}
    for absence in time_off:
        by_surgeon.setdefault(absence.surgeon_id, []).append(absence)
    rows = [
        (surgeon, _rule_rows(surgeon.availability_rules.all()), by_surgeon.get(surgeon.pk, [])) for surgeon in surgeons
    ]
    return render(request, "consultations/desk/availability.html", {"rows": rows})


def _rule_rows(rules: list[AvailabilityRule]) -> list[tuple[AvailabilityRule, str, bool]]:
    """Each rule with its hours named in its zone today, and whether it has ended."""
    today = timezone.localdate()
    return [
        (
            rule,
            schedule.rule_hours(rule, today),
            rule.valid_until is not None and rule.valid_until < today,
        )
        for rule in rules
    ]


def _surgeon_context(surgeon: Surgeon) -> dict:
    now = timezone.now()
    rules = list(surgeon.availability_rules.select_related("location").order_by("weekday", "start_time"))
    time_off = list(surgeon.time_off.filter(end__gt=now).order_by("start"))
    upcoming = Consultation.objects.occupying().filter(surgeon=surgeon, end__gt=now).for_desk().order_by("start")
    preview = free_slots_for(surgeon, first_day=timezone.localdate(), days=PREVIEW_DAYS)
    locations = {rule.location.slug: rule.location for rule in rules}
    return {
        "surgeon": surgeon,
        "rules": _rule_rows(rules),
        "time_off": time_off,
        "attention": schedule.needs_attention(upcoming, rules, time_off),
        "preview": schedule.by_local_day(preview, locations),
        "preview_days": PREVIEW_DAYS,
        "min_notice_hours": settings.BOOKING_MIN_NOTICE_HOURS,
    }


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_availability_surgeon(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(Surgeon, slug=slug)
    return render(request, "consultations/desk/availability_surgeon.html", _surgeon_context(surgeon))


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_rule_add(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(Surgeon, slug=slug)
    return _rule_form(request, AvailabilityRule(surgeon=surgeon), done="added")


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(AvailabilityRule.objects.select_related("surgeon", "location"), pk=rule_id)
    return _rule_form(request, rule, done="changed")


def _rule_form(request: HttpRequest, rule: AvailabilityRule, *, done: str) -> HttpResponse:
    """Add (`rule` not saved yet) or change a weekly clinic."""
    surgeon = rule.surgeon
    form = AvailabilityRuleForm(_posted(request), instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, f"Clinic {done} for {surgeon.display_name}.")
        return redirect("consultations:desk-availability-surgeon", slug=surgeon.slug)
    status = 400 if form.is_bound else 200
    context = {"form": form, "surgeon": surgeon, "rule": rule if rule.pk else None}
    return render(request, "consultations/desk/rule_form.html", context, status=status)


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_rule_end(request: HttpRequest, rule_id: int) -> HttpResponse:
    rule = get_object_or_404(AvailabilityRule.objects.select_related("surgeon", "location"), pk=rule_id)
    hours = schedule.rule_hours(rule, timezone.localdate())
    form = EndRuleForm(_posted(request), instance=rule, initial={"valid_until": timezone.localdate()})
    if request.method == "POST" and form.is_valid():
        services.end_availability_rule(rule=rule, last_day=form.cleaned_data["valid_until"])
        messages.success(request, f"Clinic ended for {rule.surgeon.display_name}.")
        return redirect("consultations:desk-availability-surgeon", slug=rule.surgeon.slug)
    status = 400 if form.is_bound else 200
    context = {"form": form, "rule": rule, "surgeon": rule.surgeon, "hours": hours}
    return render(request, "consultations/desk/rule_end.html", context, status=status)


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_time_off_add(request: HttpRequest, slug: str) -> HttpResponse:
    surgeon = get_object_or_404(Surgeon, slug=slug)
    form = TimeOffForm(_posted(request), instance=TimeOff(surgeon=surgeon))
    if request.method == "POST" and form.is_valid():
        time_off, affected = services.add_time_off(
            surgeon=surgeon,
            start=form.cleaned_data["start"],
            end=form.cleaned_data["end"],
            reason=form.cleaned_data["reason"],
            by=request.user,
        )
        if affected:
            messages.warning(request, f"Time off added. {len(affected)} booked consultations fall in it: see below.")
        else:
            messages.success(request, "Time off added. No booked consultation falls in it.")
        return redirect("consultations:desk-time-off", time_off_id=time_off.pk)
    status = 400 if form.is_bound else 200
    return render(request, "consultations/desk/time_off_form.html", {"form": form, "surgeon": surgeon}, status=status)


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_time_off(request: HttpRequest, time_off_id: int) -> HttpResponse:
    time_off = get_object_or_404(TimeOff.objects.select_related("surgeon"), pk=time_off_id)
    affected = services.time_off_affects(time_off).for_desk()
    context = {"time_off": time_off, "surgeon": time_off.surgeon, "affected": affected}
    return render(request, "consultations/desk/time_off.html", context)


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_time_off_remove(request: HttpRequest, time_off_id: int) -> HttpResponse:
    time_off = get_object_or_404(TimeOff.objects.select_related("surgeon"), pk=time_off_id)
    if request.method == "POST":
        surgeon = time_off.surgeon
        services.remove_time_off(time_off=time_off, by=request.user)
        messages.success(request, "Time off removed: those times are offered to patients again.")
        return redirect("consultations:desk-availability-surgeon", slug=surgeon.slug)
    context = {"time_off": time_off, "surgeon": time_off.surgeon}
    return render(request, "consultations/desk/time_off_remove.html", context)
