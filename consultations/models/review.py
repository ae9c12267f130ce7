"""The surgeon's side of an intake: the review before the visit, and questions asked of the patient."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q

from consultations.models.intake import STEPS_BY_SLUG, Intake


class IntakeReview(models.Model):
    """The surgeon's review of an intake before the visit. Once it exists the patient can no longer amend."""

    class Priority(models.TextChoices):
        ROUTINE = "routine", "Routine"
        SOON = "soon", "Soon"
        URGENT = "urgent", "Urgent"

    intake = models.OneToOneField(Intake, on_delete=models.CASCADE, related_name="review")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_at = models.DateTimeField()
    notes = models.TextField(blank=True, help_text="Private to clinicians.")
    priority = models.CharField(max_length=8, choices=Priority, default=Priority.ROUTINE)

    def __str__(self) -> str:
        return f"Review of {self.intake}"


class InformationRequest(models.Model):
    """The surgeon asked the patient to add to one part of the intake. The question and the reply are both kept.

    The e-mail only says there is a question and links here, since a question about a history is health
    information (DOMAIN.md §7).
    """

    public_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="information_requests")
    # One of STEP_SLUGS, checked by the surgeon's form.
    section = models.SlugField(max_length=30)
    message = models.TextField("question", max_length=1000)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField()
    emailed_at = models.DateTimeField(null=True, blank=True)
    reply = models.TextField(blank=True, max_length=4000)
    replied_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["asked_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(replied_at__isnull=True, reply="") | (Q(replied_at__isnull=False) & ~Q(reply="")),
                name="information_request_reply_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"Question about {self.section} for {self.intake}"

    @property
    def section_title(self) -> str:
        step = STEPS_BY_SLUG.get(self.section)
        return step.title if step else self.section

    @property
    def is_answered(self) -> bool:
        return self.replied_at is not None
