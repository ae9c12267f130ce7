"""The front desk: today's consultations, the request queue, one consultation's page (with the insurance and
referral, their documents as logged downloads, and the insurance's check), and the desk's actions.

Minimum necessary: these pages show who, when, contact details, whether the history is sent and the red-flag
flags, never what the history says (DOMAIN.md §7): they load consultations through `for_desk()`.
"""

from collections.abc import Callable, Iterable
from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from clinic.models import Location, Surgeon
from clinic.roles import ADMIN, FRONT_DESK, role_required
from consultations import when
from consultations.audit import record_access
from consultations.booking.availability import SlotTaken, SlotUnavailable, desk_policy, free_slots_for
from consultations.booking.slots import slot_token
from consultations.desk import charts, schedule, services, transitions
from consultations.desk.coverage import check_coverage
from consultations.desk.coverage_forms import CoverageCheckForm
from consultations.desk.forms import DeskActionForm, ProposeForm, SurgeonAndPlaceForm
from consultations.desk.occupancy import slot_use_by_surgeon
from consultations.desk.queue import QueueFilterForm, queue_page
from consultations.desk.today import today_page
from consultations.models import AccessLog, Consultation, Coverage, Referral, SentMessage, WaitlistEntry
from consultations.notify import outbox
from consultations.uploads import file_response

Status = Consultation.Status

# Buttons shown in a row of each list; the consultation's own page offers every allowed action.
TODAY_ACTIONS = (transitions.CHECK_IN, transitions.NO_SHOW, transitions.COMPLETE)
QUEUE_ACTIONS = (transitions.CONFIRM, transitions.PROPOSE, transitions.DECLINE, transitions.CANCEL)
PROPOSE_DAYS = 14


def _describe(consultations: Iterable[Consultation], *, shown: tuple[str, ...]) -> list[Consultation]:
    """Attach the buttons a desk row needs (no queries)."""
    now = timezone.now()
    rows = list(consultations)
    for consultation in rows:
        allowed = transitions.available(
            status=consultation.status, start=consultation.start, now=now, zone=consultation.location.zone
        )
        consultation.actions = [(action, transitions.ACTIONS[action].button) for action in shown if action in allowed]
    return rows


def _filters(request: HttpRequest) -> str:
    """The list's filters as they came, without the page number: for the links to the other pages."""
    filters = request.GET.copy()
    filters.pop("page", None)
    return filters.urlencode()


def _week_chart(today: date) -> charts.BarChart:
    monday = today - timedelta(days=today.weekday())
    surgeons = list(
        Surgeon.objects.filter(availability_rules__isnull=False).distinct().order_by("last_name", "first_name")
    )
    ids = [surgeon.pk for surgeon in surgeons]
    use = slot_use_by_surgeon(ids, first_day=monday, weeks=2)
    return charts.booked_share_chart(
        [
            (
                surgeon.display_name,
                [(week, *counts) for week, counts in zip(("This week", "Next week"), use[surgeon.pk], strict=True)],
            )
            for surgeon in surgeons
        ]
    )


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_today(request: HttpRequest) -> HttpResponse:
    today = timezone.localdate()
    form = SurgeonAndPlaceForm(request.GET)
    if not form.is_valid():
        return render(request, "consultations/desk/today.html", {"today": today, "form": form}, status=400)
    page, counts = today_page(form, request.GET.get("page"), today=today)
    context = {
        "today": today,
        "form": form,
        "page": page,
        "consultations": _describe(page, shown=TODAY_ACTIONS),
        "counts": Consultation.objects.waiting_counts() | counts,
        "filters": _filters(request),
        "chart": _week_chart(today),
    }
    return render(request, "consultations/desk/today.html", context)


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_queue(request: HttpRequest) -> HttpResponse:
    form = QueueFilterForm(request.GET)
    if not form.is_valid():
        return render(request, "consultations/desk/queue.html", {"form": form}, status=400)
    page, counts = queue_page(form, request.GET.get("page"))
    context = {
        "form": form,
        "page": page,
        "consultations": _describe(page, shown=QUEUE_ACTIONS),
        "counts": counts,
        "filters": _filters(request),
    }
    return render(request, "consultations/desk/queue.html", context)


def _consultation_page(
    request: HttpRequest,
    consultation: Consultation,
    *,
    form: DeskActionForm | None = None,
    coverage_form: CoverageCheckForm | None = None,
    status: int = 200,
) -> HttpResponse:
    (consultation,) = _describe([consultation], shown=tuple(transitions.ACTIONS))
    coverage = Coverage.objects.filter(consultation=consultation).select_related("verified_by").first()
    referral = Referral.objects.filter(consultation=consultation).first()
    documents = list(consultation.documents.all())
    if coverage or referral or documents:
        # Insurance and referral are health information: every page showing them is logged, like the intake.
        record_access(
            request=request,
            consultation=consultation,
            action=AccessLog.Action.VIEW_COVERAGE,
            what="insurance and referral",
        )
    context = {
        "coverage": coverage,
        "referral": referral,
        "documents": documents,
        "coverage_form": coverage_form or CoverageCheckForm(),
        "consultation": consultation,
        "events": consultation.events.select_related("by"),
        "sent_messages": outbox.with_stuck(consultation.sent_messages.all()),
        "waitlist": WaitlistEntry.objects.filter(consultation=consultation).first(),
        "name_on_file": str(consultation.patient) if str(consultation.patient) != consultation.name_as_typed else "",
        "form": form or DeskActionForm(),
        # None for a request from before booking details were asked (a missing reverse one-to-one is an AttributeError).
        "details": getattr(consultation, "booking_details", None),
    }
    return render(request, "consultations/desk/consultation.html", context, status=status)


def _desk_consultation(public_id: str) -> Consultation:
    # The booking details in the same query: the page shows the language, interpreter, state and emergency contact.
    return get_object_or_404(Consultation.objects.for_desk().select_related("booking_details"), public_id=public_id)


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_consultation(request: HttpRequest, public_id: str) -> HttpResponse:
    return _consultation_page(request, _desk_consultation(public_id))


def _when(consultation: Consultation) -> str:
    return when.short(consultation.local_start)


def _service(action: str, reason: str) -> Callable[..., Consultation]:
    return {
        transitions.CONFIRM: services.confirm_consultation,
        transitions.DECLINE: lambda **kwargs: services.decline_consultation(**kwargs, reason=reason),
        transitions.CANCEL: lambda **kwargs: services.cancel_consultation(**kwargs, reason=reason),
        transitions.CHECK_IN: services.check_in_consultation,
        transitions.NO_SHOW: services.mark_no_show,
        transitions.COMPLETE: services.complete_consultation,
    }[action]


@role_required(FRONT_DESK, ADMIN)
@require_POST
def desk_status(request: HttpRequest, public_id: str) -> HttpResponse:
    consultation = _desk_consultation(public_id)
    form = DeskActionForm(request.POST)
    if not form.is_valid():
        return _consultation_page(request, consultation, form=form, status=400)
    action = form.cleaned_data["action"]
    if action == transitions.PROPOSE:
        return redirect("consultations:desk-propose", public_id=consultation.public_id)
    try:
        _service(action, form.cleaned_data["reason"])(consultation=consultation, by=request.user)
    except services.TransitionRefused as refused:
        messages.error(request, refused.message)
        return _consultation_page(request, _desk_consultation(public_id), status=409)
    name = consultation.name_as_typed
    messages.success(request, transitions.ACTIONS[action].told.format(name=name, when=_when(consultation)))
    back = DeskActionForm.BACK.get(form.cleaned_data["back"])
    return redirect(back) if back else redirect("consultations:desk-consultation", public_id=consultation.public_id)


@role_required(FRONT_DESK, ADMIN)
@require_POST
def desk_message_resend(request: HttpRequest, public_id: str, message_id: int) -> HttpResponse:
    """The messages panel's "send again", for an e-mail that failed or is stuck in the queue."""
    consultation = _desk_consultation(public_id)
    message = get_object_or_404(SentMessage.objects.filter(consultation=consultation), pk=message_id)
    try:
        outbox.send_again(message=message, by=request.user)
    except outbox.NotStuck:
        messages.error(request, f"The e-mail “{message.get_kind_display()}” is sent or on its way already.")
        return _consultation_page(request, _desk_consultation(public_id), status=409)
    messages.success(request, f"The e-mail “{message.get_kind_display()}” is queued to be sent again.")
    return redirect("consultations:desk-consultation", public_id=consultation.public_id)


def asked_first_day(request: HttpRequest) -> date:
    """The day the desk asked free times from (?from=), kept between today and the desk's horizon."""
    today = timezone.localdate()
    try:
        asked = date.fromisoformat(request.GET.get("from", ""))
    except ValueError:
        return today
    return min(max(asked, today), today + desk_policy().horizon)


def _free_times(request: HttpRequest, consultation: Consultation, surgeon: Surgeon) -> dict:
    """Two weeks of `surgeon`'s free times from the day asked for (?from=), without the consultation's own, under
    the desk's policy: within the patient's minimum notice too."""
    first_day, today = asked_first_day(request), timezone.localdate()
    horizon = today + desk_policy().horizon
    later = first_day + timedelta(days=PROPOSE_DAYS)
    same_surgeon = surgeon.pk == consultation.surgeon_id
    found = free_slots_for(
        surgeon,
        first_day=first_day,
        days=PROPOSE_DAYS,
        ignore=consultation if same_surgeon else None,
        policy=desk_policy(),
    )
    found = [slot for slot in found if not (same_surgeon and slot.start == consultation.start)]
    locations = {location.slug: location for location in Location.objects.filter(availability_rules__surgeon=surgeon)}
    return {
        "days": schedule.by_local_day(found, locations),
        "first_day": first_day,
        "last_day": later - timedelta(days=1),
        "earlier": max(first_day - timedelta(days=PROPOSE_DAYS), today) if first_day > today else None,
        "later": later if later <= horizon else None,
    }


def _not_proposed(error: Exception) -> tuple[int, str]:
    """The status and message for a proposal the service refused."""
    if isinstance(error, services.TransitionRefused):
        return 409, error.message
    if isinstance(error, services.AlreadyAtThatTime):
        return 400, "That is the consultation's time already; choose another."
    if isinstance(error, SlotTaken):
        return 409, "That time was just taken; choose another."
    return 409, "That time is no longer free; choose another."


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_propose(request: HttpRequest, public_id: str) -> HttpResponse:
    """Pick a free time of this or another surgeon and see the move from where to where; once confirmed (a POST
    with `confirm`), the consultation moves there and the patient is asked."""
    consultation = _desk_consultation(public_id)
    surgeons = list(
        Surgeon.objects.filter(availability_rules__isnull=False).distinct().order_by("last_name", "first_name")
    )
    chosen = request.POST.get("surgeon") or request.GET.get("surgeon", "")
    surgeon = next((choice for choice in surgeons if choice.slug == chosen), consultation.surgeon)
    status, form = 200, ProposeForm(request.POST or None)
    if request.method == "POST" and not form.is_valid():
        status = 400
        messages.error(request, "Choose one of the free times listed.")
    elif request.method == "POST":
        try:
            return _propose(request, consultation, surgeon=surgeon, form=form)
        except (services.TransitionRefused, services.AlreadyAtThatTime, SlotUnavailable) as error:
            status, message = _not_proposed(error)
            messages.error(request, message)
    refused = services.proposal_refusal(consultation)
    context = {"consultation": consultation, "surgeons": surgeons, "surgeon": surgeon, "form": form, "refused": refused}
    if not refused:
        context |= _free_times(request, consultation, surgeon)
    return render(request, "consultations/desk/propose.html", context, status=status)


def _propose(request: HttpRequest, consultation: Consultation, *, surgeon: Surgeon, form: ProposeForm) -> HttpResponse:
    """The page that shows the move and asks to confirm it, or, confirmed, the move itself."""
    start, location = form.cleaned_data["slot"]
    if "confirm" not in request.POST:
        move = services.preview_proposal(consultation=consultation, surgeon=surgeon, start=start, location=location)
        day = timezone.localtime(start, location.zone).date()
        context = {
            "consultation": consultation,
            "surgeon": surgeon,
            "move": move,
            "slot": slot_token(start, location.slug),
            "form": form,
            "first_day": day,
        }
        return render(request, "consultations/desk/propose_confirm.html", context)
    moved = services.propose_another_time(
        consultation=consultation,
        surgeon=surgeon,
        start=start,
        location=location,
        by=request.user,
        note=form.cleaned_data["note"],
    )
    messages.success(
        request,
        f"Proposed {_when(moved)} to {moved.name_as_typed}. "
        "The time is held, and the patient gets an e-mail to accept it or ask for another.",
    )
    return redirect("consultations:desk-consultation", public_id=consultation.public_id)


@role_required(FRONT_DESK, ADMIN)
@require_POST
def desk_coverage(request: HttpRequest, public_id: str) -> HttpResponse:
    consultation = _desk_consultation(public_id)
    coverage = Coverage.objects.filter(consultation=consultation).first()
    if coverage is None:
        raise Http404("This consultation has no insurance details to check.")
    form = CoverageCheckForm(request.POST)
    if not form.is_valid():
        return _consultation_page(request, consultation, coverage_form=form, status=400)
    checked = check_coverage(
        coverage=coverage,
        verification=form.cleaned_data["verification"],
        note=form.cleaned_data["note"],
        by=request.user,
    )
    messages.success(request, f"Insurance marked “{checked.get_verification_display().lower()}”.")
    return redirect("consultations:desk-consultation", public_id=consultation.public_id)


@role_required(FRONT_DESK, ADMIN)
@require_safe
@never_cache
def desk_document(request: HttpRequest, public_id: str, document: str) -> HttpResponse:
    """An insurance card photo or a referral letter of this consultation, logged as a download."""
    consultation = _desk_consultation(public_id)
    found = get_object_or_404(consultation.documents, token=document)
    record_access(
        request=request,
        consultation=consultation,
        action=AccessLog.Action.DOWNLOAD_DOCUMENT,
        what=f"{found.get_kind_display().lower()} {found.token.hex[:8]}",
    )
    return file_response(found)
