"""Files a patient gives us, kept in private storage under a name that says nothing about them: reports with the
intake (imaging and operative reports), and insurance card photos and referral letters with the consultation."""

import uuid

from django.db import models
from django.db.models import Q

from consultations.models.intake import Intake
from consultations.models.scheduling import Consultation
from consultations.storage import private_storage


def _upload_path(instance: "Upload", filename: str) -> str:
    # The stored name says nothing about the patient or the contents; the original name stays in the row.
    return f"intake-uploads/{instance.token}{instance.extension}"


class Upload(models.Model):
    class Kind(models.TextChoices):
        IMAGING_REPORT = "imaging_report", "Imaging report"
        OPERATIVE_REPORT = "operative_report", "Operative report"
        OTHER = "other", "Other report"
        INSURANCE_CARD_FRONT = "insurance_card_front", "Insurance card, front"
        INSURANCE_CARD_BACK = "insurance_card_back", "Insurance card, back"
        REFERRAL_LETTER = "referral_letter", "Referral letter"

    # Reports belong to the history; the others to the consultation.
    INTAKE_KINDS = (Kind.IMAGING_REPORT, Kind.OPERATIVE_REPORT, Kind.OTHER)
    CONSULTATION_KINDS = (Kind.INSURANCE_CARD_FRONT, Kind.INSURANCE_CARD_BACK, Kind.REFERRAL_LETTER)

    EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    # One of the two: a report with the history, or a document with the consultation.
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, null=True, blank=True, related_name="uploads")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.CASCADE, null=True, blank=True, related_name="documents"
    )
    kind = models.CharField(max_length=24, choices=Kind, default=Kind.IMAGING_REPORT)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(storage=private_storage, upload_to=_upload_path, max_length=200)
    content_type = models.CharField(max_length=40, choices=[(kind, kind) for kind in EXTENSIONS])
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(
                    intake__isnull=False,
                    consultation__isnull=True,
                    kind__in=["imaging_report", "operative_report", "other"],
                )
                | Q(
                    intake__isnull=True,
                    consultation__isnull=False,
                    kind__in=["insurance_card_front", "insurance_card_back", "referral_letter"],
                ),
                name="upload_belongs_to_intake_or_consultation",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token.hex[:8]}"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.content_type]
