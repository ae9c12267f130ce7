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

from clinic.roles import ADMIN, FRONT_DESK, SURGEON, has_role
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
        "uploads": [
            {"token": str(upload.token), "kind": upload.kind, "sha256": upload.sha256}
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
def save_step(*, intake: Intake, step: str, apply: Callable[[Intake], None]) -> Intake:
    """Save one step: `apply` writes the step's validated forms. A submitted intake keeps its previous version."""
    locked = Intake.objects.select_for_update().select_related("consultation").get(pk=intake.pk)
    if is_locked(locked):
        raise IntakeLocked
    if locked.is_submitted:
        IntakeVersion.objects.create(intake=locked, number=locked.versions.count() + 1, snapshot=snapshot(locked))
        locked.status = Intake.Status.AMENDED
        locked.amended_at = timezone.now()
        locked.save(update_fields=["status", "amended_at", "updated_at"])
    # The forms were bound to the caller's instance; bring it up to date with the row just locked.
    intake.status, intake.amended_at = locked.status, locked.amended_at
    apply(intake)
    if step not in intake.steps_saved:
        intake.steps_saved = [*intake.steps_saved, step]
    intake.save()
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
    for role in (ADMIN, SURGEON, FRONT_DESK):
        if has_role(user, role):
            return role
    return AccessLog.Role.PATIENT


def record_access(*, request: HttpRequest, consultation: Consultation, action: str, what: str = "") -> AccessLog:
    """Write the access-log row for a view or download of a patient's intake, in the same request."""
    user = request.user if request.user.is_authenticated else None
    return AccessLog.objects.create(
        user=user,
        username=user.get_username() if user else "",
        role=role_of(request.user),
        patient_id=consultation.patient_id,
        consultation=consultation,
        action=action,
        what=what,
        ip=request.META.get("REMOTE_ADDR") or None,
    )
