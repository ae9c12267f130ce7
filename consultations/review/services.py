"""Write workflows of the surgeon's review: mark an intake reviewed with notes and a priority, ask the patient
for more (the e-mail only links to the question), and take the patient's reply."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from consultations.models import InformationRequest, Intake, IntakeReview, SentMessage
from consultations.notify.tasks import queue_message


class NotSubmitted(Exception):
    """The patient has not sent the history yet; reviewing it would lock them out of finishing it."""


class CannotAsk(Exception):
    """The consultation is over or no longer going ahead, so the patient's link no longer works."""


class AlreadyAnswered(Exception):
    """The patient already answered this question; the answer given is kept as it is."""


@transaction.atomic
def review_intake(*, intake: Intake, reviewer: AbstractBaseUser, priority: str, notes: str) -> IntakeReview:
    """Mark the intake reviewed (from now on the patient can no longer amend it), or update the notes and
    priority of the review. The first reviewer and time are kept."""
    # The patient's save_step locks the same row, so an amendment cannot slip in under the review.
    locked = Intake.objects.select_for_update().get(pk=intake.pk)
    if not locked.is_submitted:
        raise NotSubmitted
    review, created = IntakeReview.objects.get_or_create(
        intake=locked,
        defaults={"reviewed_by": reviewer, "reviewed_at": timezone.now(), "priority": priority, "notes": notes},
    )
    if not created:
        review.priority, review.notes = priority, notes
        review.save(update_fields=["priority", "notes"])
    return review


@transaction.atomic
def ask_patient(*, intake: Intake, asked_by: AbstractBaseUser, section: str, message: str) -> InformationRequest:
    """Keep the question and e-mail the patient a link to it (the e-mail does not contain the question)."""
    consultation = intake.consultation
    if not consultation.is_going_ahead:
        raise CannotAsk
    question = InformationRequest.objects.create(
        intake=intake, section=section, message=message, asked_by=asked_by, asked_at=timezone.now()
    )
    queue_message(consultation=consultation, kind=SentMessage.Kind.INFORMATION_REQUEST, question=question)
    return question


@transaction.atomic
def answer_question(*, question: InformationRequest, reply: str) -> InformationRequest:
    """Keep the patient's reply. One reply per question: a second is refused rather than overwriting the first."""
    locked = InformationRequest.objects.select_for_update().get(pk=question.pk)
    if locked.is_answered:
        raise AlreadyAnswered
    locked.reply, locked.replied_at = reply, timezone.now()
    locked.save(update_fields=["reply", "replied_at"])
    return locked
