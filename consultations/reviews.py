"""Write workflows of the surgeon's review: mark an intake reviewed with notes and a priority, ask the patient
for more, take the patient's reply, and log an export of a patient's access log."""

from functools import partial

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone

from consultations import tasks
from consultations.intake import access_entry
from consultations.models import AccessLog, Consultation, InformationRequest, Intake, IntakeReview, Patient


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
    if consultation.is_over or consultation.status not in Consultation.OCCUPYING:
        raise CannotAsk
    question = InformationRequest.objects.create(
        intake=intake, section=section, message=message, asked_by=asked_by, asked_at=timezone.now()
    )
    transaction.on_commit(partial(tasks.send_information_request.enqueue, question.pk))
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


def record_export(*, request: HttpRequest, patient: Patient, what: str) -> AccessLog:
    """Log an export of a patient's data that belongs to no one consultation (their access log)."""
    entry = access_entry(
        request=request, patient_id=patient.pk, consultation=None, action=AccessLog.Action.EXPORT, what=what
    )
    entry.save()
    return entry
