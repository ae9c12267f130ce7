"""What we send patients and the front desk: e-mails with calendar files. No health details in subjects."""

from datetime import datetime

from django.conf import settings
from django.contrib.auth.models import User
from django.core import signing
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from icalendar import Calendar, Event, vCalAddress, vText

from clinic.models import Location
from clinic.roles import FRONT_DESK
from consultations.models import Consultation, InformationRequest, SentMessage, WaitlistOffer

LINK_SALT = "consultations.patient-link"


def patient_token(consultation: Consultation) -> str:
    """The signed part of the patient's link: it names the consultation and nothing else."""
    return signing.dumps(str(consultation.public_id), salt=LINK_SALT)


def public_id_from_token(token: str) -> str:
    """Raises signing.BadSignature for a tampered or made-up link."""
    return signing.loads(token, salt=LINK_SALT)


def absolute(path: str) -> str:
    return settings.SITE_URL.rstrip("/") + path


def patient_link(consultation: Consultation) -> str:
    return absolute(reverse("consultations:my-consultation", args=[patient_token(consultation)]))


def calendar_file(consultation: Consultation, *, cancelled: bool = False) -> bytes:
    """An iTIP request (or cancellation) that calendar apps update in place: same UID, rising SEQUENCE."""
    location = consultation.location
    zone = location.zone
    calendar = Calendar()
    calendar.add("prodid", "-//Spine consultations//EN")
    calendar.add("version", "2.0")
    calendar.add("method", "CANCEL" if cancelled else "REQUEST")
    event = Event()
    event.add("uid", f"{consultation.public_id}@{settings.CALENDAR_UID_DOMAIN}")
    event.add("sequence", consultation.sequence)
    event.add("dtstamp", timezone.now())
    event.add("dtstart", timezone.localtime(consultation.start, zone))
    event.add("dtend", timezone.localtime(consultation.end, zone))
    event.add("summary", f"Consultation with {consultation.surgeon.display_name}")
    event.add("location", vText(f"{location.name}, {location.address.replace(chr(10), ', ')}"))
    event.add("description", f"Reference {consultation.reference}. Manage it here: {patient_link(consultation)}")
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


def local_time(consultation: Consultation) -> str:
    start: datetime = consultation.local_start
    zone = consultation.location.timezone
    return f"{start:%A %B} {start.day}, {start:%Y} at {start:%-I:%M %p} {start.tzname()} ({zone})"


def _email(subject: str, template: str, to: list[str], context: dict) -> EmailMultiAlternatives:
    context = {"PRACTICE_NAME": settings.PRACTICE_NAME, **context}
    body = render_to_string(f"consultations/email/{template}.txt", context)
    return EmailMultiAlternatives(subject=subject, body=body, to=to)


def patient_email(consultation: Consultation, kind: str) -> EmailMultiAlternatives:
    """`kind` is request_received, rescheduled or cancelled."""
    subjects = {
        "request_received": "We received your consultation request",
        "rescheduled": "Your consultation has a new time",
        "cancelled": "Your consultation is cancelled",
    }
    context = {"consultation": consultation, "when": local_time(consultation), "link": patient_link(consultation)}
    message = _email(subjects[kind], f"patient_{kind}", [consultation.patient.email], context)
    cancelled = kind == "cancelled"
    message.attach(
        "cancel.ics" if cancelled else "consultation.ics",
        calendar_file(consultation, cancelled=cancelled),
        f"text/calendar; charset=utf-8; method={'CANCEL' if cancelled else 'REQUEST'}",
    )
    return message


def intake_receipt_email(consultation: Consultation) -> EmailMultiAlternatives:
    """The patient sent their history: a receipt that says so and nothing of what it holds."""
    context = {"consultation": consultation, "when": local_time(consultation), "link": patient_link(consultation)}
    return _email("We received your history", "patient_intake_received", [consultation.patient.email], context)


def desk_email(
    consultation: Consultation, *, changed: bool = False, intake_sent: bool = False
) -> EmailMultiAlternatives | None:
    """A new request, a patient's cancellation or move (`changed`), or a history sent (`intake_sent`), for the
    front desk."""
    recipients = list(
        User.objects.filter(groups__name=FRONT_DESK, is_active=True).exclude(email="").values_list("email", flat=True)
    )
    if not recipients:
        return None
    context = {
        "consultation": consultation,
        "when": local_time(consultation),
        "desk": absolute(reverse("consultations:desk-today")),
    }
    if intake_sent:
        return _email("A patient sent their history", "desk_intake_sent", recipients, context)
    if changed:
        return _email("A patient changed a consultation", "desk_changed", recipients, context)
    return _email("New consultation request", "desk_new_request", recipients, context)


def _local(start: datetime, location: Location) -> str:
    local = timezone.localtime(start, location.zone)
    return f"{local:%A %B} {local.day}, {local:%Y} at {local:%-I:%M %p} {local.tzname()} ({location.timezone})"


def proposal_link(consultation: Consultation) -> str:
    return absolute(reverse("consultations:proposal", args=[patient_token(consultation)]))


def offer_link(offer: WaitlistOffer) -> str:
    token = patient_token(offer.entry.consultation)
    return absolute(reverse("consultations:waitlist-offer", args=[token, offer.public_id]))


# The front desk's e-mails to patients: subject (never anything about health), and whether a calendar file
# goes with it that adds or updates the entry (REQUEST) or removes it (CANCEL).
DESK_EMAILS = {
    "confirmed": ("Your consultation is confirmed", "REQUEST"),
    "declined": ("About your consultation request", "CANCEL"),
    "proposed": ("We suggest another time for your consultation", "REQUEST"),
    "reminder": ("A reminder about your consultation", None),
    "intake_nudge": ("One thing to do before your consultation", None),
    "waitlist_offer": ("An earlier consultation time is free", None),
}


def email_for(sent: SentMessage) -> EmailMultiAlternatives:
    """The e-mail a `SentMessage` row of one of the kinds in DESK_EMAILS stands for."""
    consultation = sent.consultation
    subject, method = DESK_EMAILS[sent.kind]
    context = {
        "consultation": consultation,
        "when": local_time(consultation),
        "link": patient_link(consultation),
    }
    if sent.kind == "proposed":
        context["proposal_link"] = proposal_link(consultation)
    elif sent.kind == "intake_nudge":
        context["intake_link"] = absolute(reverse("consultations:intake", args=[patient_token(consultation)]))
    elif sent.kind == "waitlist_offer":
        context |= {"offer_when": _local(sent.offer.start, sent.offer.location), "offer": sent.offer}
        context["offer_link"] = offer_link(sent.offer)
    message = _email(subject, f"patient_{sent.kind}", [consultation.patient.email], context)
    if method is not None:
        cancelled = method == "CANCEL"
        message.attach(
            "cancel.ics" if cancelled else "consultation.ics",
            calendar_file(consultation, cancelled=cancelled),
            f"text/calendar; charset=utf-8; method={method}",
        )
    return message


def question_link(question: InformationRequest) -> str:
    token = patient_token(question.intake.consultation)
    return absolute(reverse("consultations:patient-question", args=[token, question.public_id]))


def information_request_email(question: InformationRequest) -> EmailMultiAlternatives:
    """The surgeon asked the patient to add to their history. The e-mail says there is a question and links to
    it; the question itself may hold health details, so it stays behind the link."""
    consultation = question.intake.consultation
    context = {"consultation": consultation, "when": local_time(consultation), "link": question_link(question)}
    return _email(
        "A question about your consultation", "patient_information_request", [consultation.patient.email], context
    )
