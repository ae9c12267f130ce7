"""JSON for other tools: the free slots of one surgeon (DESIGN.md §6)."""

import json

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.views.decorators.http import require_safe

from consultations.booking.availability import public_free_slots
from consultations.booking.forms import SlotQueryForm

DEFAULT_DAYS = 7


@require_safe
def slots(request: HttpRequest) -> HttpResponse:
    """`?surgeon=<slug>&start=YYYY-MM-DD&days=N`: free slots in time order, in one query."""
    form = SlotQueryForm(request.GET)
    if not form.is_valid():
        parameter, errors = next(iter(form.errors.items()))
        return JsonResponse({"error": f"{parameter}: {errors[0]}", "parameter": parameter}, status=400)
    surgeon = form.cleaned_data["surgeon"]
    found = public_free_slots(
        surgeon_slug=surgeon, first_day=form.cleaned_data["start"], days=form.cleaned_data["days"] or DEFAULT_DAYS
    )
    if found is None:
        return JsonResponse(
            {"error": "No surgeon taking new patients has that slug.", "parameter": "surgeon"}, status=404
        )
    # The slots come as JSON text already (encoding them as dictionaries cost as much as generating them).
    return HttpResponse(f'{{"surgeon": {json.dumps(surgeon)}, "slots": {found}}}', content_type="application/json")
