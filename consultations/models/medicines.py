"""The medicines a patient takes now (DOMAIN.md §1 item 8). Opioids carry the numbers a daily morphine
milligram equivalent needs (§9): the drug, its strength, how many per dose, how often, and since when."""

from django.db import models
from django.db.models import Q

from consultations.models.intake import Intake


class Medication(models.Model):
    class Category(models.TextChoices):
        OPIOID = "opioid", "Opioid pain medicine"
        BLOOD_THINNER = "blood_thinner", "Blood thinner"
        OTHER = "other", "Other"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="medications")
    name = models.CharField(max_length=120)
    dose = models.CharField(max_length=120, blank=True, help_text="How much and how often, as on the label.")
    category = models.CharField(max_length=14, choices=Category, default=Category.OTHER)
    # An opioid's key in the conversion table (consultations/intake/opioid-mme.json), or "other". The table
    # is data that may change, so the column keeps the key without fixed choices.
    drug = models.CharField(max_length=30, blank=True)
    # mg per tablet or dose; mcg per hour for a patch.
    strength = models.DecimalField(max_digits=7, decimal_places=2, null=True, blank=True)
    units_per_dose = models.DecimalField(max_digits=4, decimal_places=2, null=True, blank=True)
    times_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    since_month = models.PositiveSmallIntegerField(null=True, blank=True)
    since_year = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(strength__isnull=True) | Q(strength__gt=0), name="medication_strength_positive"
            ),
            models.CheckConstraint(
                condition=Q(units_per_dose__isnull=True) | Q(units_per_dose__gt=0, units_per_dose__lte=20),
                name="medication_units_per_dose_plausible",
            ),
            models.CheckConstraint(
                condition=Q(times_per_day__isnull=True) | Q(times_per_day__gte=1, times_per_day__lte=24),
                name="medication_times_per_day_plausible",
            ),
            models.CheckConstraint(
                condition=Q(since_month__isnull=True)
                | Q(since_year__isnull=False, since_month__gte=1, since_month__lte=12),
                name="medication_since_month",
            ),
        ]

    def __str__(self) -> str:
        return self.name
