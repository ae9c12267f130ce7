"""What the red-flag screen before booking showed a patient, kept with the request it let through."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

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
    # The emergency symptoms (flag keys) the patient vouched for to go on past emergency advice: had, unchanged,
    # for weeks and examined by a doctor. Empty below an emergency.
    acknowledged_items = ArrayField(models.CharField(max_length=40), default=list, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(urgency=0) | Q(acknowledged_at__isnull=False),
                name="red_flag_screen_flag_acknowledged",
                violation_error_message="A red flag can only be passed after the patient acknowledged the advice.",
            ),
            # Only an emergency is passed by vouching for symptoms, and then for at least one.
            models.CheckConstraint(
                condition=(Q(urgency=2) & ~Q(acknowledged_items=[])) | (Q(urgency__lt=2) & Q(acknowledged_items=[])),
                name="red_flag_screen_emergency_acknowledged_items",
                violation_error_message="An emergency is passed only by vouching for the emergency symptoms ticked.",
            ),
            # What the patient vouched for is among what they ticked (PostgreSQL's array containment, @>).
            models.CheckConstraint(
                condition=Q(items__contains=F("acknowledged_items")),
                name="red_flag_screen_acknowledged_items_ticked",
                violation_error_message="Only symptoms that were ticked can be vouched for.",
            ),
        ]

    def __str__(self) -> str:
        return f"Red-flag screen for {self.consultation.reference}: {self.get_urgency_display()}"
