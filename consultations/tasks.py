"""Background work. Every e-mail goes through a task, so a slow or broken mail server never slows a page
and never loses a message: a failed send is tried again later."""

import logging
from datetime import timedelta
from smtplib import SMTPException

from django.utils import timezone
from django_tasks import task

from consultations import messages
from consultations.models import Consultation

logger = logging.getLogger(__name__)

RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
]


def _send(message, *, task_to_retry, consultation_id: int, attempt: int) -> None:
    if message is None:
        return
    try:
        message.send()
    except (SMTPException, OSError):
        if attempt >= len(RETRY_DELAYS):
            logger.error("Giving up on an e-mail for consultation %s after %s attempts", consultation_id, attempt + 1)
            raise
        logger.warning("Mail server unavailable; e-mail for consultation %s will be retried", consultation_id)
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
