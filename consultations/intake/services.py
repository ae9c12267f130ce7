"""Write workflows for the intake history: open it, save a step, submit it, amend it, add and remove reports.

Each step is saved in its own transaction, so nothing typed before "Next" is lost. After submission the patient
may still change answers until the surgeon has reviewed them; every such change first keeps the intake as it
stood in an `IntakeVersion`.
"""

import json
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.utils import timezone

from consultations import uploads
from consultations.models import Consultation, Intake, IntakeVersion, SentMessage, Upload
from consultations.notify.tasks import queue_message

# Steps a submission needs; the others may be left for the surgeon to ask about.
REQUIRED_TO_SUBMIT = ("consent",)


class IntakeLocked(Exception):
    """The surgeon has reviewed the intake, or the consultation is over or cancelled: it can no longer change."""


class NotReadyToSubmit(Exception):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


def open_intake(*, consultation: Consultation) -> Intake:
    """The consultation's intake, created empty the first time the patient opens it."""
    intake, _ = Intake.objects.select_related("consultation__location", "patient", "review").get_or_create(
        consultation=consultation, defaults={"patient_id": consultation.patient_id}
    )
    intake.consultation = consultation
    return intake


def snapshot(intake: Intake) -> dict:
    """Everything the patient has entered, as plain JSON: the record kept before an amendment."""
    children = {
        "operations": intake.operations.all(),
        "treatments": intake.treatments.all(),
        "medications": intake.medications.all(),
        "imaging": intake.imaging.all(),
    }
    data = {
        "intake": model_to_dict(intake, exclude=["id", "consultation", "patient"]),
        **{name: [model_to_dict(row, exclude=["id", "intake"]) for row in rows] for name, rows in children.items()},
        # The stored file's name too: a report removed after submission keeps its file for this version.
        "uploads": [
            {
                "token": str(upload.token),
                "kind": upload.kind,
                "file": upload.file.name,
                "content_type": upload.content_type,
                "size": upload.size,
                "original_name": upload.original_name,
                "sha256": upload.sha256,
            }
            for upload in intake.uploads.all()
        ],
        "responses": [
            {
                "instrument": response.instrument.code,
                "version": response.instrument.version,
                "answers": response.answers,
                "score": response.score,
                "band": response.band,
            }
            for response in intake.responses.select_related("instrument")
        ],
    }
    return json.loads(json.dumps(data, cls=DjangoJSONEncoder))


@transaction.atomic
def save_step(*, intake: Intake, step: str, apply: Callable[[Intake], list[str] | None]) -> Intake:
    """Save one step: `apply` writes the step's validated forms and returns the intake's columns it set; only
    those are saved, so a step never overwrites another's answers saved meanwhile (another tab, another
    device). When that changes a submitted intake, the intake as it stood is kept as a version and the intake
    is marked amended; saving the same answers again changes nothing."""
    locked = Intake.objects.select_for_update().select_related("consultation").get(pk=intake.pk)
    if locked.is_locked:
        raise IntakeLocked
    before = snapshot(locked) if locked.is_submitted else None
    # The forms were bound to the caller's instance; bring it up to date with the row just locked.
    changed = apply(intake) or []
    intake.steps_saved = locked.steps_saved if step in locked.steps_saved else [*locked.steps_saved, step]
    intake.save(update_fields=[*changed, "steps_saved", "updated_at"])
    intake.refresh_from_db()
    if before is not None and snapshot(intake) != before:
        IntakeVersion.objects.create(intake=intake, number=intake.versions.count() + 1, snapshot=before)
        intake.status = Intake.Status.AMENDED
        intake.amended_at = timezone.now()
        intake.save(update_fields=["status", "amended_at", "updated_at"])
    return intake


@transaction.atomic
def submit_intake(*, intake: Intake) -> Intake:
    """Mark the intake complete, send the patient a receipt and tell the front desk. Submitting twice is harmless."""
    intake = Intake.objects.select_for_update().select_related("consultation").get(pk=intake.pk)
    if intake.is_locked:
        raise IntakeLocked
    if intake.is_submitted:
        return intake
    missing = [step for step in REQUIRED_TO_SUBMIT if step not in intake.steps_saved]
    if missing:
        raise NotReadyToSubmit(missing)
    intake.status = Intake.Status.COMPLETED
    intake.submitted_at = timezone.now()
    intake.save(update_fields=["status", "submitted_at", "updated_at"])
    queue_message(consultation=intake.consultation, kind=SentMessage.Kind.INTAKE_RECEIVED)
    queue_message(consultation=intake.consultation, kind=SentMessage.Kind.INTAKE_TO_DESK)
    return intake


class TooManyUploads(Exception):
    """The intake already holds as many uploads as INTAKE_UPLOADS_PER_INTAKE allows."""


def add_upload(*, intake: Intake, file: UploadedFile, kind: str, answering: bool = False) -> Upload:
    """Check `file` by its content (a ValidationError saying why if refused) and store it with the intake, in a
    durable transaction of its own (see `consultations.uploads.store_upload`).
    `answering`: sent with the answer to the surgeon's question, which the surgeon may ask after the review, so
    only a consultation that is over or no longer going ahead refuses it."""

    def attach(upload: Upload) -> None:
        locked = Intake.objects.select_for_update().select_related("consultation").get(pk=intake.pk)
        if locked.is_locked and not (answering and locked.consultation.is_going_ahead):
            # Reviewed (or the visit is over) since the page was shown.
            raise IntakeLocked
        if locked.uploads.count() >= settings.INTAKE_UPLOADS_PER_INTAKE:
            raise TooManyUploads
        upload.intake = locked

    # Decoding and re-encoding an image takes a while: done before the intake is locked.
    return uploads.store_upload(prepared=uploads.prepare_upload(file), kind=kind, attach=attach)


@transaction.atomic
def remove_upload(*, upload: Upload, keep_file: bool = False) -> None:
    """Delete the upload's row now and its file once that is committed, so a rollback keeps both.

    `keep_file` leaves the file in place for an earlier version of the intake that still lists it (a report
    removed after submission: see `snapshot`)."""
    name = upload.file.name
    upload.delete()
    if not keep_file:
        transaction.on_commit(partial(uploads.delete_stored_file, name))
