"""The intake history a patient gives before the visit (DOMAIN.md §1-§3), and the questionnaires it holds."""

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from consultations.models.answers import Answer
from consultations.models.nerves import NerveHistory, WorkClaims
from consultations.models.patients import Patient
from consultations.models.scheduling import Consultation


@dataclass(frozen=True)
class Step:
    """One page of the intake, by which the patient saves it and the surgeon asks about it."""

    slug: str
    title: str
    # What the step is about, for the list of steps and the patient's review page.
    summary: str


STEPS: tuple[Step, ...] = (
    Step("about", "Your main problem and goals", "What you want help with and what success would look like."),
    Step("pain", "Where it hurts and how much", "A map of your pain and scores for your back and your leg."),
    Step("nerves", "Numbness, weakness and walking", "Numbness or weakness, how far you can walk, and balance."),
    Step("history", "Since your surgery", "Whether you had spine surgery, and when and how the pain came back."),
    Step("operations", "Previous spine operations", "Each operation you had, one at a time."),
    Step("treatments", "Other treatments", "What else you have tried and whether it helped."),
    Step("medications", "Medicines and allergies", "What you take now, and anything you are allergic to."),
    Step("imaging", "Scans and tests", "MRI, CT, X-rays and nerve tests, with reports if you have them."),
    Step("health", "Your general health", "Conditions and habits that matter for any operation."),
    Step("function", "Daily activities", "Ten short questions about how the pain affects your day."),
    Step("mood", "How you have been feeling", "Four short questions about your mood in the last two weeks."),
    Step("work", "Work", "Whether you are working, what you do, and any claims about your back."),
    Step("consent", "Privacy and contact", "Our privacy notice and how we may contact you."),
)
STEP_SLUGS = tuple(step.slug for step in STEPS)
STEPS_BY_SLUG = {step.slug: step for step in STEPS}


class Intake(NerveHistory, WorkClaims, models.Model):
    """The structured history for one consultation. Saved step by step; submitted; amended until reviewed.
    The nerves step's answers and the work claims are its abstract parts (models.nerves)."""

    class Status(models.TextChoices):
        # FHIR QuestionnaireResponse.status
        IN_PROGRESS = "in_progress", "In progress"  # in-progress
        COMPLETED = "completed", "Submitted"  # completed
        AMENDED = "amended", "Amended after submission"  # amended

    class PainPattern(models.TextChoices):
        NEVER_IMPROVED = "never_improved", "It never got better after the operation"
        CAME_BACK = "came_back", "It got better, then came back"
        NEW_PAIN = "new_pain", "It is a new, different pain"

    class Smoking(models.TextChoices):
        NEVER = "never", "Never"
        FORMER = "former", "Used to, but stopped"
        CURRENT = "current", "Yes, cigarettes or other tobacco"
        VAPING = "vaping", "Yes, vaping or other nicotine"

    class OsteoporosisTreatment(models.TextChoices):
        NONE = "none", "No treatment"
        SLOWS_LOSS = "slows_loss", "Tablets or a yearly drip that slow bone loss (such as alendronate, zoledronic acid)"
        DENOSUMAB = "denosumab", "An injection every 6 months (denosumab, Prolia)"
        BUILDS_BONE = "builds_bone", "Injections that build bone (such as teriparatide, abaloparatide, romosozumab)"
        OTHER = "other", "Something else"
        UNSURE = "unsure", "Not sure"

    class WorkStatus(models.TextChoices):
        FULL_DUTY = "full_duty", "Working, full duties"
        MODIFIED = "modified", "Working, lighter or fewer duties"
        OFF_WORK = "off_work", "Off work because of the pain"
        DISABILITY = "disability", "On disability"
        RETIRED = "retired", "Retired"
        NOT_WORKING = "not_working", "Not working for another reason"
        STUDENT = "student", "Student"

    consultation = models.OneToOneField(Consultation, on_delete=models.CASCADE, related_name="intake")
    patient = models.ForeignKey(Patient, on_delete=models.PROTECT, related_name="intakes")
    status = models.CharField(max_length=12, choices=Status, default=Status.IN_PROGRESS)
    steps_saved = ArrayField(models.SlugField(max_length=30), default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    amended_at = models.DateTimeField(null=True, blank=True)

    # Chief complaint and goals
    chief_complaint = models.TextField(blank=True, max_length=2000)
    goals = models.TextField(blank=True, max_length=2000)
    # Where it hurts: {"low_back": "both", "thigh": "left", ...}
    pain_map = models.JSONField(default=dict, blank=True)
    # When and how the pain came back
    had_spine_surgery = models.CharField(max_length=6, choices=Answer, blank=True)
    pain_pattern = models.CharField(max_length=20, choices=PainPattern, blank=True)
    # When the pain came back: the year, and the month when the patient knows it.
    pain_returned_year = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_returned_month = models.PositiveSmallIntegerField(null=True, blank=True)
    pain_return_story = models.TextField(blank=True, max_length=2000)
    # Medications and allergies
    takes_opioids = models.CharField(max_length=6, choices=Answer, blank=True)
    takes_blood_thinners = models.CharField(max_length=6, choices=Answer, blank=True)
    allergies = models.TextField(blank=True, max_length=1000)
    no_known_allergies = models.BooleanField(default=False)
    # Health factors
    diabetes = models.CharField(max_length=6, choices=Answer, blank=True)
    diabetes_insulin = models.CharField(max_length=6, choices=Answer, blank=True)
    # The last HbA1c in percent, and the year it was measured, when the patient knows them (DOMAIN.md §1 item 10).
    hba1c = models.DecimalField(max_digits=3, decimal_places=1, null=True, blank=True)
    hba1c_year = models.PositiveSmallIntegerField(null=True, blank=True)
    smoking = models.CharField(max_length=8, choices=Smoking, blank=True)
    # Cigarettes a day (a pack is 20) and for how many years; for a former smoker, when they stopped.
    cigarettes_per_day = models.PositiveSmallIntegerField(null=True, blank=True)
    smoking_years = models.PositiveSmallIntegerField(null=True, blank=True)
    smoking_quit_year = models.PositiveSmallIntegerField(null=True, blank=True)
    smoking_quit_month = models.PositiveSmallIntegerField(null=True, blank=True)
    height_inches = models.PositiveSmallIntegerField(null=True, blank=True)
    weight_pounds = models.PositiveSmallIntegerField(null=True, blank=True)
    osteoporosis = models.CharField(max_length=6, choices=Answer, blank=True)
    osteoporosis_treatment = models.CharField(max_length=12, choices=OsteoporosisTreatment, blank=True)
    osteoporosis_medicine = models.CharField(max_length=120, blank=True)
    heart_disease = models.CharField(max_length=6, choices=Answer, blank=True)
    lung_disease = models.CharField(max_length=6, choices=Answer, blank=True)
    sleep_apnoea = models.CharField(max_length=6, choices=Answer, blank=True)
    long_term_steroids = models.CharField(max_length=6, choices=Answer, blank=True)
    # Work
    work_status = models.CharField(max_length=12, choices=WorkStatus, blank=True)
    occupation = models.CharField(max_length=120, blank=True)
    # Consent and contact
    privacy_consent_at = models.DateTimeField(null=True, blank=True)
    contact_by_email = models.BooleanField(default=True)
    contact_by_phone = models.BooleanField(default=True)
    contact_by_text = models.BooleanField(default=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(height_inches__isnull=True) | Q(height_inches__gte=36, height_inches__lte=96),
                name="intake_height_plausible",
            ),
            models.CheckConstraint(
                condition=Q(weight_pounds__isnull=True) | Q(weight_pounds__gte=50, weight_pounds__lte=1000),
                name="intake_weight_plausible",
            ),
            models.CheckConstraint(
                condition=Q(status="in_progress") | Q(submitted_at__isnull=False), name="intake_submitted_has_time"
            ),
            models.CheckConstraint(
                condition=Q(pain_returned_month__isnull=True)
                | Q(pain_returned_year__isnull=False, pain_returned_month__gte=1, pain_returned_month__lte=12),
                name="intake_pain_returned_month",
            ),
            *NerveHistory.Meta.constraints,
            *WorkClaims.Meta.constraints,
            models.CheckConstraint(
                condition=Q(hba1c__isnull=True) | Q(hba1c__gte=3, hba1c__lte=20), name="intake_hba1c_plausible"
            ),
            models.CheckConstraint(
                condition=Q(cigarettes_per_day__isnull=True)
                | Q(cigarettes_per_day__gte=1, cigarettes_per_day__lte=200),
                name="intake_cigarettes_per_day_plausible",
            ),
            models.CheckConstraint(
                condition=Q(smoking_quit_month__isnull=True)
                | Q(smoking_quit_year__isnull=False, smoking_quit_month__gte=1, smoking_quit_month__lte=12),
                name="intake_smoking_quit_month",
            ),
        ]

    def __str__(self) -> str:
        return f"Intake for {self.consultation.reference}"

    @property
    def bmi(self) -> Decimal | None:
        """Body-mass index from pounds and inches (703 x lb / in²), one decimal."""
        if not self.height_inches or not self.weight_pounds:
            return None
        return (Decimal(703 * self.weight_pounds) / Decimal(self.height_inches**2)).quantize(Decimal("0.1"))

    @property
    def pain_returned(self) -> tuple[int, int | None] | None:
        """(year, month or None) the pain came back, or None when not answered."""
        return (self.pain_returned_year, self.pain_returned_month) if self.pain_returned_year else None

    @property
    def is_submitted(self) -> bool:
        return self.status != self.Status.IN_PROGRESS

    @property
    def is_locked(self) -> bool:
        """The surgeon has reviewed it, or the consultation is over or cancelled: the patient can no longer
        change it."""
        return hasattr(self, "review") or not self.consultation.is_going_ahead

    @property
    def unanswered_questions(self) -> models.QuerySet:
        """The surgeon's questions still waiting for the patient's answer, oldest first."""
        return self.information_requests.filter(replied_at__isnull=True)


class Treatment(models.Model):
    class Kind(models.TextChoices):
        PHYSICAL_THERAPY = "physical_therapy", "Physical therapy"
        CHIROPRACTIC = "chiropractic", "Chiropractic"
        EPIDURAL = "epidural", "Epidural steroid injections"
        FACET = "facet", "Facet or medial branch blocks"
        RFA = "rfa", "Radiofrequency ablation"
        SI_JOINT = "si_joint", "Sacroiliac joint injection"
        SCS_TRIAL = "scs_trial", "Spinal cord stimulator trial"
        SCS_IMPLANT = "scs_implant", "Spinal cord stimulator implant"
        PAIN_PSYCHOLOGY = "pain_psychology", "Pain psychology or CBT"
        ACUPUNCTURE = "acupuncture", "Acupuncture"
        MEDICINES = "medicines", "Pain medicines"

    class Helped(models.TextChoices):
        A_LOT = "a_lot", "Helped a lot"
        A_LITTLE = "a_little", "Helped a little"
        NOT_AT_ALL = "not_at_all", "Did not help"
        WORSE = "worse", "Made it worse"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="treatments")
    kind = models.CharField(max_length=20, choices=Kind)
    tried = models.CharField(max_length=6, choices=Answer, blank=True)
    last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    helped = models.CharField(max_length=12, choices=Helped, blank=True)
    detail = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["pk"]
        constraints = [models.UniqueConstraint(fields=["intake", "kind"], name="treatment_once_per_kind")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.get_tried_display() or 'not answered'}"


class ImagingStudy(models.Model):
    class Modality(models.TextChoices):
        MRI = "mri", "MRI"
        MRI_CONTRAST = "mri_contrast", "MRI with contrast"
        CT = "ct", "CT scan"
        CT_MYELOGRAM = "ct_myelogram", "CT myelogram"
        XRAY = "xray", "X-ray"
        XRAY_FLEXION = "xray_flexion", "X-ray bending (flexion-extension) or standing full-length"
        EMG = "emg", "Nerve test (EMG or nerve conduction)"
        OTHER = "other", "Other"

    class Region(models.TextChoices):
        NECK = "neck", "Neck (cervical)"
        MID_BACK = "mid_back", "Mid back (thoracic)"
        LOW_BACK = "low_back", "Low back (lumbar)"
        PELVIS = "pelvis", "Pelvis or sacroiliac joints"
        WHOLE_SPINE = "whole_spine", "Whole spine"
        LEGS = "legs", "Legs"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="imaging")
    modality = models.CharField(max_length=14, choices=Modality)
    region = models.CharField(max_length=12, choices=Region, blank=True)
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField()
    facility = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["-year", "-month", "pk"]
        verbose_name_plural = "imaging studies"
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12), name="imaging_study_month"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_modality_display()}, {self.month or '?'}/{self.year}"


class IntakeVersion(models.Model):
    """The intake as it stood before an amendment made after submission (FHIR: amended)."""

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    snapshot = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["intake", "number"]
        constraints = [models.UniqueConstraint(fields=["intake", "number"], name="intake_version_number")]

    def __str__(self) -> str:
        return f"{self.intake} version {self.number}"
