"""Who the consultations are for: one row per person, found again by e-mail and date of birth."""

from datetime import date

from django.contrib.postgres.indexes import GinIndex, OpClass
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower, Upper


class Patient(models.Model):
    class Contact(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    # Blank only for a patient the desk booked without one (a caller with no e-mail address).
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=30)
    preferred_contact = models.CharField(max_length=10, choices=Contact, default=Contact.EMAIL)
    preferred_language = models.CharField(max_length=40, default="English")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # The same person booking again (same e-mail and date of birth) is the same row.
            models.UniqueConstraint(
                Lower("email"), "date_of_birth", condition=~Q(email=""), name="patient_unique_email_birth_date"
            ),
        ]
        indexes = [
            # The desk's search forgives typos: trigram similarity on each name...
            GinIndex(fields=["last_name"], opclasses=["gin_trgm_ops"], name="patient_last_name_trgm"),
            GinIndex(fields=["first_name"], opclasses=["gin_trgm_ops"], name="patient_first_name_trgm"),
            # ...and finds a part of a name in any case (`icontains` compares upper case).
            GinIndex(OpClass(Upper("last_name"), name="gin_trgm_ops"), name="patient_last_name_upper_trgm"),
            GinIndex(OpClass(Upper("first_name"), name="gin_trgm_ops"), name="patient_first_name_upper_trgm"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
