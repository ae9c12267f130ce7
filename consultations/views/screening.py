"""The red-flag screen every patient passes before any free time is shown (DOMAIN.md §3).

Until a request is sent, the answers are kept nowhere on the server: not in a row, the session, the
address or a log line. The result travels in a signed cookie (see `consultations.booking.screening`).
"""

from collections.abc import Callable
from functools import wraps

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods
from django_htmx.http import HttpResponseClientRedirect

from clinic import ratelimit
from clinic.models import Surgeon
from consultations.booking import screening
from consultations.booking.forms import SLUG, AcknowledgementForm, ScreenForm

ACKNOWLEDGE = "acknowledge"


def screen_required(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Send anyone without a valid screen result to the screen, keeping only which surgeon they were after.

    The view finds the result as `request.screen_result`.
    """

    @wraps(view)
    def wrapped(request: HttpRequest, *args: object, **kwargs: object) -> HttpResponse:
        result = screening.read(request)
        if result is None:
            url = reverse("consultations:screen")
            if slug := kwargs.get("slug"):
                url += "?" + urlencode({"surgeon": slug})
            # htmx would swap the whole screen page into the week; have it load the page instead.
            return HttpResponseClientRedirect(url) if request.htmx else redirect(url)
        request.screen_result = result
        return view(request, *args, **kwargs)

    return wrapped


def _destination(request: HttpRequest) -> str | None:
    """The surgeon whose times the patient was going to see, if that surgeon takes requests; never a free URL."""
    slug = request.POST.get("surgeon") or request.GET.get("surgeon") or ""
    if SLUG.fullmatch(slug) and Surgeon.objects.bookable().filter(slug=slug).exists():
        return slug
    return None


@ratelimit.limit_anonymous_writes("screen")
@require_http_methods(["GET", "HEAD", "POST"])
@never_cache
def screen(request: HttpRequest) -> HttpResponse:
    surgeon = _destination(request)
    form = ScreenForm(request.POST if request.method == "POST" else None)
    if not form.is_bound:
        return render(request, "consultations/screen.html", {"form": form, "surgeon": surgeon})
    advice = form.advice()
    if advice.is_urgent:
        # A red flag is shown at once, whatever else was answered or left out.
        bound = request.POST.get("step") == ACKNOWLEDGE
        acknowledgement = AcknowledgementForm(request.POST if bound else None, urgency=advice.urgency)
        if not acknowledgement.is_valid():
            context = {
                "advice": advice,
                "acknowledgement": acknowledgement,
                "answers": form.hidden_answers(),
                "surgeon": surgeon,
                "settled_weeks": screening.SETTLED_WEEKS,
            }
            return render(request, "consultations/screen_advice.html", context, status=400 if bound else 200)
    elif not form.is_valid():
        return render(request, "consultations/screen.html", {"form": form, "surgeon": surgeon}, status=400)
    result = screening.ScreenResult.passed(
        form.ticked(), recent_surgery=form.had_recent_surgery, acknowledged=advice.is_urgent, at=timezone.now()
    )
    response = redirect("consultations:pick-slot", slug=surgeon) if surgeon else redirect("consultations:request")
    screening.remember(response, result)
    return response
