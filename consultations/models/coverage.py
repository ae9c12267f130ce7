"""What pays for a consultation and who sent the patient: the insurance (or self-pay) given with the request, the
desk's verification of it, and the referring clinician. Personal health information: access-logged like the
intake, never in an e-mail's text. Card photos and referral letters are `Upload` rows of the consultation."""

from django.conf import settings
from django.db import models
from django.db.models import Q

from clinic.npi import validate_npi
from consultations.models.scheduling import Consultation


class Coverage(models.Model):
    class Kind(models.TextChoices):
        INSURANCE = "insurance", "Health insurance"
        SELF_PAY = "self_pay", "Self-pay"
        NOT_SURE = "not_sure", "Not sure yet"

    class Relationship(models.TextChoices):
        SELF = "self", "The patient"
        SPOUSE = "spouse", "Spouse or partner"
        PARENT = "parent", "Parent or guardian"
        OTHER = "other", "Someone else"

    class Verification(models.TextChoices):
        UNVERIFIED = "unverified", "Not verified yet"
        VERIFIED = "verified", "Verified"
        PROBLEM = "problem", "Problem"

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="coverage")
    kind = models.CharField(max_length=10, choices=Kind)
    payer = models.CharField("insurance company", max_length=120, blank=True)
    plan = models.CharField(max_length=120, blank=True)
    member_id = models.CharField("member ID", max_length=40, blank=True)
    group_number = models.CharField(max_length=40, blank=True)
    subscriber_relationship = models.CharField(
        "whose insurance it is", max_length=8, choices=Relationship, default=Relationship.SELF
    )
    # Only when the subscriber is not the patient.
    subscriber_name = models.CharField(max_length=170, blank=True)
    subscriber_date_of_birth = models.DateField(null=True, blank=True)
    verification = models.CharField(max_length=10, choices=Verification, default=Verification.UNVERIFIED)
    verification_note = models.CharField(max_length=300, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=~Q(kind="insurance") | (~Q(payer="") & ~Q(member_id="")),
                name="coverage_insurance_has_payer_and_member",
                violation_error_message="Health insurance needs the insurance company and the member ID.",
            ),
            models.CheckConstraint(
                condition=Q(subscriber_relationship="self") | ~Q(subscriber_name=""),
                name="coverage_subscriber_named",
                violation_error_message="Name the person whose insurance it is.",
            ),
            models.CheckConstraint(
                condition=Q(verification="unverified") | Q(verified_by__isnull=False, verified_at__isnull=False),
                name="coverage_verification_has_who_and_when",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} for {self.consultation.reference}"


class Referral(models.Model):
    """The clinician who sent the patient, as the patient or the desk gave them."""

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="referral")
    clinician_name = models.CharField("referring clinician", max_length=170)
    practice = models.CharField(max_length=200, blank=True)
    phone = models.CharField(max_length=30, blank=True)
    npi = models.CharField("NPI", max_length=10, blank=True, validators=[validate_npi])

    def __str__(self) -> str:
        return f"Referral of {self.consultation.reference} by {self.clinician_name}"
