"""The "Before planning surgery" box on the surgeon's summary: one row per factor that changes the planning of an
operation (DOMAIN.md §1 items 8 and 10, §5, §9), each answered yes, no or "Not answered", with its details.

A blank is never read as "no". `risk_rows` is the one list; a new factor is one more row appended to it.
"""

from dataclasses import dataclass

from consultations.intake import mme
from consultations.intake.claims import claims_state
from consultations.intake.describe import (
    dose_line,
    estimate_of,
    hba1c_text,
    month_year,
    osteoporosis_treatment_text,
    smoking_amount,
)
from consultations.intake.rows import FORMER, NO, NOT_ANSWERED, UNANSWERED, UNSURE, YES
from consultations.intake.screens import mood_state
from consultations.models import Intake, Medication, PriorOperation, QuestionnaireResponse, Treatment
from consultations.models.operations import ImplantState

# From here the risks of an operation rise markedly (marked among the surgeon's risks).
SURGICAL_BMI = 35
SMOKING_NOW = (Intake.Smoking.CURRENT, Intake.Smoking.VAPING)

# Rows of display.sections() this box already answers: the sections below it leave them out,
# so no fact reads twice on the summary. The patient's own check page keeps them all.
IN_RISK_BOX = {
    "medications": {"Opioid pain medicine", "Blood thinner"},
    "health": {"Diabetes", "Insulin", "Last HbA1c", "Smoking or nicotine", "How much", "Stopped", "BMI"}
    | {"Thin bones", "Treatment for thin bones", "Long-term steroids"},
}


ANSWER_LABELS = {YES: "Yes", NO: "No", FORMER: "Former", UNSURE: "Not sure", UNANSWERED: NOT_ANSWERED}


@dataclass(frozen=True)
class RiskRow:
    key: str
    label: str
    # yes, no, former, unsure or not_answered
    answer: str
    detail: str = ""
    # Worth the surgeon's attention before planning: shown with a warning mark.
    flagged: bool = False

    @property
    def answer_label(self) -> str:
        return ANSWER_LABELS[self.answer]


def _answer(value: str) -> str:
    """An Answer column as a row's answer: blank is "not answered"."""
    return value or UNANSWERED


def _medicines_row(key: str, label: str, answer: str, listed: list[Medication], detail: str) -> RiskRow:
    # A medicine on the list answers the question even when the question itself was skipped or said "no".
    answer = YES if listed else _answer(answer)
    return RiskRow(key, label, answer, detail, flagged=answer in (YES, UNSURE))


def opioid_row(intake: Intake, opioids: list[Medication]) -> RiskRow:
    parts = []
    for medication in opioids:
        dose = dose_line(medication)
        parts.append(f"{medication.name}{f' {dose}' if dose else ''}: {estimate_of(medication).text}")
    total = mme.total([estimate_of(medication) for medication in opioids])
    if len(opioids) > 1:
        parts.append(total.text[0].upper() + total.text[1:])
    if not opioids and intake.takes_opioids == "yes":
        parts.append("No medicine named")
    detail = "; ".join(parts) + (f". {total.threshold}" if total.threshold else "")
    return _medicines_row("opioids", "Opioids", intake.takes_opioids, opioids, detail)


def blood_thinner_row(intake: Intake, thinners: list[Medication]) -> RiskRow:
    names = [f"{medication.name}{f' {medication.dose}' if medication.dose else ''}" for medication in thinners]
    if not names and intake.takes_blood_thinners == "yes":
        names = ["No medicine named"]
    return _medicines_row(
        "blood_thinners",
        "Anticoagulant or antiplatelet",
        intake.takes_blood_thinners,
        thinners,
        ", ".join(names),
    )


def smoking_row(intake: Intake) -> RiskRow:
    amount = smoking_amount(intake)
    if intake.smoking in SMOKING_NOW:
        # "Yes, vaping or other nicotine" reads "vaping or other nicotine" after the row's own "Yes".
        detail = ", ".join(filter(None, [intake.get_smoking_display().removeprefix("Yes, "), amount]))
        return RiskRow("smoking", "Smoking or nicotine", YES, detail, flagged=True)
    if intake.smoking == Intake.Smoking.FORMER:
        stopped = (
            f"stopped {month_year(intake.smoking_quit_month, intake.smoking_quit_year)}"
            if intake.smoking_quit_year
            else "when they stopped: not answered"
        )
        return RiskRow("smoking", "Smoking or nicotine", FORMER, ", ".join(filter(None, [stopped, amount])))
    return RiskRow("smoking", "Smoking or nicotine", NO if intake.smoking else UNANSWERED)


def bmi_row(intake: Intake) -> RiskRow:
    label = f"BMI {SURGICAL_BMI} or over"
    bmi = intake.bmi
    if bmi is None:
        return RiskRow("bmi", label, UNANSWERED, "height or weight not given")
    return RiskRow("bmi", label, YES if bmi >= SURGICAL_BMI else NO, f"BMI {bmi}", flagged=bmi >= SURGICAL_BMI)


def diabetes_row(intake: Intake) -> RiskRow:
    insulin = {"yes": "uses insulin", "no": "no insulin", "unsure": "not sure about insulin"}.get(
        intake.diabetes_insulin, ""
    )
    answer = YES if intake.diabetes_insulin == "yes" else _answer(intake.diabetes)
    detail = ", ".join(filter(None, [insulin, hba1c_text(intake)]))
    return RiskRow("diabetes", "Diabetes", answer, detail, flagged=answer == YES)


def osteoporosis_row(intake: Intake) -> RiskRow:
    answer = _answer(intake.osteoporosis)
    return RiskRow(
        "osteoporosis",
        "Osteoporosis or osteopenia",
        answer,
        osteoporosis_treatment_text(intake),
        flagged=answer == YES,
    )


def steroids_row(intake: Intake) -> RiskRow:
    answer = _answer(intake.long_term_steroids)
    return RiskRow("steroids", "Long-term steroids", answer, flagged=answer == YES)


def device_row(intake: Intake, operations: list[PriorOperation], treatments: list[Treatment]) -> RiskRow:
    """A spinal cord stimulator or intrathecal pump that may still be implanted: it matters for MRI planning."""
    label = "Stimulator or pump implanted"
    found = [
        f"{device} ({operation.year} operation): {state.label.lower()}"
        for operation in operations
        for device, state in operation.devices_left_in
    ]
    in_place = any(state == ImplantState.IN_PLACE for operation in operations for _, state in operation.devices_left_in)
    # A stimulator listed among treatments says nothing of its removal; operations that name one say more.
    named_in_operations = any(
        operation.procedure == PriorOperation.Procedure.SCS_IMPLANT or "stimulator" in operation.hardware
        for operation in operations
    )
    scs_treatment = any(t.kind == Treatment.Kind.SCS_IMPLANT and t.tried == "yes" for t in treatments)
    if scs_treatment and not named_in_operations:
        found.append("a stimulator implant is listed among treatments, with no word on whether it was taken out")
    if found:
        detail = "; ".join(found) + ". Check MRI safety before ordering a scan."
        return RiskRow("devices", label, YES if in_place else UNSURE, detail, flagged=True)
    # "No" only once both places a stimulator could be listed were answered.
    if operations or "operations" in intake.steps_saved:
        if treatments or "treatments" in intake.steps_saved:
            return RiskRow("devices", label, NO, "none listed among operations or treatments")
        return RiskRow("devices", label, UNANSWERED, "none among operations; the treatments step not answered")
    return RiskRow("devices", label, UNANSWERED)


def _state_row(key: str, label: str, state: tuple[str, str]) -> RiskRow:
    """A row from a (YES | NO | UNANSWERED, detail) pair, as `claims_state` and `mood_state` give."""
    answer, detail = state
    return RiskRow(key, label, answer, detail, flagged=answer == YES)


def risk_rows(
    intake: Intake,
    *,
    medications: list[Medication],
    operations: list[PriorOperation],
    treatments: list[Treatment],
    mood: QuestionnaireResponse | None = None,
) -> list[RiskRow]:
    """One row per factor, in the order a surgeon plans: medicines, habits, conditions, implants, then what
    predicts a poorer result from more surgery (DOMAIN.md §9: distress and claims, read as context, not as a
    reason to refuse care). `mood` is the intake's psychological screen, if answered."""
    by_category = {
        category: [medication for medication in medications if medication.category == category]
        for category in Medication.Category
    }
    return [
        opioid_row(intake, by_category[Medication.Category.OPIOID]),
        blood_thinner_row(intake, by_category[Medication.Category.BLOOD_THINNER]),
        smoking_row(intake),
        bmi_row(intake),
        diabetes_row(intake),
        osteoporosis_row(intake),
        steroids_row(intake),
        device_row(intake, operations, treatments),
        _state_row("mood", "Mood screen positive", mood_state(mood)),
        _state_row("claim", "Open claim (work, injury or disability)", claims_state(intake)),
    ]
