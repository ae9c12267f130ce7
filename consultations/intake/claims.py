"""The work step as rows, and whether a claim is still open: workers' compensation, an injury lawsuit or a
disability claim, psychosocial factors that predict a poorer result from more surgery (DOMAIN.md §1 item 11, §5).

For the patient's own check page and the surgeon only: the desk never sees these.
"""

from consultations.intake.rows import NO, NOT_ANSWERED, UNANSWERED, YES, Row, shown, value
from consultations.models import Intake
from consultations.models.nerves import Claim

CLAIMS = (
    ("workers_comp_claim", "Workers' compensation claim"),
    ("injury_litigation", "Personal-injury lawsuit"),
    ("disability_claim", "Disability claim"),
)

ClaimState = str  # YES, NO or UNANSWERED (intake.rows)


def work_rows(intake: Intake) -> list[Row]:
    return [
        Row("Work", shown(intake, "work_status")),
        Row("Job", value(intake.occupation)),
        Row("Physical demands of the job", shown(intake, "job_demands")),
        *(Row(label, shown(intake, column), getattr(intake, column) == Claim.OPEN) for column, label in CLAIMS),
    ]


def claims_state(intake: Intake) -> tuple[ClaimState, str]:
    """Whether the patient has an open claim, for the surgeon's risk box: "yes" naming the open ones; "no" only
    when all three were answered and none is open (or unknown); else UNANSWERED, naming what is missing."""
    answers = {label: getattr(intake, column) for column, label in CLAIMS}
    open_claims = [label for label, answer in answers.items() if answer == Claim.OPEN]
    if open_claims:
        return YES, f"Open: {', '.join(open_claims).lower()}"
    unsure = [label.lower() for label, answer in answers.items() if answer == Claim.UNSURE]
    skipped = [label.lower() for label, answer in answers.items() if not answer]
    if unsure or skipped:
        parts = ([f"not sure: {', '.join(unsure)}"] if unsure else []) + (
            [f"{NOT_ANSWERED.lower()}: {', '.join(skipped)}"] if skipped else []
        )
        return UNANSWERED, "; ".join(parts).capitalize()
    closed = [label.lower() for label, answer in answers.items() if answer == Claim.CLOSED]
    return NO, f"None open; settled or closed: {', '.join(closed)}" if closed else "No claims"
