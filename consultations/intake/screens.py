"""The psychological screen's result for the surgeon (DOMAIN.md §9): each subscale's sum against its published
cut-off, and a yes / no / not answered state for the risk box. The desk never sees any of it.

No queries: pass a response loaded with its instrument.
"""

from dataclasses import dataclass

from consultations.intake.instruments import Subscale
from consultations.intake.questionnaires import definition_of
from consultations.intake.rows import NO, UNANSWERED, YES
from consultations.intake.scoring import total
from consultations.models import QuestionnaireResponse


@dataclass(frozen=True)
class SubscaleResult:
    subscale: Subscale
    score: int | None  # None unless every item of the subscale was answered
    highest: int

    @property
    def positive(self) -> bool:
        return self.score is not None and self.score >= self.subscale.positive_at

    @property
    def text(self) -> str:
        """ "PHQ-2 4 of 6" or "PHQ-2 not scored"."""
        if self.score is None:
            return f"{self.subscale.title} not scored (an answer is missing)"
        return f"{self.subscale.title} {self.score} of {self.highest}"

    @property
    def flag(self) -> str:
        """ "Screen positive for depression (PHQ-2 4 of 6; positive at 3 or more): Consider a PHQ-9 ..."."""
        rule = f"{self.text}; positive at {self.subscale.positive_at} or more"
        return f"{self.subscale.positive_label} ({rule}). {self.subscale.advice}"


@dataclass(frozen=True)
class MoodScreen:
    title: str
    code: str
    version: str
    clinician_notice: str
    total: int | None
    total_max: int
    band: str  # the clinician's band label, "" without a total
    subscales: list[SubscaleResult]
    answered: int  # items answered
    items: int

    @property
    def positive(self) -> list[SubscaleResult]:
        return [result for result in self.subscales if result.positive]

    @property
    def scores_text(self) -> str:
        """ "PHQ-2 4 of 6, GAD-2 1 of 6; PHQ-4 total 5 of 12 (Mild distress)"."""
        parts = ", ".join(result.text for result in self.subscales)
        if self.total is not None:
            band = f" ({self.band})" if self.band else ""
            parts += f"; {self.title} total {self.total} of {self.total_max}{band}"
        return parts


def mood_screen(response: QuestionnaireResponse | None) -> MoodScreen | None:
    """The screen's result from `response`; None when there is no response or its instrument has no subscales."""
    if response is None:
        return None
    definition = definition_of(response.instrument)
    if not definition.subscales:
        return None
    answers = response.answers
    by_id = {item.id: item for item in definition.items}
    results = [
        SubscaleResult(
            subscale=subscale,
            score=total([answers.get(item_id) for item_id in subscale.items]),
            highest=sum(max(by_id[item_id].values) for item_id in subscale.items),
        )
        for subscale in definition.subscales
    ]
    whole = total([answers.get(item.id) for item in definition.items])
    band = definition.band(response.band) if whole is not None else None
    return MoodScreen(
        title=definition.title,
        code=definition.code,
        version=definition.version,
        clinician_notice=definition.clinician_notice,
        total=whole,
        total_max=definition.score_max,
        band=band.label if band else "",
        subscales=results,
        answered=sum(1 for item in definition.items if answers.get(item.id) is not None),
        items=len(definition.items),
    )


def mood_state(response: QuestionnaireResponse | None) -> tuple[str, str]:
    """For the risk box: ("yes", the positive findings), ("no", the scores) or (UNANSWERED, why).

    Positive as soon as one subscale reaches its cut-off, even with another left blank; "no" only when every
    subscale was scored below its cut-off.
    """
    screen = mood_screen(response)
    if screen is None or screen.answered == 0:
        return UNANSWERED, ""
    if screen.positive:
        return YES, " ".join(result.flag for result in screen.positive)
    if all(result.score is not None for result in screen.subscales):
        return NO, f"{screen.scores_text}: below the cut-offs"
    return UNANSWERED, f"{screen.answered} of {screen.items} questions answered: {screen.scores_text}"
