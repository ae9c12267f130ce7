"""The function score on the surgeon's summary: this history's score, from how many sections, its trend, and
the change since the last one judged only by the instrument's own threshold (DOMAIN.md §2.2-§2.4).

No queries: the callers pass responses loaded with their intake and instrument.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.utils import timezone

from consultations.intake import scoring
from consultations.intake.display import Row
from consultations.intake.questionnaires import NO_SCORE, change_between, definition_of, response_rows
from consultations.models import Intake, QuestionnaireResponse
from consultations.review import charts

SCORED = "scored"
TOO_FEW = "too_few"
NOT_ANSWERED = "not_answered"


def intake_date(intake: Intake) -> date:
    """The day a history counts from: when it was sent, or started if it never was."""
    return timezone.localdate(intake.submitted_at or intake.created_at)


@dataclass(frozen=True)
class ScorePoint:
    intake_id: int
    when: date
    score: Decimal
    band: str
    current: bool


@dataclass(frozen=True)
class FunctionScore:
    title: str
    code: str
    version: str
    clinician_notice: str
    score: Decimal | None
    band: str
    answers: list[Row]
    history: list[ScorePoint]
    change: scoring.Change | None
    previous: ScorePoint | None
    chart: charts.TrendChart | None
    # This history's answers: SCORED, TOO_FEW (some answers, no score) or NOT_ANSWERED (none at all).
    status: str = NOT_ANSWERED
    answered: int = 0
    sections: int = 0
    threshold: scoring.Threshold | None = None

    @property
    def change_label(self) -> str:
        if self.change is None:
            return ""
        return {
            scoring.Direction.IMPROVED: "Meaningful improvement",
            scoring.Direction.WORSENED: "Meaningful worsening",
            scoring.Direction.UNCHANGED: "No meaningful change",
        }.get(self.change.direction, "Change, not judged")

    @property
    def change_icon(self) -> str:
        """Beside the words, never instead of them: down is better on this scale."""
        if self.change is None or self.change.direction == scoring.Direction.NOT_JUDGED:
            return ""
        return {scoring.Direction.IMPROVED: "▼", scoring.Direction.WORSENED: "▲"}.get(self.change.direction, "=")

    @property
    def threshold_text(self) -> str:
        """What counts as a meaningful change and where that comes from, or that nothing validated does."""
        if self.threshold is None:
            return (
                "No validated threshold exists for judging a change on this questionnaire; "
                "the change is shown in points only."
            )
        return f"A meaningful change is {self.threshold.describe()} ({self.threshold.source})."

    @property
    def change_text(self) -> str:
        change = self.change
        if change is None:
            return ""
        sign = "+" if change.points > 0 else ""
        if change.direction == scoring.Direction.NOT_JUDGED or change.percent is None:
            return f"{sign}{change.points} points"
        return f"{sign}{change.points} points, {sign}{change.percent}%"


def _band_label(response: QuestionnaireResponse) -> str:
    band = definition_of(response.instrument).band(response.band)
    return band.label if band else ""


def function_score(
    current: QuestionnaireResponse | None, scored: list[QuestionnaireResponse], *, intake_id: int | None
) -> FunctionScore | None:
    """This history's function score with every earlier score of the same questionnaire and version
    (DOMAIN.md §2.1: never mix versions on one timeline), and the change since the last one (§2.4), computed
    exactly from the stored answers of both."""
    instrument = current.instrument if current is not None else (scored[-1].instrument if scored else None)
    if instrument is None:
        return None
    definition = definition_of(instrument)
    if definition.method == NO_SCORE:
        return None
    same = [response for response in scored if response.instrument_id == instrument.pk]
    history = [
        ScorePoint(
            intake_id=response.intake_id,
            when=intake_date(response.intake),
            score=response.score,
            band=_band_label(response),
            current=response.intake_id == intake_id,
        )
        for response in same
    ]
    now = next((response for response in same if response.intake_id == intake_id), None)
    before = [response for response in same if response.intake_id != intake_id]
    earlier = before[-1] if before and now is not None else None
    previous = next((point for point in history if earlier and point.intake_id == earlier.intake_id), None)
    change = change_between(earlier, now) if earlier is not None and now is not None else None
    chart = charts.score_trend_chart([(f"{point.when:%b %Y}", point.score, point.current) for point in history])
    answers = [
        row for row in response_rows(instrument, current, clinician=True) if row.label not in ("Questionnaire", "Score")
    ]
    given = current.answers if current is not None else {}
    answered = sum(1 for item in definition.items if given.get(item.id) is not None)
    status = TOO_FEW if answered else NOT_ANSWERED
    if current is not None and current.score is not None:
        status = SCORED
    return FunctionScore(
        title=definition.title,
        code=definition.code,
        version=definition.version,
        clinician_notice=definition.clinician_notice,
        score=current.score if current is not None else None,
        band=_band_label(current) if status == SCORED else "",
        answers=answers,
        history=history,
        change=change,
        previous=previous,
        chart=chart,
        status=status,
        answered=answered,
        sections=len(definition.items),
        threshold=definition.threshold,
    )
