"""An intake as sections of labelled answers, for the patient's own check page and the surgeon's printout.

Nothing disappears: an unanswered question reads "Not answered", so a reader can tell a "no" from a skip.
"""

from dataclasses import dataclass, field

from consultations.intake.claims import work_rows
from consultations.intake.describe import (
    hba1c_text,
    implants_text,
    medicine_line,
    month_year,
    osteoporosis_treatment_text,
    smoking_amount,
)
from consultations.intake.forms import PAIN_SIDE_LABELS
from consultations.intake.neuro import body_map_rows, body_map_summary, nerve_rows
from consultations.intake.risks import SMOKING_NOW, SURGICAL_BMI
from consultations.intake.rows import NOT_ANSWERED, Row
from consultations.intake.rows import shown as _shown
from consultations.intake.rows import value as _value
from consultations.models import STEPS_BY_SLUG, Intake, PriorOperation, Treatment

__all__ = ["NOT_ANSWERED", "Row", "month_year"]


@dataclass
class Section:
    slug: str
    title: str
    rows: list[Row] = field(default_factory=list)
    # Repeated items (operations, medicines, scans), each a list of rows.
    items: list[list[Row]] = field(default_factory=list)
    empty_items: str = ""


def operation_rows(operation: PriorOperation) -> list[Row]:
    complications = [PriorOperation.Complication(value).label for value in operation.complications]
    if operation.complications_detail:
        complications.append(operation.complications_detail)
    relief = f", relief for {operation.relief_months} months" if operation.relief_months else ""
    return [
        Row("When", month_year(operation.month, operation.year)),
        Row(
            "What was done",
            operation.get_procedure_display()
            + (f": {operation.procedure_detail}" if operation.procedure_detail else ""),
        ),
        Row("Levels", _value(operation.levels)),
        Row("Approach", _shown(operation, "approach")),
        # A stimulator or pump perhaps still in: the surgeon's risk box says so too, for MRI planning.
        Row("Implants", implants_text(operation), bool(operation.devices_left_in)),
        Row("Surgeon and hospital", _value(", ".join(filter(None, [operation.surgeon_name, operation.hospital])))),
        Row("Afterwards", _value(operation.get_outcome_display() + relief if operation.outcome else "")),
        Row("Problems afterwards", ", ".join(complications) or "None reported", notable=bool(complications)),
        Row("Operation report", _shown(operation, "operative_report")),
    ]


def sections(
    intake: Intake,
    *,
    operations: list,
    treatments: list,
    medications: list,
    imaging: list,
    responses: dict[str, list[Row]],
) -> list[Section]:
    """The intake in step order. `responses` maps a questionnaire purpose to its rows (see questionnaires)."""
    title = {slug: step.title for slug, step in STEPS_BY_SLUG.items()}
    pain_map = (
        body_map_rows(intake.pain_map, none=PAIN_SIDE_LABELS[""])
        if intake.pain_map or "pain" in intake.steps_saved
        else [Row("Where it hurts", NOT_ANSWERED)]
    )
    treatments_by_kind = {treatment.kind: treatment for treatment in treatments}
    opioid = intake.takes_opioids == "yes"
    thinner = intake.takes_blood_thinners == "yes"
    smoking = intake.smoking in SMOKING_NOW
    bmi = intake.bmi
    return [
        Section(
            "about",
            title["about"],
            [Row("Main problem", _value(intake.chief_complaint)), Row("Goals", _value(intake.goals))],
        ),
        Section("pain", title["pain"], pain_map + responses.get("pain", [])),
        Section("nerves", title["nerves"], nerve_rows(intake)),
        Section(
            "history",
            title["history"],
            [
                Row("Spine surgery before", _shown(intake, "had_spine_surgery")),
                Row("After the last operation", _shown(intake, "pain_pattern")),
                Row(
                    "Pain came back",
                    month_year(intake.pain_returned_month, intake.pain_returned_year)
                    if intake.pain_returned
                    else NOT_ANSWERED,
                ),
                Row("How it came back", _value(intake.pain_return_story)),
            ],
        ),
        Section(
            "operations",
            title["operations"],
            items=[operation_rows(operation) for operation in operations],
            empty_items="No operations listed.",
        ),
        Section(
            "treatments",
            title["treatments"],
            [
                Row(
                    label,
                    _treatment_value(treatments_by_kind.get(kind)),
                )
                for kind, label in Treatment.Kind.choices
            ],
        ),
        Section(
            "medications",
            title["medications"],
            [
                Row("Opioid pain medicine", _shown(intake, "takes_opioids"), opioid),
                Row("Blood thinner", _shown(intake, "takes_blood_thinners"), thinner),
                Row("Allergies", "No known allergies" if intake.no_known_allergies else _value(intake.allergies)),
            ],
            items=[
                [Row(medication.get_category_display(), medicine_line(medication), medication.category != "other")]
                for medication in medications
            ],
            empty_items="No medicines listed.",
        ),
        Section(
            "imaging",
            title["imaging"],
            items=[
                [
                    Row(
                        study.get_modality_display(),
                        ", ".join(
                            filter(
                                None, [study.get_region_display(), month_year(study.month, study.year), study.facility]
                            )
                        ),
                    )
                ]
                for study in imaging
            ],
            empty_items="No scans listed.",
        ),
        Section(
            "health",
            title["health"],
            [
                Row("Diabetes", _shown(intake, "diabetes")),
                *_diabetes_details(intake),
                Row("Smoking or nicotine", _shown(intake, "smoking"), smoking),
                *_smoking_details(intake),
                Row(
                    "Height",
                    f"{intake.height_inches // 12} ft {intake.height_inches % 12} in"
                    if intake.height_inches
                    else NOT_ANSWERED,
                ),
                Row("Weight", f"{intake.weight_pounds} lb" if intake.weight_pounds else NOT_ANSWERED),
                Row("BMI", _value(bmi), bmi is not None and bmi >= SURGICAL_BMI),
                Row("Thin bones", _shown(intake, "osteoporosis")),
                *_osteoporosis_details(intake),
                *[
                    Row(label, _shown(intake, name))
                    for name, label in (
                        ("heart_disease", "Heart disease"),
                        ("lung_disease", "Lung disease"),
                        ("sleep_apnoea", "Sleep apnea"),
                        ("long_term_steroids", "Long-term steroids"),
                    )
                ],
            ],
        ),
        Section("function", title["function"], responses.get("function", [])),
        Section("mood", title["mood"], responses.get("mood", [])),
        Section(
            "work",
            title["work"],
            work_rows(intake),
        ),
        Section(
            "consent",
            title["consent"],
            [
                Row("Privacy notice", "Agreed" if intake.privacy_consent_at else NOT_ANSWERED),
                Row(
                    "Contact by",
                    ", ".join(
                        label
                        for name, label in (
                            ("contact_by_email", "e-mail"),
                            ("contact_by_phone", "phone"),
                            ("contact_by_text", "text message"),
                        )
                        if getattr(intake, name)
                    )
                    or NOT_ANSWERED,
                ),
            ],
        ),
    ]


def _diabetes_details(intake: Intake) -> list[Row]:
    """Insulin and the last HbA1c, asked when the patient has (or may have) diabetes or answered them anyway."""
    if intake.diabetes not in ("yes", "unsure") and not intake.diabetes_insulin and intake.hba1c is None:
        return []
    return [Row("Insulin", _shown(intake, "diabetes_insulin")), Row("Last HbA1c", hba1c_text(intake) or NOT_ANSWERED)]


def _smoking_details(intake: Intake) -> list[Row]:
    rows = []
    if intake.smoking not in ("", Intake.Smoking.NEVER) or smoking_amount(intake):
        rows.append(Row("How much", smoking_amount(intake) or NOT_ANSWERED))
    if intake.smoking == Intake.Smoking.FORMER:
        rows.append(Row("Stopped", month_year(intake.smoking_quit_month, intake.smoking_quit_year)))
    return rows


def _osteoporosis_details(intake: Intake) -> list[Row]:
    if intake.osteoporosis not in ("yes", "unsure") and not osteoporosis_treatment_text(intake):
        return []
    return [Row("Treatment for thin bones", osteoporosis_treatment_text(intake) or NOT_ANSWERED)]


def _treatment_value(treatment) -> str:
    if treatment is None or not treatment.tried:
        return NOT_ANSWERED
    if treatment.tried != "yes":
        return treatment.get_tried_display()
    parts = ["Tried"]
    if treatment.last_year:
        parts.append(f"last in {treatment.last_year}")
    parts.append(treatment.get_helped_display().lower() if treatment.helped else "helped? not answered")
    if treatment.detail:
        parts.append(treatment.detail)
    return ", ".join(parts)


# The surgeon's summary: what to see first, and the operations as a timeline --------------------------------


def _span(months: int) -> str:
    years, months = divmod(months, 12)
    parts = [f"{years} year{'s' if years != 1 else ''}"] if years else []
    if months:
        parts.append(f"{months} month{'s' if months != 1 else ''}")
    return " ".join(parts) or "less than a month"


def interval(earlier: tuple[int, int | None], later: tuple[int, int | None]) -> str:
    """The time between two (year, month or None) dates, in words; in whole years when a month is unknown."""
    (year_a, month_a), (year_b, month_b) = earlier, later
    if month_a and month_b:
        months = (year_b - year_a) * 12 + month_b - month_a
        return "the same month" if months == 0 else _span(months)
    years = year_b - year_a
    if years == 0:
        return "the same year"
    return f"about {years} year{'s' if years != 1 else ''}"


def _after(gap: str, what: str) -> str:
    """For example "1 year after the last operation", or "in the same year as the last operation"."""
    return f"in {gap} as {what}" if gap.startswith("the same") else f"{gap} after {what}"


@dataclass(frozen=True)
class TimelineEntry:
    operation: PriorOperation
    heading: str
    rows: list[Row]
    # Since the operation before it, e.g. "1 year 4 months after the one before"; empty for the first.
    gap: str
    complications: bool


def operations_timeline(operations: list[PriorOperation]) -> list[TimelineEntry]:
    """The operations oldest first, each with the time since the one before."""
    entries = []
    previous = None
    for operation in sorted(operations, key=lambda o: (o.year, o.month or 0, o.pk or 0)):
        rows = operation_rows(operation)
        what = next(row.value for row in rows if row.label == "What was done")
        heading = ", ".join(filter(None, [month_year(operation.month, operation.year), what, operation.levels]))
        gap = ""
        if previous is not None:
            gap = _after(interval((previous.year, previous.month), (operation.year, operation.month)), "the one before")
        rows = [row for row in rows if row.label not in ("When", "What was done", "Levels")]
        entries.append(TimelineEntry(operation, heading, rows, gap, bool(operation.complications)))
        previous = operation
    return entries


def since_last_operation(
    operations: list[PriorOperation], *, pain_returned: tuple[int, int | None] | None, today
) -> list[Row]:
    """How long ago the last operation was, and when after it the pain came back."""
    if not operations:
        return []
    last = max(operations, key=lambda o: (o.year, o.month or 0))
    rows = [Row("Since the last operation", interval((last.year, last.month), (today.year, today.month)))]
    if pain_returned is not None:
        returned = pain_returned
        when = month_year(returned[1], returned[0])
        if (returned[0], returned[1] or 12) < (last.year, last.month or 0):
            rows.append(Row("Pain came back", f"{when}, before the last operation"))
        else:
            rows.append(
                Row(
                    "Pain came back",
                    f"{when}, {_after(interval((last.year, last.month), returned), 'the last operation')}",
                )
            )
    return rows


def compact(rows: list[Row]) -> list[Row]:
    """The answered rows, then one "Not answered" row naming the skipped questions: shorter, and still nothing
    disappears."""
    skipped = [row.label for row in rows if row.value == NOT_ANSWERED]
    answered = [row for row in rows if row.value != NOT_ANSWERED]
    return answered + ([Row(NOT_ANSWERED, ", ".join(skipped))] if skipped else [])


def pain_map_row(rows: list[Row]) -> Row:
    """The pain map rows of sections() as one: "Low back (both sides), Foot (left)"."""
    if len(rows) == 1:
        return rows[0]
    return Row("Where it hurts", body_map_summary(rows, none=PAIN_SIDE_LABELS[""]))
