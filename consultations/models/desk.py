"""The front desk's records: each status change and who made it, every e-mail sent, and the waitlist."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from clinic.models import Location
from consultations import lifecycle
from consultations.models.scheduling import Consultation


class ConsultationEvent(models.Model):
    """One change to a consultation: what was done, by whom (empty: the patient, through their link), and when."""

    Action = models.TextChoices("Action", lifecycle.choices(lifecycle.Action, lifecycle.ACTION_LABELS))

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="events")
    at = models.DateTimeField(default=timezone.now)
    by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    action = models.CharField(max_length=12, choices=Action)
    from_status = models.CharField(max_length=12, choices=Consultation.Status)
    to_status = models.CharField(max_length=12, choices=Consultation.Status)
    # What the desk or the patient needs to know later: a reason, or where a consultation moved from and to.
    note = models.CharField(max_length=400, blank=True)

    class Meta:
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["consultation", "at"], name="consultation_event_at")]

    def __str__(self) -> str:
        return f"{self.consultation.reference} {self.get_action_display()} at {self.at:%Y-%m-%d %H:%M}"


class WaitlistEntry(models.Model):
    """The patient asked to hear of an earlier time with the same surgeon. Ends when they take one."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="waitlist_entry")
    created_at = models.DateTimeField(default=timezone.now)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        verbose_name_plural = "waitlist entries"

    def __str__(self) -> str:
        return f"Waitlist for {self.consultation.reference}"

    @property
    def is_active(self) -> bool:
        return self.ended_at is None


class WaitlistOffer(models.Model):
    """A freed time offered to one waitlisted patient. Several patients may hold offers for the same time:
    the first to take it gets it, and the database's exclusion constraint settles a tie."""

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(WaitlistEntry, on_delete=models.CASCADE, related_name="offers")
    location = models.ForeignKey(Location, on_delete=models.PROTECT, related_name="+")
    start = models.DateTimeField()
    end = models.DateTimeField()
    created_at = models.DateTimeField(default=timezone.now)
    taken_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["entry", "start"], name="waitlist_offer_once_per_time"),
        ]

    def __str__(self) -> str:
        return f"Offer of {self.start:%Y-%m-%d %H:%M} UTC to {self.entry.consultation.reference}"


class SentMessage(models.Model):
    """Every e-mail about a consultation and how its sending went, for the desk's messages panel.

    A reminder is one row per consultation, kind and start time, so it goes once however often or however
    concurrently the reminder command runs; a moved consultation gets a reminder for its new time."""

    class Kind(models.TextChoices):
        REQUEST_RECEIVED = "request_received", "Request received"
        RESCHEDULED = "rescheduled", "New time chosen by the patient"
        CANCELLED = "cancelled", "Cancellation"
        CONFIRMED = "confirmed", "Confirmation"
        BOOKED = "booked", "Booked by the desk"
        DECLINED = "declined", "Request declined"
        PROPOSED = "proposed", "Another time proposed"
        REMINDER = "reminder", "Reminder two days before"
        INTAKE_NUDGE = "intake_nudge", "History form reminder three days before"
        WAITLIST_OFFER = "waitlist_offer", "Earlier time offered"
        INTAKE_RECEIVED = "intake_received", "History received"
        INFORMATION_REQUEST = "information_request", "The surgeon's question"
        LINKS_RESENT = "links_resent", "Links sent again at the patient's asking"
        # To the front desk
        NEW_REQUEST_TO_DESK = "new_request_to_desk", "To the desk: new request"
        CHANGE_TO_DESK = "change_to_desk", "To the desk: the patient changed it"
        INTAKE_TO_DESK = "intake_to_desk", "To the desk: history sent"

    class State(models.TextChoices):
        QUEUED = "queued", "Queued"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed"
        SKIPPED = "skipped", "Not sent: no longer needed"

    REMINDERS = (Kind.REMINDER, Kind.INTAKE_NUDGE)

    consultation = models.ForeignKey(Consultation, on_delete=models.CASCADE, related_name="sent_messages")
    offer = models.ForeignKey(
        WaitlistOffer, on_delete=models.CASCADE, null=True, blank=True, related_name="sent_messages"
    )
    # The surgeon's question an information request e-mail links to.
    question = models.ForeignKey(
        "consultations.InformationRequest",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="sent_messages",
    )
    kind = models.CharField(max_length=20, choices=Kind)
    to = models.TextField(help_text="The addresses, comma-separated.")
    # The consultation's start when the message was queued: what a reminder was about.
    regarding_start = models.DateTimeField()
    state = models.CharField(max_length=8, choices=State, default=State.QUEUED)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["consultation", "-created_at"], name="sent_message_consultation")]
        constraints = [
            models.UniqueConstraint(
                fields=["consultation", "kind", "regarding_start"],
                condition=Q(kind__in=["reminder", "intake_nudge"]),
                name="sent_message_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.consultation.reference}: {self.get_state_display()}"
