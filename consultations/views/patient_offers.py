"""The patient's answer, through their signed link, to a time the desk proposed or an earlier time from the waitlist."""

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from clinic import ratelimit
from consultations.booking import changes, services
from consultations.booking.availability import SlotUnavailable
from consultations.links import link_invalid, patient_link
from consultations.models import Consultation, WaitlistOffer


@patient_link
@ratelimit.limit_anonymous_writes("patient-link")
@require_http_methods(["GET", "HEAD", "POST"])
def proposal(request: HttpRequest, token: str, consultation: Consultation) -> HttpResponse:
    if not consultation.awaiting_patient:
        messages.info(request, "There is no proposed time waiting for your answer. Your consultation is below.")
        return redirect("consultations:my-consultation", token=token)
    if request.method == "POST":
        try:
            services.accept_proposal(consultation=consultation)
        except services.NoProposalWaiting:
            messages.info(request, "This time has changed since we proposed it. Your consultation is below.")
        else:
            messages.success(request, "Thank you: your consultation is confirmed. We have sent you an e-mail with it.")
        return redirect("consultations:my-consultation", token=token)
    return render(request, "consultations/proposal.html", {"consultation": consultation, "token": token})


def _still_open(offer: WaitlistOffer, consultation: Consultation) -> bool:
    """Worth showing: not taken, still earlier than the patient's time, and nobody holds that time yet."""
    return (
        offer.taken_at is None
        and offer.entry.ended_at is None
        and consultation.is_changeable
        and timezone.now() < offer.start < consultation.start
        and not Consultation.objects.occupying()
        .filter(surgeon=consultation.surgeon_id)
        .overlapping(offer.start, offer.end)
        .exclude(pk=consultation.pk)
        .exists()
    )


@patient_link
@ratelimit.limit_anonymous_writes("patient-link")
@require_http_methods(["GET", "HEAD", "POST"])
def waitlist_offer(request: HttpRequest, token: str, consultation: Consultation, offer_id: str) -> HttpResponse:
    offer = (
        WaitlistOffer.objects.select_related("location", "entry")
        .filter(public_id=offer_id, entry__consultation=consultation)
        .first()
    )
    if offer is None:
        return link_invalid(request)
    context = {"consultation": consultation, "offer": offer, "token": token}
    # The page says from where to where and is itself the confirmation: only its button (`confirm`) moves.
    if request.method == "POST" and "confirm" in request.POST:
        try:
            services.take_waitlist_offer(offer=offer)
        except (SlotUnavailable, services.OfferNotAvailable):
            # Another patient was quicker, or this patient's own consultation changed meanwhile.
            return render(request, "consultations/waitlist_offer_gone.html", context, status=409)
        messages.success(request, "Done: your consultation has the earlier time. We have sent you an e-mail with it.")
        return redirect("consultations:my-consultation", token=token)
    if not _still_open(offer, consultation):
        return render(request, "consultations/waitlist_offer_gone.html", context, status=410)
    context["move"] = changes.describe_move(
        consultation, surgeon=consultation.surgeon, start=offer.start, location=offer.location
    )
    return render(request, "consultations/waitlist_offer.html", context)
