"""Who may get in, and how often: staff enrolment invitations, and the counts behind the rate limits."""

import hashlib

from django.conf import settings
from django.db import models
from django.db.models import F, Q
from django.utils import timezone


class StaffInvitation(models.Model):
    """A one-time link an admin makes so that one staff member sets their password, then their authenticator.
    Only a hash of the link's secret is kept: a copy of the database opens nothing."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="enrolment_invitations")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    token_hash = models.CharField(max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    # Set to the moment it was withdrawn when a newer invitation or a reset replaces it.
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_at__gte=F("created_at")),
                name="staff_invitation_expires_after_creation",
                violation_error_message="An invitation cannot expire before it was made.",
            ),
            models.CheckConstraint(
                condition=Q(used_at__isnull=True) | Q(used_at__gte=F("created_at")),
                name="staff_invitation_used_after_creation",
                violation_error_message="An invitation cannot be used before it was made.",
            ),
        ]

    def __str__(self) -> str:
        return f"Enrolment invitation for {self.user} made {self.created_at:%Y-%m-%d %H:%M} UTC"

    @staticmethod
    def hash_of(token: str) -> str:
        return hashlib.sha256(token.encode()).hexdigest()

    @property
    def is_used(self) -> bool:
        return self.used_at is not None

    @property
    def is_expired(self) -> bool:
        return self.expires_at <= timezone.now()


class RateCount(models.Model):
    """How many writes one client made in one window of one limit (see `clinic.ratelimit`). The key is a keyed
    hash of an address or a contact, never the address or contact itself."""

    bucket = models.CharField(max_length=40)
    key = models.CharField(max_length=64)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["bucket", "key", "window_start"], name="rate_count_one_row_per_window"),
        ]
        indexes = [models.Index(fields=["bucket", "window_start"], name="rate_count_bucket_window")]

    def __str__(self) -> str:
        return f"{self.bucket} {self.key[:8]}… {self.count} since {self.window_start:%Y-%m-%d %H:%M}"
