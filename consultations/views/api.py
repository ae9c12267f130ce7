"""JSON for other tools: the free slots of one surgeon (DESIGN.md §6)."""

from django.http import HttpRequest, JsonResponse
from django.views.decorators.http import require_GET

from clinic.models import Surgeon
from consultations import services
from consultations.forms import SlotQueryForm

DEFAULT_DAYS = 7


@require_GET
def slots(request: HttpRequest) -> JsonResponse:
    """`?surgeon=<slug>&start=YYYY-MM-DD&days=N`: free slots in time order; four queries at most."""
    form = SlotQueryForm(request.GET)
    if not form.is_valid():
        parameter, errors = next(iter(form.errors.items()))
        return JsonResponse({"error": f"{parameter}: {errors[0]}", "parameter": parameter}, status=400)
    surgeon = (
        Surgeon.objects.listed()
        .filter(slug=form.cleaned_data["surgeon"], accepts_new_patients=True)
        .only("pk", "slug")
        .first()
    )
    if surgeon is None:
        return JsonResponse(
            {"error": "No surgeon taking new patients has that slug.", "parameter": "surgeon"}, status=404
        )
    found = services.free_slots_for(
        surgeon, first_day=form.cleaned_data["start"], days=form.cleaned_data["days"] or DEFAULT_DAYS
    )
    return JsonResponse(
        {
            "surgeon": surgeon.slug,
            "slots": [
                {
                    "start": slot.local_start.isoformat(),
                    "end": slot.end.astimezone(slot.local_start.tzinfo).isoformat(),
                    "location": slot.location,
                    "timezone": slot.timezone,
                }
                for slot in found
            ],
        }
    )
