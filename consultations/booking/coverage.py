"""The insurance (or self-pay) and the referring clinician given with a request, by the patient online or by the
desk for a caller, and the documents that come with them: card photos and a referral letter.

Personal health information: shown to the desk (access-logged), never put in an e-mail's text.
"""

from dataclasses import dataclass
from datetime import date

from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile

from consultations import uploads
from consultations.models import Consultation, Coverage, Referral, Upload


@dataclass(frozen=True)
class CoverageDetails:
    """How the consultation is paid for. The insurance fields are kept only for insurance."""

    kind: str = Coverage.Kind.NOT_SURE
    payer: str = ""
    plan: str = ""
    member_id: str = ""
    group_number: str = ""
    subscriber_relationship: str = Coverage.Relationship.SELF
    subscriber_name: str = ""
    subscriber_date_of_birth: date | None = None


@dataclass(frozen=True)
class ReferralDetails:
    clinician_name: str
    practice: str = ""
    phone: str = ""
    npi: str = ""


def record_coverage(
    *, consultation: Consultation, coverage: CoverageDetails, referral: ReferralDetails | None = None
) -> Coverage:
    """Keep what was given with the request, in the caller's transaction."""
    insurance = coverage.kind == Coverage.Kind.INSURANCE
    someone_else = insurance and coverage.subscriber_relationship != Coverage.Relationship.SELF
    row = Coverage.objects.create(
        consultation=consultation,
        kind=coverage.kind,
        payer=coverage.payer if insurance else "",
        plan=coverage.plan if insurance else "",
        member_id=coverage.member_id if insurance else "",
        group_number=coverage.group_number if insurance else "",
        subscriber_relationship=coverage.subscriber_relationship if insurance else Coverage.Relationship.SELF,
        subscriber_name=coverage.subscriber_name if someone_else else "",
        subscriber_date_of_birth=coverage.subscriber_date_of_birth if someone_else else None,
    )
    if referral is not None:
        Referral.objects.create(
            consultation=consultation,
            clinician_name=referral.clinician_name,
            practice=referral.practice,
            phone=referral.phone,
            npi=referral.npi,
        )
    return row


def add_document(*, consultation: Consultation, file: UploadedFile, kind: str) -> Upload:
    """Check `file` by its content (a ValidationError saying why if refused) and keep it with the consultation,
    in a durable transaction of its own (see `consultations.uploads.store_upload`): call it once the
    consultation is committed. The same file sent again with the same form is kept once."""
    assert kind in Upload.CONSULTATION_KINDS, kind
    prepared = uploads.prepare_upload(file)
    same = Upload.objects.filter(consultation=consultation, kind=kind, sha256=prepared.sha256).first()
    if same is not None:
        return same

    def attach(upload: Upload) -> None:
        upload.consultation = Consultation.objects.select_for_update().get(pk=consultation.pk)

    return uploads.store_upload(prepared=prepared, kind=kind, attach=attach)


def add_documents(*, consultation: Consultation, documents: list[tuple[str, UploadedFile]]) -> list[str]:
    """Keep each (kind, file) with the committed consultation, each in its own transaction. What was refused,
    as sentences naming the document ("Insurance card, front: This file is larger than 10 MB. ..."): the
    consultation stands either way."""
    refused = []
    for kind, file in documents:
        try:
            add_document(consultation=consultation, file=file, kind=kind)
        except ValidationError as error:
            refused.append(f"{Upload.Kind(kind).label}: {' '.join(error.messages)}")
    return refused
