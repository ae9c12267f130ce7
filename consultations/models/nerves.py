"""The patient's nerve status and the claims around their work, kept on the intake (DOMAIN.md §1 items 4 and 11).

Abstract parts of `Intake`, so their columns live on the intake row (one query, and kept in each amendment's
snapshot) while the intake module stays readable. Blank always means "not answered"; every stored choice and
number is checked by a named constraint as well as by the form.
"""

from django.db import models
from django.db.models import Q

from consultations.models.answers import Answer


class Side(models.TextChoices):
    NONE = "none", "Not weak"
    LEFT = "left", "Left"
    RIGHT = "right", "Right"
    BOTH = "both", "Both sides"


class Walking(models.TextChoices):
    NOT_LIMITED = "not_limited", "My legs do not stop me walking"
    LIMITED = "limited", "Pain, numbness or weakness in my legs makes me stop after a while"
    CANNOT_WALK = "cannot_walk", "I cannot walk, or only a few steps"


class BladderBowel(models.TextChoices):
    NORMAL = "normal", "They work normally for me"
    KNOWN_PROBLEM = "known_problem", "I have a long-standing problem that a doctor already knows about"
    UNSURE = "unsure", "Not sure"


class Claim(models.TextChoices):
    NONE = "none", "No"
    OPEN = "open", "Yes, still open"
    CLOSED = "closed", "Yes, settled or closed"
    UNSURE = "unsure", "Not sure"


class Demand(models.TextChoices):
    # The strength levels of the US Dictionary of Occupational Titles (background, not in DOMAIN.md), with
    # examples a patient recognises.
    SEDENTARY = "sedentary", "Mostly sitting (for example office or desk work)"
    LIGHT = "light", "Light: on your feet a lot, lifting up to about 20 lb (for example shop or reception work)"
    MEDIUM = "medium", "Medium: lifting up to about 50 lb (for example nursing, cooking, delivery)"
    HEAVY = "heavy", "Heavy: lifting up to about 100 lb (for example building or warehouse work)"
    VERY_HEAVY = "very_heavy", "Very heavy: lifting more than 100 lb (for example moving furniture)"


# The movements whose weakness points to a nerve root (DOMAIN.md §1 item 4): (column, in plain words with the
# clinical name for the surgeon). Each column holds a Side, or blank when not answered.
WEAKNESS_MOVEMENTS = (
    ("weak_hip_flexion", "Lifting the thigh (hip flexion)"),
    ("weak_knee_extension", "Straightening the knee (knee extension)"),
    ("weak_ankle_dorsiflexion", "Lifting the foot (ankle dorsiflexion; foot drop)"),
    ("weak_toe_extension", "Lifting the big toe (big-toe extension)"),
    ("weak_plantar_flexion", "Standing on tiptoe (plantar flexion)"),
)
# Longer than a walk anyone stops for: a limit beyond these is not a limit, or a typing slip.
MAX_WALKING_BLOCKS = 100
MAX_WALKING_MINUTES = 240
MAX_FALLS = 365


def _choice(field: str, choices: type[models.TextChoices]) -> Q:
    return Q(**{field: ""}) | Q(**{f"{field}__in": choices.values})


def _range(field: str, high: int) -> Q:
    return Q(**{f"{field}__isnull": True}) | Q(**{f"{field}__gte": 0, f"{field}__lte": high})


class NerveHistory(models.Model):
    """Weakness, numbness, walking, balance and the usual bladder and bowel function: the nerves step."""

    weak_hip_flexion = models.CharField(max_length=5, choices=Side, blank=True)
    weak_knee_extension = models.CharField(max_length=5, choices=Side, blank=True)
    weak_ankle_dorsiflexion = models.CharField(max_length=5, choices=Side, blank=True)
    weak_toe_extension = models.CharField(max_length=5, choices=Side, blank=True)
    weak_plantar_flexion = models.CharField(max_length=5, choices=Side, blank=True)
    # Numbness or tingling, apart from pain, on the same body map as the pain: {"foot": "left", ...}; an area
    # asked and left clear is stored as "" (see intake.forms.BodyMapForm).
    numbness = models.CharField(max_length=6, choices=Answer, blank=True)
    numbness_map = models.JSONField(default=dict, blank=True)
    walking = models.CharField(max_length=12, choices=Walking, blank=True)
    walking_blocks = models.PositiveSmallIntegerField(null=True, blank=True)
    walking_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Bending forward or sitting eases the legs: a sign of narrowing of the spinal canal (neurogenic claudication).
    walking_eased_by_bending = models.CharField(max_length=6, choices=Answer, blank=True)
    balance_problems = models.CharField(max_length=6, choices=Answer, blank=True)
    falls_last_year = models.PositiveSmallIntegerField(null=True, blank=True)
    # The usual state, as history. NEW problems are the red-flag screen's (DOMAIN.md §3 A), never asked here.
    bladder_bowel = models.CharField(max_length=14, choices=BladderBowel, blank=True)
    bladder_bowel_detail = models.CharField(max_length=300, blank=True)

    class Meta:
        abstract = True
        constraints = [
            *(
                models.CheckConstraint(condition=_choice(column, Side), name=f"intake_{column}_side")
                for column, _ in WEAKNESS_MOVEMENTS
            ),
            models.CheckConstraint(condition=_choice("numbness", Answer), name="intake_numbness_answer"),
            models.CheckConstraint(
                condition=Q(numbness="yes") | Q(numbness_map={}),
                name="intake_numbness_areas_only_if_numb",
            ),
            models.CheckConstraint(condition=_choice("walking", Walking), name="intake_walking_choice"),
            models.CheckConstraint(
                condition=_range("walking_blocks", MAX_WALKING_BLOCKS), name="intake_walking_blocks_plausible"
            ),
            models.CheckConstraint(
                condition=_range("walking_minutes", MAX_WALKING_MINUTES), name="intake_walking_minutes_plausible"
            ),
            models.CheckConstraint(
                condition=Q(walking="limited") | Q(walking_blocks__isnull=True, walking_minutes__isnull=True),
                name="intake_walking_limit_only_if_limited",
            ),
            models.CheckConstraint(
                condition=_choice("walking_eased_by_bending", Answer), name="intake_walking_eased_answer"
            ),
            models.CheckConstraint(condition=_choice("balance_problems", Answer), name="intake_balance_answer"),
            models.CheckConstraint(condition=_range("falls_last_year", MAX_FALLS), name="intake_falls_plausible"),
            models.CheckConstraint(condition=_choice("bladder_bowel", BladderBowel), name="intake_bladder_bowel"),
            models.CheckConstraint(
                condition=Q(bladder_bowel="known_problem") | Q(bladder_bowel_detail=""),
                name="intake_bladder_bowel_detail_only_if_known",
            ),
        ]


class WorkClaims(models.Model):
    """Claims and the job's physical demands, part of the work step: psychosocial factors that predict a poorer
    result from more surgery (DOMAIN.md §1 item 11, §5). The surgeon sees them; the desk never does."""

    workers_comp_claim = models.CharField(max_length=6, choices=Claim, blank=True)
    injury_litigation = models.CharField(max_length=6, choices=Claim, blank=True)
    disability_claim = models.CharField(max_length=6, choices=Claim, blank=True)
    job_demands = models.CharField(max_length=10, choices=Demand, blank=True)

    class Meta:
        abstract = True
        constraints = [
            *(
                models.CheckConstraint(condition=_choice(column, Claim), name=f"intake_{column}_choice")
                for column in ("workers_comp_claim", "injury_litigation", "disability_claim")
            ),
            models.CheckConstraint(condition=_choice("job_demands", Demand), name="intake_job_demands_choice"),
        ]
