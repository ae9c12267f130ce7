"""Write workflows for the intake history: open it, save a step, submit it, amend it, and log who looked.

Each step is saved in its own transaction, so nothing typed before "Next" is lost. After submission the patient
may still change answers until the surgeon has reviewed them; every such change first keeps the intake as it
stood in an `IntakeVersion`.
"""

import json
from collections.abc import Callable
from functools import partial

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.forms.models import model_to_dict
from django.http import HttpRequest
from django.utils import timezone

from clinic.roles import FRONT_DESK, SURGEON
from consultations import tasks
from consultations.models import AccessLog, Consultation, Intake, IntakeVersion

# Steps a submission needs; the others may be left for the surgeon to ask about.
REQUIRED_TO_SUBMIT = ("consent",)


class IntakeLocked(Exception):
    """The surgeon has reviewed the intake, or the consultation is over or cancelled: it can no longer change."""


class NotReadyToSubmit(Exception):
    def __init__(self, missing: list[str]) -> None:
        super().__init__(", ".join(missing))
        self.missing = missing


def is_locked(intake: Intake) -> bool:
    consultation = intake.consultation
    return hasattr(intake, "review") or consultation.is_over or consultation.status not in Consultation.OCCUPYING


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
    if is_locked(locked):
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
    if is_locked(intake):
        raise IntakeLocked
    if intake.is_submitted:
        return intake
    missing = [step for step in REQUIRED_TO_SUBMIT if step not in intake.steps_saved]
    if missing:
        raise NotReadyToSubmit(missing)
    intake.status = Intake.Status.COMPLETED
    intake.submitted_at = timezone.now()
    intake.save(update_fields=["status", "submitted_at", "updated_at"])
    transaction.on_commit(partial(tasks.send_intake_received.enqueue, intake.consultation_id))
    transaction.on_commit(partial(tasks.send_intake_to_desk.enqueue, intake.consultation_id))
    return intake


def role_of(user: AbstractBaseUser | AnonymousUser) -> str:
    """The role an access is logged under: staff by their role, anyone else through the patient's link."""
    if not user.is_authenticated:
        return AccessLog.Role.PATIENT
    if user.is_superuser:
        return AccessLog.Role.ADMIN
    groups = set(user.groups.values_list("name", flat=True))
    return next((role for role in (SURGEON, FRONT_DESK) if role in groups), AccessLog.Role.PATIENT)


def access_entry(
    *,
    request: HttpRequest,
    patient_id: int,
    consultation: Consultation | None,
    action: str,
    what: str = "",
    role: str | None = None,
) -> AccessLog:
    """An unsaved access-log row for this request's user, role (looked up unless given) and address."""
    user = request.user if request.user.is_authenticated else None
    return AccessLog(
        user=user,
        username=user.get_username() if user else "",
        role=role or role_of(request.user),
        patient_id=patient_id,
        consultation=consultation,
        action=action,
        what=what,
        ip=request.META.get("REMOTE_ADDR") or None,
    )


def record_access(*, request: HttpRequest, consultation: Consultation, action: str, what: str = "") -> AccessLog:
    """Write the access-log row for a view or download of a patient's intake, in the same request."""
    entry = access_entry(
        request=request, patient_id=consultation.patient_id, consultation=consultation, action=action, what=what
    )
    entry.save()
    return entry
