"""The waitlist: patients who asked to hear of an earlier time with the same surgeon, and the offers of a freed
time made to them. Taking an offer is `booking.services.take_waitlist_offer`."""

from django.db import transaction

from consultations.booking.availability import SlotUnavailable, offered_slot
from consultations.models import Consultation, SentMessage, WaitlistEntry, WaitlistOffer
from consultations.notify.tasks import queue_message


@transaction.atomic
def join_waitlist(*, consultation: Consultation) -> WaitlistEntry:
    """The patient wants to hear of an earlier time with the same surgeon. Asking twice changes nothing."""
    entry, created = WaitlistEntry.objects.get_or_create(consultation=consultation)
    if not created and entry.ended_at is not None:
        entry.ended_at = None
        entry.save(update_fields=["ended_at"])
    return entry


def offer_freed_time(freed: Consultation) -> list[WaitlistOffer]:
    """Offer the time `freed` gave up to everyone waiting for an earlier one with the same surgeon, by e-mail;
    the first to take it gets it. Nothing is offered for a time no longer bookable (past, too soon, time off)."""
    try:
        slot = offered_slot(freed.surgeon, freed.start, freed.location)
    except SlotUnavailable:
        return []
    entries = (
        WaitlistEntry.objects.filter(
            ended_at__isnull=True,
            consultation__surgeon=freed.surgeon_id,
            consultation__status__in=Consultation.CHANGEABLE,
            consultation__start__gt=slot.start,
        )
        .exclude(consultation=freed)
        .select_related("consultation__patient")
    )
    offers = []
    for entry in entries:
        offer, created = WaitlistOffer.objects.get_or_create(
            entry=entry, start=slot.start, defaults={"end": slot.end, "location": freed.location}
        )
        if created:
            queue_message(consultation=entry.consultation, kind=SentMessage.Kind.WAITLIST_OFFER, offer=offer)
            offers.append(offer)
    return offers
