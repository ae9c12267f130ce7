"""Who looked at which patient's health information, and when: an append-only record (DOMAIN.md §7)."""

from django.conf import settings
from django.db import models
from django.utils import timezone

from consultations.models.patients import Patient
from consultations.models.scheduling import Consultation


class AccessLog(models.Model):
    """One row per view or download of a patient's intake, insurance or referral, per export and per purge.

    Database triggers refuse UPDATE, DELETE and TRUNCATE, and link every new row into a hash chain (one of a few
    per UTC day, `consultations.chain` says how and why): `chain`, `seq`, `prev_hash` and `row_hash` are always
    computed by PostgreSQL, whatever an INSERT gives, and read back on save. `manage.py verify_access_log`
    checks them."""

    class Role(models.TextChoices):
        PATIENT = "patient", "Patient (signed link)"
        FRONT_DESK = "front_desk", "Front desk"
        SURGEON = "surgeon", "Surgeon"
        ADMIN = "admin", "Administrator"
        # A management command run by IT (the retention purge), not a person at a page.
        SYSTEM = "system", "The system"

    class Action(models.TextChoices):
        VIEW_INTAKE = "view_intake", "Viewed the intake"
        VIEW_SUMMARY = "view_summary", "Viewed the intake summary"
        PRINT_SUMMARY = "print_summary", "Printed the intake summary"
        DOWNLOAD_UPLOAD = "download_upload", "Downloaded an uploaded report"
        VIEW_COVERAGE = "view_coverage", "Viewed the insurance and referral"
        DOWNLOAD_DOCUMENT = "download_document", "Downloaded an insurance card or referral letter"
        VIEW_PATIENT = "view_patient", "Viewed the patient's details and consultations"
        EXPORT = "export", "Exported data"
        PURGE = "purge", "Removed after the retention period"

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
    # The hash chain, set by the BEFORE INSERT trigger (the defaults only stand until it runs).
    chain = models.CharField(max_length=13, editable=False, db_default="")
    seq = models.PositiveIntegerField(editable=False, db_default=0)
    prev_hash = models.CharField(max_length=64, editable=False, db_default="")
    row_hash = models.CharField(max_length=64, editable=False, db_default="")

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["patient", "-at"], name="access_log_patient_at")]
        constraints = [
            # One row per link: two appenders that both took the same tail would fork the chain; this refuses it.
            models.UniqueConstraint(fields=["chain", "seq"], name="access_log_chain_link"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or self.get_role_display()} {self.get_action_display()}"
