"""One answer or one row in words, as both the patient's check page and the surgeon's summary show it: a month
and year, a medicine with its dose and daily morphine equivalent, an operation's implants, how much a patient
smoked. A blank reads "Not answered", never "none"."""

from consultations.intake import mme
from consultations.intake.rows import NOT_ANSWERED
from consultations.models import Intake, Medication, PriorOperation

MONTH_NAMES = ("", "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def month_year(month: int | None, year: int | None) -> str:
    if not year:
        return NOT_ANSWERED
    if not month:
        return str(year)
    return f"{MONTH_NAMES[month]} {year}"


def _number(value) -> str:
    return mme.format_mme(value) if value is not None else ""


def estimate_of(medication: Medication) -> mme.Estimate | None:
    """The daily MME of an opioid on the list, or the reason there is none; None for other medicines."""
    if medication.category != Medication.Category.OPIOID:
        return None
    if not medication.drug:
        return mme.Estimate(medication.name, None, "not chosen from our list of opioids")
    return mme.daily_mme(
        medication.drug,
        strength=medication.strength,
        units_per_dose=medication.units_per_dose,
        times_per_day=medication.times_per_day,
        label=medication.name,
    )


def dose_line(medication: Medication) -> str:
    """ "10 mg, 1 at a time, 3 times a day, since Mar 2022", from whichever numbers were given, then the words."""
    unit = ""
    if medication.drug in mme.table().drugs:
        unit = mme.table().drugs[medication.drug].unit
    parts = [
        f"{_number(medication.strength)} {unit or 'mg'}".strip() if medication.strength is not None else "",
        f"{_number(medication.units_per_dose)} at a time" if medication.units_per_dose is not None else "",
        (f"{medication.times_per_day} time{'s' if medication.times_per_day != 1 else ''} a day")
        if medication.times_per_day
        else "",
        f"since {month_year(medication.since_month, medication.since_year)}" if medication.since_year else "",
        medication.dose,
    ]
    return ", ".join(filter(None, parts))


def medicine_line(medication: Medication, *, with_mme: bool = False) -> str:
    """The medicine and its dose; with `with_mme`, for an opioid its daily MME or why there is none. The patient's
    own pages leave the MME out: it is a risk marker for the surgeon (DOMAIN.md §9), not a figure to act on."""
    dose = dose_line(medication)
    words = f"{medication.name}, {dose}" if dose else medication.name
    estimate = estimate_of(medication) if with_mme else None
    return f"{words} ({estimate.text})" if estimate is not None else words


def implants_text(operation: PriorOperation) -> str:
    """ "Yes: Plate, still in place; Spinal cord stimulator, taken out since", or the yes/no of an older row."""
    named = [f"{kind.label}, {state.label.lower()}" for kind, state in operation.implant_states]
    words = operation.get_implants_display() if operation.implants else ("Yes" if named else NOT_ANSWERED)
    if named:
        words += ": " + "; ".join(named)
    if operation.hardware_detail:
        words += f" ({operation.hardware_detail})"
    return words


def smoking_amount(intake: Intake) -> str:
    """ "20 a day for 15 years (about 15 pack-years)"; a pack-year is a pack of 20 a day for a year (DOMAIN.md §1
    item 10)."""
    per_day, years = intake.cigarettes_per_day, intake.smoking_years
    if per_day is None and years is None:
        return ""
    if years is None:
        return f"{per_day} cigarettes a day"
    if per_day is None:
        return f"for {years} years"
    pack_years = per_day * years / 20
    return f"{per_day} cigarettes a day for {years} years (about {pack_years:g} pack-years)"


def hba1c_text(intake: Intake) -> str:
    if intake.hba1c is None:
        return ""
    return f"HbA1c {intake.hba1c}%" + (f" ({intake.hba1c_year})" if intake.hba1c_year else "")


def osteoporosis_treatment_text(intake: Intake) -> str:
    if not intake.osteoporosis_treatment:
        return intake.osteoporosis_medicine
    words = intake.get_osteoporosis_treatment_display()
    return f"{words}: {intake.osteoporosis_medicine}" if intake.osteoporosis_medicine else words
