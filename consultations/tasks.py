"""Background work. Every e-mail goes through a task, so a slow or broken mail server never slows a page
and never loses a message: a failed send is tried again later."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.core.mail import EmailMultiAlternatives
from django.utils import timezone
from django_tasks import task

from consultations import messages
from consultations.models import Consultation, InformationRequest, Intake, SentMessage

logger = logging.getLogger(__name__)

RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
]


def _deliver(sent: SentMessage, message: EmailMultiAlternatives, *, attempt: int) -> bool:
    """Send and record how it went in the messages panel; False when it should be tried again later."""
    sent.attempts = attempt + 1
    try:
        message.send()
    except (SMTPException, OSError) as error:
        sent.last_error = f"{type(error).__name__}: {error}"[:300]
        given_up = attempt >= len(RETRY_DELAYS)
        sent.state = SentMessage.State.FAILED if given_up else SentMessage.State.QUEUED
        sent.save(update_fields=["attempts", "last_error", "state"])
        if given_up:
            logger.error(
                "Giving up on an e-mail for consultation %s after %s attempts", sent.consultation_id, attempt + 1
            )
            raise
        logger.warning("Mail server unavailable; e-mail for consultation %s will be retried", sent.consultation_id)
        return False
    sent.state, sent.sent_at = SentMessage.State.SENT, timezone.now()
    sent.save(update_fields=["attempts", "state", "sent_at"])
    return True


def _send(message, *, task_to_retry, consultation_id: int, attempt: int) -> None:
    if message is None:
        return
    # The panel's kind is the task's name without "send_"; a retry finds the row its first attempt wrote.
    kind = task_to_retry.name.removeprefix("send_")
    sent = None
    if attempt:
        sent = (
            SentMessage.objects.filter(consultation_id=consultation_id, kind=kind, attempts=attempt)
            .exclude(state=SentMessage.State.SENT)
            .order_by("created_at", "pk")
            .first()
        )
    if sent is None:
        consultation = Consultation.objects.only("start").get(pk=consultation_id)
        sent = SentMessage.objects.create(
            consultation_id=consultation_id, kind=kind, to=", ".join(message.to), regarding_start=consultation.start
        )
    if not _deliver(sent, message, attempt=attempt):
        task_to_retry.using(run_after=timezone.now() + RETRY_DELAYS[attempt]).enqueue(consultation_id, attempt + 1)


def _consultation(consultation_id: int) -> Consultation:
    return Consultation.objects.select_related("surgeon", "location", "patient").get(pk=consultation_id)


@task()
def send_request_received(consultation_id: int, attempt: int = 0) -> None:
    message = messages.patient_email(_consultation(consultation_id), "request_received")
    _send(message, task_to_retry=send_request_received, consultation_id=consultation_id, attempt=attempt)


@task()
def send_rescheduled(consultation_id: int, attempt: int = 0) -> None:
    message = messages.patient_email(_consultation(consultation_id), "rescheduled")
    _send(message, task_to_retry=send_rescheduled, consultation_id=consultation_id, attempt=attempt)


@task()
def send_cancelled(consultation_id: int, attempt: int = 0) -> None:
    message = messages.patient_email(_consultation(consultation_id), "cancelled")
    _send(message, task_to_retry=send_cancelled, consultation_id=consultation_id, attempt=attempt)


@task()
def send_new_request_to_desk(consultation_id: int, attempt: int = 0) -> None:
    message = messages.desk_email(_consultation(consultation_id))
    _send(message, task_to_retry=send_new_request_to_desk, consultation_id=consultation_id, attempt=attempt)


@task()
def send_change_to_desk(consultation_id: int, attempt: int = 0) -> None:
    message = messages.desk_email(_consultation(consultation_id), changed=True)
    _send(message, task_to_retry=send_change_to_desk, consultation_id=consultation_id, attempt=attempt)


@task()
def send_intake_received(consultation_id: int, attempt: int = 0) -> None:
    message = messages.intake_receipt_email(_consultation(consultation_id))
    _send(message, task_to_retry=send_intake_received, consultation_id=consultation_id, attempt=attempt)


@task()
def send_intake_to_desk(consultation_id: int, attempt: int = 0) -> None:
    message = messages.desk_email(_consultation(consultation_id), intake_sent=True)
    _send(message, task_to_retry=send_intake_to_desk, consultation_id=consultation_id, attempt=attempt)


def _history_sent(consultation: Consultation) -> bool:
    return Intake.objects.filter(consultation=consultation).exclude(status=Intake.Status.IN_PROGRESS).exists()


@task()
def send_message(message_id: int, attempt: int = 0) -> None:
    """Send one of the front desk's e-mails, queued as a `SentMessage` row by the service that decided it."""
    sent = SentMessage.objects.select_related(
        "consultation__surgeon", "consultation__location", "consultation__patient", "offer__location"
    ).get(pk=message_id)
    if sent.state in (SentMessage.State.SENT, SentMessage.State.SKIPPED):
        return  # a task run twice never sends twice
    consultation = sent.consultation
    if sent.kind in SentMessage.REMINDERS and (
        consultation.start != sent.regarding_start
        or consultation.status not in Consultation.CHANGEABLE
        or (sent.kind == SentMessage.Kind.INTAKE_NUDGE and _history_sent(consultation))
    ):
        # Moved or cancelled, or the history sent, since it was queued (a retry can come hours later): the
        # reminder would mislead.
        sent.state = SentMessage.State.SKIPPED
        sent.save(update_fields=["state"])
        return
    if not _deliver(sent, messages.email_for(sent), attempt=attempt):
        send_message.using(run_after=timezone.now() + RETRY_DELAYS[attempt]).enqueue(message_id, attempt + 1)


@task()
def send_information_request(question_id: int, attempt: int = 0, message_id: int | None = None) -> None:
    """E-mail the patient that their surgeon has a question: recorded in the messages panel, retried like the
    others, sent at most once, and not at all once the consultation is cancelled or over."""
    question = InformationRequest.objects.select_related(
        "intake__consultation__surgeon", "intake__consultation__location", "intake__consultation__patient"
    ).get(pk=question_id)
    if question.emailed_at is not None:
        return
    consultation = question.intake.consultation
    message = messages.information_request_email(question)
    sent = (
        SentMessage.objects.get(pk=message_id)
        if message_id
        else SentMessage.objects.create(
            consultation=consultation,
            kind=SentMessage.Kind.INFORMATION_REQUEST,
            to=", ".join(message.to),
            regarding_start=consultation.start,
        )
    )
    if consultation.status not in Consultation.OCCUPYING:
        sent.state = SentMessage.State.SKIPPED
        sent.save(update_fields=["state"])
        return
    if _deliver(sent, message, attempt=attempt):
        InformationRequest.objects.filter(pk=question_id).update(emailed_at=timezone.now())
    else:
        send_information_request.using(run_after=timezone.now() + RETRY_DELAYS[attempt]).enqueue(
            question_id, attempt + 1, sent.pk
        )
