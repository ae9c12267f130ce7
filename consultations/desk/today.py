"""Today's list at the desk: the day's consultations, narrowed to a surgeon or a location, a page at a time, opening
on the page where the day has got to (the first consultation not yet over)."""

from datetime import date, datetime, time, timedelta

from django.core.paginator import Page, Paginator
from django.utils import timezone

from consultations.desk.forms import SurgeonAndPlaceForm
from consultations.models import Consultation

PAGE_SIZE = 50


def today_page(form: SurgeonAndPlaceForm, page_number: str | None, *, today: date) -> tuple[Page, dict[str, int]]:
    """One page of today's consultations in time order (declined and cancelled left out) and the day's counts, in
    two queries however busy the day: the day is listed on narrow rows (id and status), and only the page's rows
    are loaded whole. Without a page number, the page holding the first consultation still to happen or under
    way."""
    midnight = datetime.combine(today, time.min, tzinfo=timezone.get_current_timezone())
    todays = Consultation.objects.filter(start__gte=midnight, start__lt=midnight + timedelta(days=1)).exclude(
        status__in=[Consultation.Status.DECLINED, Consultation.Status.CANCELLED]
    )
    if form.cleaned_data["surgeon"]:
        todays = todays.filter(surgeon=form.cleaned_data["surgeon"])
    if form.cleaned_data["location"]:
        todays = todays.filter(location=form.cleaned_data["location"])
    listed = list(todays.order_by("start", "pk").values_list("pk", "status"))
    statuses = [status for _, status in listed]
    counts = {
        "today": len(listed),
        "checked_in": statuses.count(Consultation.Status.CHECKED_IN),
        "to_come": sum(status in (Consultation.Status.REQUESTED, Consultation.Status.CONFIRMED) for status in statuses),
    }
    if page_number is None:
        now = next((n for n, status in enumerate(statuses) if status in Consultation.OCCUPYING), 0)
        page_number = str(now // PAGE_SIZE + 1)
    page = Paginator([pk for pk, _ in listed], PAGE_SIZE).get_page(page_number)
    rows = Consultation.objects.filter(pk__in=page.object_list).for_desk().in_bulk()
    page.object_list = [rows[pk] for pk in page.object_list]
    return page, counts
