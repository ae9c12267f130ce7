"""The practice: its locations, procedures, surgeons and their credentials."""

import calendar
import zoneinfo
from datetime import date, timedelta

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone

from clinic.npi import validate_npi

# A credential counts as verified for this long after someone checked it at its source.
VERIFICATION_MONTHS = 12
# The front desk is asked to re-verify a credential this long before it expires.
EXPIRY_WARNING = timedelta(days=60)

US_STATE_CODES = (
    "AL",
    "AK",
    "AZ",
    "AR",
    "CA",
    "CO",
    "CT",
    "DE",
    "DC",
    "FL",
    "GA",
    "HI",
    "ID",
    "IL",
    "IN",
    "IA",
    "KS",
    "KY",
    "LA",
    "ME",
    "MD",
    "MA",
    "MI",
    "MN",
    "MS",
    "MO",
    "MT",
    "NE",
    "NV",
    "NH",
    "NJ",
    "NM",
    "NY",
    "NC",
    "ND",
    "OH",
    "OK",
    "OR",
    "PA",
    "RI",
    "SC",
    "SD",
    "TN",
    "TX",
    "UT",
    "VT",
    "VA",
    "WA",
    "WV",
    "WI",
    "WY",
    "PR",
)
US_STATES = [(code, code) for code in US_STATE_CODES]


def months_before(day: date, months: int) -> date:
    """The same day of the month `months` earlier, or that month's last day when it is shorter."""
    year, month_index = divmod(day.year * 12 + day.month - 1 - months, 12)
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return date(year, month_index + 1, min(day.day, last_day))


def validate_timezone(value: str) -> None:
    if value not in zoneinfo.available_timezones():
        raise ValidationError("Use an IANA time zone name such as America/New_York.", code="timezone")


class Location(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    address = models.TextField(help_text="Street, city, state and ZIP code, one per line.")
    phone = models.CharField(max_length=30)
    timezone = models.CharField(
        max_length=64, validators=[validate_timezone], help_text="IANA name, e.g. America/New_York."
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    @property
    def one_line_address(self) -> str:
        """'12 Main St, Suite 2, Albany, NY 12207': the address's lines joined, for e-mails and calendar files."""
        return ", ".join(line.strip() for line in self.address.splitlines() if line.strip())

    @property
    def zone(self) -> zoneinfo.ZoneInfo:
        return zoneinfo.ZoneInfo(self.timezone)


class Procedure(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(unique=True)
    is_minimally_invasive = models.BooleanField("minimally invasive", default=True)
    description = models.TextField(help_text="One plain-language paragraph a patient can follow.")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Technology(models.TextChoices):
    NAVIGATION = "navigation", "Intraoperative navigation"
    INTRAOPERATIVE_CT = "intraoperative_ct", "Intraoperative CT imaging"
    ROBOTICS = "robotics", "Robotic guidance"
    ENDOSCOPY = "endoscopy", "Endoscopy"
    NEUROMONITORING = "neuromonitoring", "Nerve monitoring during surgery"


class SurgeonQuerySet(models.QuerySet):
    def listed(self) -> "SurgeonQuerySet":
        return self.filter(is_listed=True)

    def bookable(self) -> "SurgeonQuerySet":
        """Listed and taking new patients: the surgeons a patient can request online."""
        return self.listed().filter(accepts_new_patients=True)

    def for_directory(self) -> "SurgeonQuerySet":
        """Everything a directory card shows, in a fixed number of queries however many surgeons there are; those
        taking new patients first."""
        return self.prefetch_related(
            "locations",
            models.Prefetch(
                "surgeon_procedures",
                queryset=SurgeonProcedure.objects.select_related("procedure").filter(
                    procedure__is_minimally_invasive=True
                ),
                to_attr="miss_procedures",
            ),
            models.Prefetch(
                "credentials",
                queryset=Credential.objects.filter(kind=Credential.Kind.BOARD_CERTIFICATION),
                to_attr="board_certifications",
            ),
        ).order_by("-accepts_new_patients", "last_name", "first_name")

    def languages(self) -> list[str]:
        """Every language a listed surgeon speaks, in alphabetical order, in one query."""
        unnested = (
            self.annotate(language=models.Func(F("languages"), function="unnest"))
            .order_by()
            .values_list("language", flat=True)
        )
        return sorted(set(unnested))


class Surgeon(models.Model):
    class Degree(models.TextChoices):
        MD = "MD", "MD (Doctor of Medicine)"
        DO = "DO", "DO (Doctor of Osteopathic Medicine)"

    class Specialty(models.TextChoices):
        ORTHOPAEDIC = "orthopaedic", "Orthopaedic spine surgery"
        NEUROSURGERY = "neurosurgery", "Neurosurgery"

    slug = models.SlugField(unique=True)
    first_name = models.CharField(max_length=80)
    last_name = models.CharField(max_length=80)
    degree = models.CharField(max_length=2, choices=Degree)
    specialty = models.CharField(max_length=20, choices=Specialty)
    title = models.CharField(max_length=160, help_text="e.g. Orthopaedic spine surgeon, fellowship-trained in MISS")
    photo = models.ImageField(upload_to="surgeons/", blank=True)
    bio = models.TextField()
    languages = ArrayField(
        models.CharField(max_length=40), default=list, help_text="Comma-separated, e.g. English,Spanish"
    )
    locations = models.ManyToManyField(Location, related_name="surgeons")
    procedures = models.ManyToManyField(Procedure, through="SurgeonProcedure", related_name="surgeons")
    accepts_new_patients = models.BooleanField(default=True)
    takes_revision_cases = models.BooleanField(
        "takes revision / FBSS cases",
        default=False,
        help_text="Operates on patients whose earlier spine surgery failed.",
    )
    npi = models.CharField("NPI", max_length=10, unique=True, validators=[validate_npi])
    technologies = ArrayField(models.CharField(max_length=30, choices=Technology), default=list, blank=True)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="surgeon",
        limit_choices_to={"groups__name": "surgeon"},
        help_text="The staff account this surgeon signs in with.",
    )
    is_listed = models.BooleanField("listed in the directory", default=True)

    objects = SurgeonQuerySet.as_manager()

    class Meta:
        ordering = ["last_name", "first_name"]

    def __str__(self) -> str:
        return self.display_name

    def get_absolute_url(self) -> str:
        return reverse("clinic:surgeon-detail", args=[self.slug])

    @property
    def display_name(self) -> str:
        return f"Dr. {self.first_name} {self.last_name}, {self.degree}"

    @property
    def initials(self) -> str:
        return f"{self.first_name[:1]}{self.last_name[:1]}".upper()

    def technology_labels(self) -> list[str]:
        return [Technology(value).label for value in self.technologies]

    @property
    def has_verified_board_certification(self) -> bool:
        """Uses `board_certifications` when `for_directory()` prefetched it."""
        certifications = getattr(self, "board_certifications", None)
        if certifications is None:
            certifications = self.credentials.filter(kind=Credential.Kind.BOARD_CERTIFICATION)
        return any(credential.is_verified for credential in certifications)


class SurgeonProcedure(models.Model):
    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="surgeon_procedures")
    procedure = models.ForeignKey(Procedure, on_delete=models.PROTECT, related_name="surgeon_procedures")
    miss_cases_per_year = models.PositiveIntegerField(
        "minimally invasive cases a year", null=True, blank=True, help_text="As the surgeon reports it."
    )
    revision_cases_per_year = models.PositiveIntegerField(
        "revision cases a year", null=True, blank=True, help_text="Cases after an earlier spine operation."
    )
    volume_year = models.PositiveIntegerField("year the counts are for", null=True, blank=True)

    class Meta:
        ordering = ["procedure__name"]
        constraints = [
            models.UniqueConstraint(fields=["surgeon", "procedure"], name="surgeon_procedure_once"),
            models.CheckConstraint(
                condition=Q(volume_year__isnull=False)
                | Q(miss_cases_per_year__isnull=True, revision_cases_per_year__isnull=True),
                name="surgeon_procedure_volume_has_year",
                violation_error_message="Give the year the case counts are for.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.surgeon}: {self.procedure}"


class CredentialQuerySet(models.QuerySet):
    def needing_reverification(self, today: date | None = None) -> "CredentialQuerySet":
        """Expired, expiring within 60 days, never verified, or verified more than 12 months ago."""
        today = today or timezone.localdate()
        return self.filter(
            Q(expires_on__lte=today + EXPIRY_WARNING)
            | Q(verified_on__isnull=True)
            | Q(verified_on__lt=months_before(today, VERIFICATION_MONTHS))
        )

    def expired(self, today: date | None = None) -> "CredentialQuerySet":
        return self.filter(expires_on__lte=today or timezone.localdate())


class Credential(models.Model):
    class Kind(models.TextChoices):
        BOARD_CERTIFICATION = "board_certification", "Board certification"
        FELLOWSHIP = "fellowship", "Fellowship training"
        RESIDENCY = "residency", "Residency"
        MEDICAL_SCHOOL = "medical_school", "Medical school"
        STATE_LICENCE = "state_licence", "State medical licence"
        SOCIETY_MEMBERSHIP = "society_membership", "Society membership"
        HOSPITAL_PRIVILEGES = "hospital_privileges", "Hospital privileges"

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        REVOKED = "revoked", "Revoked"

    surgeon = models.ForeignKey(Surgeon, on_delete=models.CASCADE, related_name="credentials")
    kind = models.CharField(max_length=30, choices=Kind)
    issuer = models.CharField(
        max_length=160, help_text="Who granted it, e.g. ABOS, ABNS, AOBOS, a state medical board, a hospital."
    )
    title = models.CharField(max_length=200, help_text="e.g. Orthopaedic Surgery, Spine Surgery Fellowship.")
    identifier = models.CharField(max_length=60, blank=True, help_text="Certificate or licence number.")
    state = models.CharField(max_length=2, choices=US_STATES, blank=True, help_text="Required for a state licence.")
    awarded_on = models.DateField(null=True, blank=True)
    expires_on = models.DateField(
        null=True, blank=True, help_text="The day it lapses. Leave empty if it does not expire."
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.ACTIVE)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    verified_on = models.DateField(null=True, blank=True)
    source_url = models.URLField(
        "source checked", blank=True, help_text="Where it was checked, e.g. the board's or state's public lookup."
    )

    objects = CredentialQuerySet.as_manager()

    class Meta:
        ordering = ["kind", "-awarded_on"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__isnull=True) | Q(awarded_on__isnull=True) | Q(expires_on__gt=F("awarded_on")),
                name="credential_expires_after_award",
                violation_error_message="The expiry date must be after the date it was awarded.",
            ),
            models.CheckConstraint(
                condition=Q(verified_on__isnull=True) | (Q(verified_by__isnull=False) & ~Q(source_url="")),
                name="credential_verification_has_who_and_where",
                violation_error_message="A verification needs who checked it and the address of the source checked.",
            ),
            models.CheckConstraint(
                condition=~Q(kind="state_licence") | ~Q(state=""),
                name="credential_licence_has_state",
                violation_error_message="A state licence needs its state.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.title} ({self.issuer})"

    def is_expired(self, today: date | None = None) -> bool:
        return self.expires_on is not None and self.expires_on <= (today or timezone.localdate())

    def is_verified_on(self, today: date) -> bool:
        """Checked at its source in the last 12 months, active, and not lapsed."""
        return (
            self.status == self.Status.ACTIVE
            and self.verified_on is not None
            and months_before(today, VERIFICATION_MONTHS) <= self.verified_on <= today
            and not self.is_expired(today)
        )

    @property
    def is_verified(self) -> bool:
        return self.is_verified_on(timezone.localdate())

    def reverification_reason(self, today: date | None = None) -> str:
        today = today or timezone.localdate()
        if self.is_expired(today):
            return "Expired"
        if self.expires_on is not None and self.expires_on <= today + EXPIRY_WARNING:
            return "Expires within 60 days"
        if self.verified_on is None:
            return "Never verified"
        if self.verified_on < months_before(today, VERIFICATION_MONTHS):
            return "Last verified over 12 months ago"
        return ""
