"""The one way an e-mail leaves: a service records it as a queued `SentMessage` row inside its own transaction
(`queue_message`), and the `send_message` task sends it once that is committed. A slow or broken mail server never
slows a page and never loses a message: a failed send is tried again later, and a row already sent is never sent
again."""

import logging
from datetime import timedelta
from functools import partial
from smtplib import SMTPException

from django.db import transaction
from django.utils import timezone
from django_tasks import task

from consultations.models import Consultation, InformationRequest, Intake, SentMessage, WaitlistOffer
from consultations.notify import emails

logger = logging.getLogger(__name__)

RETRY_DELAYS = [
    timedelta(minutes=1),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=6),
]


def queue_message(
    *,
    consultation: Consultation,
    kind: str,
    offer: WaitlistOffer | None = None,
    question: InformationRequest | None = None,
) -> SentMessage | None:
    """Record the e-mail in the messages panel as queued, and send it once the transaction is committed. None
    when it has nobody to go to (a message for the desk while no desk user has an address)."""
    to = emails.recipients(consultation, kind)
    if not to:
        return None
    sent = SentMessage.objects.create(
        consultation=consultation,
        offer=offer,
        question=question,
        kind=kind,
        to=", ".join(to),
        regarding_start=consultation.start,
    )
    transaction.on_commit(partial(send_message.enqueue, sent.pk))
    return sent


def _no_longer_needed(sent: SentMessage) -> bool:
    """Moved or cancelled, or the history sent, since it was queued (a retry can come hours later): a reminder
    would mislead, and a question is not asked of a consultation that is over."""
    consultation = sent.consultation
    if sent.kind == SentMessage.Kind.INFORMATION_REQUEST:
        return consultation.status not in Consultation.OCCUPYING
    if sent.kind not in SentMessage.REMINDERS:
        return False
    return (
        consultation.start != sent.regarding_start
        or consultation.status not in Consultation.CHANGEABLE
        or (sent.kind == SentMessage.Kind.INTAKE_NUDGE and _history_sent(consultation))
    )


def _history_sent(consultation: Consultation) -> bool:
    return Intake.objects.filter(consultation=consultation).exclude(status=Intake.Status.IN_PROGRESS).exists()


def _deliver(sent: SentMessage, *, attempt: int) -> Exception | None:
    """Send and record how it went in the messages panel; the error when the mail server refused it."""
    sent.attempts += 1
    try:
        emails.email_for(sent).send()
    except (SMTPException, OSError) as error:
        sent.last_error = f"{type(error).__name__}: {error}"[:300]
        sent.state = SentMessage.State.FAILED if attempt >= len(RETRY_DELAYS) else SentMessage.State.QUEUED
        sent.save(update_fields=["attempts", "last_error", "state"])
        return error
    sent.state, sent.sent_at = SentMessage.State.SENT, timezone.now()
    sent.save(update_fields=["attempts", "state", "sent_at"])
    if sent.question_id is not None:
        InformationRequest.objects.filter(pk=sent.question_id).update(emailed_at=sent.sent_at)
    return None


@task()
def send_message(message_id: int, attempt: int = 0) -> None:
    """Send the e-mail a queued `SentMessage` row stands for, as the consultation is now.

    Idempotent: the row is locked while it is checked, sent and marked, so a task run twice (a retry, a copy queued
    by "send again", a task taken back from a worker past its lease) sends once; the second finds it sent. The one
    gap is a worker killed after the mail server accepted the message and before the row is committed as sent:
    the row is still queued, so the task runs again and the patient may get the e-mail twice. We chose that
    (at least once) over the reverse (at most once, where such a crash would lose the e-mail without a trace)."""
    with transaction.atomic():
        sent = (
            SentMessage.objects.select_for_update(of=("self",))
            .select_related(
                "consultation__surgeon",
                "consultation__location",
                "consultation__patient",
                "offer__location",
                "question",
            )
            .get(pk=message_id)
        )
        if sent.state != SentMessage.State.QUEUED:
            return  # sent, skipped, or given up (the desk's "send again" queues it anew)
        if _no_longer_needed(sent):
            sent.state = SentMessage.State.SKIPPED
            sent.save(update_fields=["state"])
            return
        error = _deliver(sent, attempt=attempt)
        if error is not None and sent.state == SentMessage.State.QUEUED:
            # In the same transaction as the row's state, so the retry cannot be lost between the two.
            send_message.using(run_after=timezone.now() + RETRY_DELAYS[attempt]).enqueue(message_id, attempt + 1)
            logger.warning("Mail server unavailable; e-mail for consultation %s will be retried", sent.consultation_id)
    if error is not None and sent.state == SentMessage.State.FAILED:
        logger.error("Giving up on an e-mail for consultation %s after %s attempts", sent.consultation_id, attempt + 1)
        raise error
