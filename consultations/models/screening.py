"""What the red-flag screen before booking showed a patient, kept with the request it let through."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from consultations.models.scheduling import Consultation


class RedFlagScreen(models.Model):
    """What the red-flag screen before booking showed this patient and what they confirmed (DOMAIN.md §3)."""

    class Urgency(models.IntegerChoices):
        # The same values as consultations.booking.red_flags.Urgency.
        NONE = 0, "None ticked"
        SAME_DAY = 1, "See a doctor today"
        EMERGENCY = 2, "Emergency"

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="red_flag_screen")
    screened_at = models.DateTimeField()
    items = ArrayField(models.CharField(max_length=40), default=list, blank=True)
    recent_surgery = models.BooleanField(default=False)
    urgency = models.PositiveSmallIntegerField(choices=Urgency, default=Urgency.NONE)
    message_shown = models.TextField(blank=True)
    acknowledgement = models.CharField(max_length=300, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(urgency=0) | Q(acknowledged_at__isnull=False),
                name="red_flag_screen_flag_acknowledged",
                violation_error_message="A red flag can only be passed after the patient acknowledged the advice.",
            ),
        ]

    def __str__(self) -> str:
        return f"Red-flag screen for {self.consultation.reference}: {self.get_urgency_display()}"
