"""Everything we hold about one patient, as a zip for their right of access (45 CFR 164.524): `patient.json` with
their details and each consultation with its insurance, referral, messages sent and intake history (answers,
questionnaire scores, earlier versions, the surgeon's review and questions), and every file they gave us under
`files/`. Nothing of any other patient. Written to a spooled temporary file, so memory stays bounded whatever
the files weigh; the caller checks access and logs the export.
"""

import io
import json
import logging
import shutil
import zipfile
from tempfile import SpooledTemporaryFile
from typing import IO, Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.utils import timezone

from consultations.models import Consultation, Intake, Patient, Upload
from consultations.uploads import download_name

logger = logging.getLogger(__name__)

FORMAT = "spine-consultations patient export, version 1"
# Above this the archive moves from memory to a temporary file on disk.
IN_MEMORY_BYTES = 8 * 1024 * 1024
# Keys of our own, meaningless to the patient.
INTERNAL = {"idempotency_key", "sequence", "token", "steps_saved"}


def _record(obj: models.Model) -> dict[str, Any]:
    """The row's own values (not its links to other rows), with choices also spelled out as shown."""
    record: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        # A stored file's name is ours; the file itself goes in the zip.
        if field.is_relation or field.name in INTERNAL or isinstance(field, models.FileField):
            continue
        value = field.value_from_object(obj)
        record[field.name] = value
        if field.choices and value not in (None, ""):
            record[f"{field.name}_label"] = getattr(obj, f"get_{field.name}_display")()
    return record


def _upload(upload: Upload, missing: set[int]) -> dict[str, Any]:
    if upload.pk in missing:
        return _record(upload) | {"file": None, "file_missing": True}
    return _record(upload) | {"file": f"files/{download_name(upload)}"}


def _intake(intake: Intake, missing: set[int]) -> dict[str, Any]:
    review = getattr(intake, "review", None)
    return _record(intake) | {
        "operations": [_record(row) for row in intake.operations.all()],
        "treatments": [_record(row) for row in intake.treatments.all()],
        "medications": [_record(row) for row in intake.medications.all()],
        "imaging": [_record(row) for row in intake.imaging.all()],
        "questionnaires": [
            _record(response)
            | {
                "instrument": {
                    "code": response.instrument.code,
                    "version": response.instrument.version,
                    "title": response.instrument.title,
                }
            }
            for response in intake.responses.all()
        ],
        "earlier_versions": [_record(version) for version in intake.versions.all()],
        "uploads": [_upload(upload, missing) for upload in intake.uploads.all()],
        "review": _record(review) if review else None,
        "questions": [_record(question) for question in intake.information_requests.all()],
    }


def _consultation(consultation: Consultation, missing: set[int]) -> dict[str, Any]:
    coverage = getattr(consultation, "coverage", None)
    referral = getattr(consultation, "referral", None)
    intake = getattr(consultation, "intake", None)
    return _record(consultation) | {
        "reference": consultation.reference,
        "surgeon": str(consultation.surgeon),
        "location": consultation.location.name,
        "coverage": _record(coverage) if coverage else None,
        "referral": _record(referral) if referral else None,
        "documents": [_upload(upload, missing) for upload in consultation.documents.all()],
        "messages_sent": [_record(message) for message in consultation.sent_messages.all()],
        "intake": _intake(intake, missing) if intake else None,
    }


def _consultations(patient: Patient) -> models.QuerySet[Consultation]:
    intake = "intake__"
    return (
        Consultation.objects.filter(patient=patient)
        .select_related("surgeon", "location", "coverage", "referral", "intake", "intake__review")
        .prefetch_related(
            "documents",
            "sent_messages",
            *(
                intake + name
                for name in (
                    "operations",
                    "treatments",
                    "medications",
                    "imaging",
                    "responses__instrument",
                    "versions",
                    "uploads",
                    "information_requests",
                )
            ),
        )
        .order_by("start", "pk")
    )


def _add_file(archive: zipfile.ZipFile, upload: Upload) -> bool:
    """Copy the stored file into the zip in chunks; False if it is missing from storage."""
    try:
        source = upload.file.storage.open(upload.file.name, "rb")
    except FileNotFoundError:
        # Our fault, not the patient's: the rest of their data still goes, the JSON says which file is missing.
        logger.error("Stored upload %s is missing; exported without it", upload.token)
        return False
    with source, archive.open(f"files/{download_name(upload)}", "w") as target:
        shutil.copyfileobj(source, target)
    return True


def build_patient_export(*, patient: Patient) -> IO[bytes]:
    """The zip, rewound to its start."""
    consultations = list(_consultations(patient))
    uploads = [
        upload
        for consultation in consultations
        for upload in (
            *consultation.documents.all(),
            *(consultation.intake.uploads.all() if hasattr(consultation, "intake") else ()),
        )
    ]
    spooled = SpooledTemporaryFile(max_size=IN_MEMORY_BYTES)  # noqa: SIM115 (handed to the response, which closes it)
    with zipfile.ZipFile(spooled, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        missing = {upload.pk for upload in uploads if not _add_file(archive, upload)}
        data = {
            "format": FORMAT,
            "exported_at": timezone.now(),
            "patient": _record(patient),
            "consultations": [_consultation(consultation, missing) for consultation in consultations],
        }
        with io.TextIOWrapper(archive.open("patient.json", "w"), encoding="utf-8") as out:
            json.dump(data, out, cls=DjangoJSONEncoder, ensure_ascii=False, indent=2)
    spooled.seek(0)
    return spooled
