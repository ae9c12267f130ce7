"""Who the consultations are for: one row per person, found again by e-mail and date of birth."""

from datetime import date

from django.db import models
from django.db.models.functions import Lower


class Patient(models.Model):
    class Contact(models.TextChoices):
        EMAIL = "email", "E-mail"
        PHONE = "phone", "Phone"

    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    date_of_birth = models.DateField()
    email = models.EmailField()
    phone = models.CharField(max_length=30)
    preferred_contact = models.CharField(max_length=10, choices=Contact, default=Contact.EMAIL)
    preferred_language = models.CharField(max_length=40, default="English")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["last_name", "first_name"]
        constraints = [
            # The same person booking again (same e-mail and date of birth) is the same row.
            models.UniqueConstraint(Lower("email"), "date_of_birth", name="patient_unique_email_birth_date"),
        ]

    def __str__(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        born = self.date_of_birth
        return day.year - born.year - ((day.month, day.day) < (born.month, born.day))
