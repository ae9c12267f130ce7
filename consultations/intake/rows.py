"""The labelled row every view of an intake is made of, and how a blank answer reads: "Not answered", so a reader
can tell a "no" from a skip. Shared by intake.display and the parts it gathers (nerves, claims)."""

from dataclasses import dataclass

NOT_ANSWERED = "Not answered"

# A factor's answer, as the surgeon's risk box and the parts feeding it (claims, the mood screen) give it.
YES, NO, FORMER, UNSURE, UNANSWERED = "yes", "no", "former", "unsure", "not_answered"


@dataclass(frozen=True)
class Row:
    label: str
    value: str
    # Worth a surgeon's attention before an operation (opioids, blood thinners, smoking, a high BMI...).
    notable: bool = False


def value(answer: object) -> str:
    if answer in (None, "", []):
        return NOT_ANSWERED
    return str(answer)


def shown(row: object, name: str) -> str:
    """A choice field's label, or "Not answered" when left blank."""
    return getattr(row, f"get_{name}_display")() if getattr(row, name) else NOT_ANSWERED
