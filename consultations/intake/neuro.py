"""The nerves step as rows: the body map (pain or numbness) read area by area, the step's section for the
patient's check page and the surgeon's printout, and the short "neurological deficits" list for the top of the
surgeon's summary (DOMAIN.md §1 items 3-4: what separates a pressed nerve from other pain)."""

from consultations.intake.forms import PAIN_AREAS, PAIN_SIDE_LABELS
from consultations.intake.nerves import NumbnessMapForm
from consultations.intake.rows import NOT_ANSWERED, Row, shown, value
from consultations.models import Intake
from consultations.models.nerves import WEAKNESS_MOVEMENTS, BladderBowel, Side, Walking

NUMBNESS_NONE = NumbnessMapForm.none_label


def body_map_rows(body_map: dict, *, none: str) -> list[Row]:
    """One row per area: its side, `none` when the area was shown and left clear, "Not answered" when it was not
    on the map the patient saw (an area added later)."""
    return [
        Row(label, PAIN_SIDE_LABELS.get(body_map[area], body_map[area]) if body_map[area] else none)
        if area in body_map
        else Row(label, NOT_ANSWERED)
        for area, label in PAIN_AREAS
    ]


def body_map_summary(rows: list[Row], *, none: str) -> str:
    """The rows of body_map_rows as one line: "Low back (both sides), Foot (left)", then the areas not asked."""
    marked = [f"{row.label} ({row.value.lower()})" for row in rows if row.value not in (none, NOT_ANSWERED)]
    skipped = [row.label for row in rows if row.value == NOT_ANSWERED]
    text = ", ".join(marked) or "Nowhere marked"
    return f"{text}; {NOT_ANSWERED.lower()}: {', '.join(skipped)}" if skipped else text


def _plural(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def walking_limit(intake: Intake) -> str:
    """For example "Stops after about 2 blocks or 10 minutes"."""
    if intake.walking != Walking.LIMITED:
        return shown(intake, "walking")
    limits = [
        _plural(number, unit)
        for number, unit in ((intake.walking_blocks, "block"), (intake.walking_minutes, "minute"))
        if number is not None
    ]
    return f"Stops after about {' or '.join(limits)}" if limits else "Stops after a while (how far not answered)"


def bladder_bowel(intake: Intake) -> str:
    if intake.bladder_bowel != BladderBowel.KNOWN_PROBLEM:
        return shown(intake, "bladder_bowel")
    return "Long-standing problem a doctor knows about" + (
        f": {intake.bladder_bowel_detail}" if intake.bladder_bowel_detail else " (not described)"
    )


def numbness_where(intake: Intake) -> str:
    return body_map_summary(body_map_rows(intake.numbness_map, none=NUMBNESS_NONE), none=NUMBNESS_NONE)


def nerve_rows(intake: Intake) -> list[Row]:
    """The nerves step in full, one row per question; a blank reads "Not answered"."""
    numb = [Row("Numbness or tingling", shown(intake, "numbness"))]
    if intake.numbness == "yes":
        numb.append(Row("Where numb or tingling", numbness_where(intake)))
    return [
        *(
            Row(f"Weakness: {label}", shown(intake, column), getattr(intake, column) not in ("", Side.NONE))
            for column, label in WEAKNESS_MOVEMENTS
        ),
        *numb,
        Row("Walking", walking_limit(intake)),
        Row("Bending forward or sitting eases the legs", shown(intake, "walking_eased_by_bending")),
        Row("Balance problems", shown(intake, "balance_problems")),
        Row("Falls in the last 12 months", value(intake.falls_last_year)),
        Row("Bladder and bowels, usually", bladder_bowel(intake)),
    ]


def _clinical(label: str) -> str:
    """The clinician's name in a movement's label: "Lifting the foot (ankle dorsiflexion; foot drop)" gives
    "ankle dorsiflexion; foot drop"."""
    return label.split(" (", 1)[1].rstrip(")") if " (" in label else label.lower()


def weakness_summary(intake: Intake) -> Row:
    """The weak movements by their clinical names, for the surgeon: "ankle dorsiflexion; foot drop: left"."""
    weak = [
        f"{_clinical(label)}: {getattr(intake, f'get_{column}_display')().lower()}"
        for column, label in WEAKNESS_MOVEMENTS
        if getattr(intake, column) not in ("", Side.NONE)
    ]
    skipped = [_clinical(label) for column, label in WEAKNESS_MOVEMENTS if not getattr(intake, column)]
    if len(skipped) == len(WEAKNESS_MOVEMENTS):
        return Row("Weakness", NOT_ANSWERED)
    text = "; ".join(weak) or "None of the five movements"
    if skipped:
        text += f"; {NOT_ANSWERED.lower()}: {', '.join(skipped)}"
    return Row("Weakness", text, bool(weak))


def neuro_deficits(intake: Intake) -> list[Row]:
    """Five short rows for the first screen of the surgeon's summary: weakness by movement and side, where it is
    numb, the walking limit and what eases it, falls, and the usual bladder and bowel function."""
    if intake.numbness == "yes":
        numb = Row("Numbness or tingling", numbness_where(intake), True)
    else:
        numb = Row("Numbness or tingling", shown(intake, "numbness"))
    walking = walking_limit(intake)
    if intake.walking == Walking.LIMITED or intake.walking_eased_by_bending:
        walking += f"; eased by bending forward or sitting: {shown(intake, 'walking_eased_by_bending').lower()}"
    if intake.falls_last_year is None:
        falls = NOT_ANSWERED if not intake.balance_problems else f"{NOT_ANSWERED} (how many)"
    else:
        falls = f"{_plural(intake.falls_last_year, 'fall')} in the last 12 months"
    if intake.balance_problems:
        falls += f"; balance problems: {shown(intake, 'balance_problems').lower()}"
    return [
        weakness_summary(intake),
        numb,
        Row("Walking", walking, intake.walking in (Walking.LIMITED, Walking.CANNOT_WALK)),
        Row("Falls and balance", falls, bool(intake.falls_last_year) or intake.balance_problems == "yes"),
        Row("Bladder and bowels, usually", bladder_bowel(intake)),
    ]
