"""What each e-mail says: one table of kinds (subject, template, calendar file), the links they carry and the
calendar file. No health details in a subject, ever (DOMAIN.md §7)."""

from django.conf import settings
from django.contrib.auth.models import User
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from clinic.roles import FRONT_DESK
from consultations import when
from consultations.links import patient_token
from consultations.models import Consultation, InformationRequest, SentMessage, WaitlistOffer

Kind = SentMessage.Kind
REQUEST, CANCEL = "REQUEST", "CANCEL"

# kind: (subject, template under consultations/email/, and whether a calendar file goes with it that adds or
# updates the entry (REQUEST) or removes it (CANCEL)).
EMAILS = {
    Kind.REQUEST_RECEIVED: ("We received your consultation request", "patient_request_received", REQUEST),
    Kind.RESCHEDULED: ("Your consultation has a new time", "patient_rescheduled", REQUEST),
    Kind.CANCELLED: ("Your consultation is cancelled", "patient_cancelled", CANCEL),
    Kind.CONFIRMED: ("Your consultation is confirmed", "patient_confirmed", REQUEST),
    Kind.BOOKED: ("Your consultation is booked", "patient_booked", REQUEST),
    Kind.DECLINED: ("About your consultation request", "patient_declined", CANCEL),
    Kind.PROPOSED: ("We suggest another time for your consultation", "patient_proposed", REQUEST),
    Kind.REMINDER: ("A reminder about your consultation", "patient_reminder", None),
    Kind.INTAKE_NUDGE: ("One thing to do before your consultation", "patient_intake_nudge", None),
    Kind.WAITLIST_OFFER: ("An earlier consultation time is free", "patient_waitlist_offer", None),
    Kind.INTAKE_RECEIVED: ("We received your history", "patient_intake_received", None),
    # The question itself may hold health details, so it stays behind the link.
    Kind.INFORMATION_REQUEST: ("A question about your consultation", "patient_information_request", None),
    # Sent at the asking of whoever typed the patient's e-mail and birth date: it says no more than the others.
    Kind.LINKS_RESENT: ("Your consultation links", "patient_links_resent", None),
    Kind.NEW_REQUEST_TO_DESK: ("New consultation request", "desk_new_request", None),
    Kind.CHANGE_TO_DESK: ("A patient changed a consultation", "desk_changed", None),
    Kind.INTAKE_TO_DESK: ("A patient sent their history", "desk_intake_sent", None),
}
TO_DESK = (Kind.NEW_REQUEST_TO_DESK, Kind.CHANGE_TO_DESK, Kind.INTAKE_TO_DESK)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def patient_url(consultation: Consultation) -> str:
    return absolute(reverse("consultations:my-consultation", args=[patient_token(consultation)]))


def proposal_url(consultation: Consultation) -> str:
    return absolute(reverse("consultations:proposal", args=[patient_token(consultation)]))


def intake_url(consultation: Consultation) -> str:
    return absolute(reverse("consultations:intake", args=[patient_token(consultation)]))


def offer_url(offer: WaitlistOffer) -> str:
    token = patient_token(offer.entry.consultation)
    return absolute(reverse("consultations:waitlist-offer", args=[token, offer.public_id]))


def question_url(question: InformationRequest) -> str:
    token = patient_token(question.intake.consultation)
    return absolute(reverse("consultations:patient-question", args=[token, question.public_id]))


def recipients(consultation: Consultation, kind: str) -> list[str]:
    """Who an e-mail of `kind` goes to: the patient, or every active front-desk user with an address."""
    if kind not in TO_DESK:
        return [consultation.patient.email]
    return list(
        User.objects.filter(groups__name=FRONT_DESK, is_active=True).exclude(email="").values_list("email", flat=True)
    )


def calendar_file(consultation: Consultation, *, cancelled: bool = False) -> bytes:
    """An iTIP request (or cancellation) that calendar apps update in place: same UID, rising SEQUENCE."""
    location = consultation.location
    zone = location.zone
    calendar = Calendar()
    calendar.add("prodid", "-//Spine consultations//EN")
    calendar.add("version", "2.0")
    calendar.add("method", CANCEL if cancelled else REQUEST)
    event = Event()
    event.add("uid", f"{consultation.public_id}@{settings.CALENDAR_UID_DOMAIN}")
    event.add("sequence", consultation.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(consultation.start, zone))
    event.add("dtend", timezone.localtime(consultation.end, zone))
    event.add("summary", f"Consultation with {consultation.surgeon.display_name}")
    event.add("location", vText(f"{location.name}, {location.one_line_address}"))
    event.add("description", f"Reference {consultation.reference}. Manage it here: {patient_url(consultation)}")
    event.add(
        "status", "CANCELLED" if cancelled else "TENTATIVE" if consultation.status == "requested" else "CONFIRMED"
    )
    organizer = vCalAddress(f"mailto:{settings.DEFAULT_FROM_EMAIL}")
    organizer.params["cn"] = vText(settings.PRACTICE_NAME)
    event.add("organizer", organizer)
    attendee = vCalAddress(f"mailto:{consultation.patient.email}")
    attendee.params["cn"] = vText(str(consultation.patient))
    attendee.params["role"] = vText("REQ-PARTICIPANT")
    event.add("attendee", attendee)
    calendar.add_component(event)
    calendar.add_missing_timezones()
    return calendar.to_ical()


def _context(sent: SentMessage) -> dict:
    consultation = sent.consultation
    context = {
        "PRACTICE_NAME": settings.PRACTICE_NAME,
        "consultation": consultation,
        "when": when.full(consultation.local_start),
    }
    if sent.kind in TO_DESK:
        return context | {"desk": absolute(reverse("consultations:desk-today"))}
    context["link"] = patient_url(consultation)
    if sent.kind == Kind.PROPOSED:
        context["proposal_link"] = proposal_url(consultation)
    elif sent.kind == Kind.INTAKE_NUDGE:
        context["intake_link"] = intake_url(consultation)
    elif sent.kind == Kind.WAITLIST_OFFER:
        offer = sent.offer
        context |= {
            "offer": offer,
            "offer_when": when.full(timezone.localtime(offer.start, offer.location.zone)),
            "offer_link": offer_url(offer),
        }
    elif sent.kind == Kind.INFORMATION_REQUEST:
        context["link"] = question_url(sent.question)
    elif sent.kind == Kind.LINKS_RESENT:
        context |= {"links": _open_links(consultation.patient_id), "days_after": settings.PATIENT_LINK_DAYS_AFTER}
    return context


def _open_links(patient_id: int) -> list[dict]:
    """Each of the patient's consultations whose link still works, as it is now, with a fresh link."""
    rows = (
        Consultation.objects.with_open_links()
        .filter(patient=patient_id)
        .select_related("surgeon", "location")
        .order_by("start")
    )
    return [{"consultation": row, "when": when.full(row.local_start), "link": patient_url(row)} for row in rows]


def email_for(sent: SentMessage) -> EmailMultiAlternatives:
    """The e-mail a `SentMessage` row stands for, as the consultation is now."""
    subject, template, method = EMAILS[sent.kind]
    body = render_to_string(f"consultations/email/{template}.txt", _context(sent))
    message = EmailMultiAlternatives(subject=subject, body=body, to=sent.to.split(", "))
    if method is not None:
        cancelled = method == CANCEL
        message.attach(
            "cancel.ics" if cancelled else "consultation.ics",
            calendar_file(sent.consultation, cancelled=cancelled),
            f"text/calendar; charset=utf-8; method={method}",
        )
    return message
