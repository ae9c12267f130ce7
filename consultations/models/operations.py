"""The patient's earlier spine operations: when, what, at which levels, and the implants each left behind
(DOMAIN.md §1 item 6). Rows saved before levels and implants were asked one by one keep their old answers,
shown as written."""

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import F, Q

from consultations.models.intake import Answer, Intake


class Level(models.IntegerChoices):
    """Spinal levels in head-to-tail order. Only the old from-to range uses them (see PriorOperation)."""

    C1, C2, C3, C4, C5, C6, C7 = ((n, f"C{n}") for n in range(1, 8))
    T1, T2, T3, T4, T5, T6, T7, T8, T9, T10, T11, T12 = ((7 + n, f"T{n}") for n in range(1, 13))
    L1, L2, L3, L4, L5 = ((19 + n, f"L{n}") for n in range(1, 6))
    S1 = 25, "S1"


class Segment(models.TextChoices):
    """A motion segment operated on, head to tail. L5-L6 and L6-S1 are for a sixth lumbar vertebra
    (transitional anatomy), which changes how levels are counted on a scan."""

    T12_L1 = "T12-L1", "T12-L1"
    L1_L2 = "L1-L2", "L1-L2"
    L2_L3 = "L2-L3", "L2-L3"
    L3_L4 = "L3-L4", "L3-L4"
    L4_L5 = "L4-L5", "L4-L5"
    L5_S1 = "L5-S1", "L5-S1"
    L5_L6 = "L5-L6", "L5-L6 (I was told I have a sixth lumbar vertebra)"
    L6_S1 = "L6-S1", "L6-S1 (I was told I have a sixth lumbar vertebra)"
    UNSURE = "unsure", "Not sure which levels"


class Implant(models.TextChoices):
    PEDICLE_SCREWS = "pedicle_screws", "Screws and rods (pedicle screws)"
    CAGE = "cage", "Spacer between two vertebrae (interbody cage)"
    PLATE = "plate", "Plate"
    DISC_REPLACEMENT = "disc_replacement", "Artificial disc (disc replacement)"
    STIMULATOR = "stimulator", "Spinal cord stimulator"
    PUMP = "pump", "Pain medicine pump (intrathecal pump)"
    OTHER = "other", "Another implant"


class ImplantState(models.TextChoices):
    IN_PLACE = "in_place", "Still in place"
    REMOVED = "removed", "Taken out since"
    UNSURE = "unsure", "Not sure whether taken out"


# Implants that matter before an MRI and that a surgeon plans around (DOMAIN.md §5: stimulation).
DEVICES = (Implant.STIMULATOR, Implant.PUMP)


class PriorOperation(models.Model):
    class Procedure(models.TextChoices):
        DISCECTOMY = "discectomy", "Discectomy"
        MICRODISCECTOMY = "microdiscectomy", "Microdiscectomy"
        LAMINECTOMY = "laminectomy", "Laminectomy (decompression)"
        FORAMINOTOMY = "foraminotomy", "Foraminotomy"
        FUSION_TLIF = "fusion_tlif", "Fusion: TLIF"
        FUSION_PLIF = "fusion_plif", "Fusion: PLIF"
        FUSION_ALIF = "fusion_alif", "Fusion: ALIF (from the front)"
        FUSION_LLIF = "fusion_llif", "Fusion: LLIF / XLIF (from the side)"
        FUSION_POSTEROLATERAL = "fusion_posterolateral", "Fusion: posterolateral"
        FUSION_OTHER = "fusion_other", "Fusion: other or not sure which"
        DISC_REPLACEMENT = "disc_replacement", "Disc replacement"
        SCS_IMPLANT = "scs_implant", "Spinal cord stimulator implant"
        OTHER = "other", "Other or not sure"

    class Approach(models.TextChoices):
        OPEN = "open", "Open"
        MINIMALLY_INVASIVE = "minimally_invasive", "Minimally invasive"
        ENDOSCOPIC = "endoscopic", "Endoscopic"
        UNSURE = "unsure", "Not sure"

    class Outcome(models.TextChoices):
        BETTER = "better", "Better"
        SAME = "same", "The same"
        WORSE = "worse", "Worse"

    class Complication(models.TextChoices):
        INFECTION = "infection", "Infection"
        DURAL_TEAR = "dural_tear", "Dural tear or spinal fluid leak"
        WOUND = "wound", "Wound problem"
        NERVE = "nerve", "New numbness or weakness"
        REOPERATION = "reoperation", "Needed another operation soon after"
        OTHER = "other", "Something else"

    intake = models.ForeignKey(Intake, on_delete=models.CASCADE, related_name="operations")
    month = models.PositiveSmallIntegerField(null=True, blank=True)
    year = models.PositiveSmallIntegerField()
    procedure = models.CharField(max_length=24, choices=Procedure)
    procedure_detail = models.CharField(max_length=200, blank=True)
    # Each level operated on. The patient ticks them one by one; "unsure" stands alone.
    segments = ArrayField(models.CharField(max_length=8, choices=Segment), default=list, blank=True)
    levels_other = models.CharField(max_length=80, blank=True)
    # The from-to range asked before levels were ticked one by one: kept, read-only, so an old answer still
    # reads as the patient gave it and is never turned into levels they did not tick.
    level_from = models.PositiveSmallIntegerField(choices=Level, null=True, blank=True)
    level_to = models.PositiveSmallIntegerField(choices=Level, null=True, blank=True)
    approach = models.CharField(max_length=20, choices=Approach, blank=True)
    # Whether any implant was put in; the kinds, each with whether it is still in, are in `hardware`
    # ({"pedicle_screws": "in_place", ...}). Rows saved before kinds were asked have only this answer.
    implants = models.CharField(max_length=6, choices=Answer, blank=True)
    hardware = models.JSONField(default=dict, blank=True)
    hardware_detail = models.CharField(max_length=120, blank=True)
    surgeon_name = models.CharField(max_length=120, blank=True)
    hospital = models.CharField(max_length=200, blank=True)
    outcome = models.CharField(max_length=6, choices=Outcome, blank=True)
    relief_months = models.PositiveSmallIntegerField(null=True, blank=True)
    complications = ArrayField(models.CharField(max_length=20, choices=Complication), default=list, blank=True)
    complications_detail = models.CharField(max_length=300, blank=True)
    operative_report = models.CharField(max_length=6, choices=Answer, blank=True)

    class Meta:
        ordering = ["year", "month", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(month__isnull=True) | Q(month__gte=1, month__lte=12), name="prior_operation_month"
            ),
            models.CheckConstraint(
                condition=Q(level_from__isnull=True) | Q(level_to__isnull=True) | Q(level_to__gte=F("level_from")),
                name="prior_operation_levels_in_order",
            ),
            models.CheckConstraint(
                condition=Q(segments__contained_by=Segment.values), name="prior_operation_segments_known"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_procedure_display()}, {self.month or '?'}/{self.year}"

    @property
    def old_range(self) -> str:
        """The from-to range of a row saved before levels were ticked one by one, e.g. "L4-S1"."""
        if self.level_from is None:
            return ""
        if self.level_to is None or self.level_to == self.level_from:
            return self.get_level_from_display()
        return f"{self.get_level_from_display()}-{self.get_level_to_display()}"

    @property
    def levels(self) -> str:
        """The levels as the patient gave them: the ticked ones, else the old range marked as such."""
        if self.segments or self.levels_other:
            ticked = [Segment(value).label if value == Segment.UNSURE else value for value in self.segments]
            return ", ".join([*ticked, *filter(None, [self.levels_other])])
        return f"{self.old_range} (as given before)" if self.old_range else ""

    @property
    def implant_states(self) -> list[tuple[Implant, ImplantState]]:
        """(kind, still in or taken out) for each implant named, in the order of `Implant`."""
        return [
            (kind, ImplantState(self.hardware[kind]))
            for kind in Implant
            if self.hardware.get(kind) in ImplantState.values
        ]

    @property
    def devices_left_in(self) -> list[tuple[str, ImplantState]]:
        """A stimulator or pump that may still be in the body: named and not taken out, or a stimulator
        implant operation with no word on its removal."""
        found = [(kind.label, state) for kind, state in self.implant_states if kind in DEVICES]
        named = {kind for kind, _ in self.implant_states}
        if self.procedure == self.Procedure.SCS_IMPLANT and Implant.STIMULATOR not in named:
            found.append((Implant.STIMULATOR.label, ImplantState.UNSURE))
        return [(label, state) for label, state in found if state != ImplantState.REMOVED]
