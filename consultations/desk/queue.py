"""The request queue: which waiting requests the desk is looking at (filters kept in the query string: slugs,
flags and a number of days, never anything about the patient), and one page of them at a time."""

from datetime import timedelta

from django import forms
from django.core.paginator import Page, Paginator
from django.utils import timezone

from consultations.desk.forms import SurgeonAndPlaceForm
from consultations.models import Consultation
from consultations.models.coverage import Coverage
from consultations.models.scheduling import URGENT, ConsultationQuerySet

PAGE_SIZE = 50


class QueueFilterForm(SurgeonAndPlaceForm):
    urgent = forms.BooleanField(label="Urgent only", required=False)
    unverified = forms.BooleanField(label="Insurance not verified", required=False)
    days = forms.IntegerField(
        label="Waiting longer than (days)", required=False, min_value=0, max_value=3650, widget=forms.NumberInput
    )

    def requests(self) -> ConsultationQuerySet:
        """The waiting requests these filters keep, unordered (call on a valid form)."""
        data = self.cleaned_data
        requests = Consultation.objects.filter(status=Consultation.Status.REQUESTED)
        if data["surgeon"]:
            requests = requests.filter(surgeon=data["surgeon"])
        if data["location"]:
            requests = requests.filter(location=data["location"])
        if data["urgent"]:
            requests = requests.filter(URGENT)
        if data["unverified"]:
            requests = requests.filter(
                coverage__kind=Coverage.Kind.INSURANCE, coverage__verification=Coverage.Verification.UNVERIFIED
            )
        if data["days"] is not None:
            requests = requests.filter(created_at__lt=timezone.now() - timedelta(days=data["days"]))
        return requests


def queue_page(form: QueueFilterForm, page_number: str | None) -> tuple[Page, dict[str, int]]:
    """One page of the filtered requests in the desk's order (urgent first, then the oldest), with how many wait
    and how many of them are flagged: three queries however long the queue. The order is found on narrow rows
    (ids) and only the page's rows are then loaded whole: sorting 10,000 whole rows cost ten times as much."""
    requests = form.requests()
    counts = requests.waiting_counts()
    paginator = Paginator(requests.urgent_first().values_list("pk", flat=True), PAGE_SIZE)
    # The aggregate above already counted them: spare the paginator its own COUNT.
    paginator.count = counts["waiting"]
    page = paginator.get_page(page_number)
    ids = list(page.object_list)
    rows = Consultation.objects.filter(pk__in=ids).for_desk().in_bulk()
    page.object_list = [rows[pk] for pk in ids]
    return page, counts
