"""Who looked at which patient's health information, and when: an append-only record (DOMAIN.md §7)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from consultations.models.patients import Patient
from consultations.models.scheduling import Consultation


class AccessLog(models.Model):
    """One row per view or download of a patient's intake, insurance or referral. A database trigger refuses
    updates and deletes."""

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient (signed link)"
        FRONT_DESK = "front_desk", "Front desk"
        SURGEON = "surgeon", "Surgeon"
        ADMIN = "admin", "Administrator"

    class Action(models.TextChoices):
        VIEW_INTAKE = "view_intake", "Viewed the intake"
        VIEW_SUMMARY = "view_summary", "Viewed the intake summary"
        PRINT_SUMMARY = "print_summary", "Printed the intake summary"
        DOWNLOAD_UPLOAD = "download_upload", "Downloaded an uploaded report"
        VIEW_COVERAGE = "view_coverage", "Viewed the insurance and referral"
        DOWNLOAD_DOCUMENT = "download_document", "Downloaded an insurance card or referral letter"
        EXPORT = "export", "Exported data"

    at = models.DateTimeField(default=timezone.now, db_index=True)
    # Staff are deactivated, never deleted, so the record keeps who it was.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    username = models.CharField(max_length=150, blank=True)
    role = models.CharField(max_length=12, choices=Role)
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="access_log")
    consultation = models.ForeignKey(
        Consultation, on_delete=models.PROTECT, null=True, blank=True, related_name="access_log"
    )
    action = models.CharField(max_length=20, choices=Action)
    # What exactly: the step, the upload's number. Never the health information itself.
    what = models.CharField(max_length=200, blank=True)
    ip = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patient", "-at"], name="access_log_patient_at")]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.get_role_display()} {self.get_action_display()}"
