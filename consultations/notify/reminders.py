"""Reminders before a visit: 48 hours before a confirmed consultation, and 72 hours before one whose history is
not sent yet. Each goes once, however often or however concurrently the command runs."""

from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone

from consultations.models import Consultation, Intake, SentMessage
from consultations.notify.tasks import queue_message

REMINDER_BEFORE = timedelta(hours=48)
INTAKE_NUDGE_BEFORE = timedelta(hours=72)


def send_due_reminders(*, now: datetime | None = None) -> int:
    """Queue each reminder now due, and return how many.

    Deliberately not one transaction: each reminder is its own, so that the unique constraint on the message
    log lets exactly one of two runs at the same moment queue it, and the other passes over it."""
    now = now or timezone.now()

    def not_queued(kind: str) -> Exists:
        return ~Exists(
            SentMessage.objects.filter(consultation=OuterRef("pk"), kind=kind, regarding_start=OuterRef("start"))
        )

    upcoming = Consultation.objects.filter(start__gt=now).select_related("patient")
    due = [
        *(
            (consultation, SentMessage.Kind.REMINDER)
            for consultation in upcoming.filter(
                status=Consultation.Status.CONFIRMED, start__lte=now + REMINDER_BEFORE
            ).filter(not_queued(SentMessage.Kind.REMINDER))
        ),
        *(
            (consultation, SentMessage.Kind.INTAKE_NUDGE)
            for consultation in upcoming.filter(
                status__in=Consultation.CHANGEABLE, start__lte=now + INTAKE_NUDGE_BEFORE
            )
            .filter(Q(intake__isnull=True) | Q(intake__status=Intake.Status.IN_PROGRESS))
            .filter(not_queued(SentMessage.Kind.INTAKE_NUDGE))
        ),
    ]
    queued = 0
    for consultation, kind in due:
        try:
            with transaction.atomic():
                queue_message(consultation=consultation, kind=kind)
        except IntegrityError as error:
            if getattr(getattr(error.__cause__, "diag", None), "constraint_name", "") == "sent_message_reminder_once":
                continue  # another run queued it a moment ago
            raise
        queued += 1
    return queued
