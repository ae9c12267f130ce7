"""Reports a patient uploads with the intake (imaging and operative reports), kept in private storage under a
name that says nothing about them."""

import uuid

from django.db import models

from consultations.models.intake import Intake
from consultations.storage import private_storage


def _upload_path(instance: "Upload", filename: str) -> str:
    # The stored name says nothing about the patient or the contents; the original name stays in the row.
    return f"intake-uploads/{instance.token}{instance.extension}"


class Upload(models.Model):
    class Kind(models.TextChoices):
        IMAGING_REPORT = "imaging_report", "Imaging report"
        OPERATIVE_REPORT = "operative_report", "Operative report"
        OTHER = "other", "Other report"

    EXTENSIONS = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="uploads")
    kind = models.CharField(max_length=18, choices=Kind, default=Kind.IMAGING_REPORT)
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(storage=private_storage, upload_to=_upload_path, max_length=200)
    content_type = models.CharField(max_length=40, choices=[(kind, kind) for kind in EXTENSIONS])
    size = models.PositiveIntegerField()
    original_name = models.CharField(max_length=200, blank=True)
    sha256 = models.CharField(max_length=64)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "pk"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.token.hex[:8]}"

    @property
    def extension(self) -> str:
        return self.EXTENSIONS[self.content_type]
