"""The surgeon's trend of function scores across a patient's histories, drawn as inline SVG by the template: the
geometry is worked out here, no database."""

from dataclasses import dataclass
from decimal import Decimal

TREND_WIDTH = 360
TREND_HEIGHT = 150
TREND_LEFT = 34  # room for the 0-100 axis labels
TREND_RIGHT = 16
TREND_TOP = 18  # room for a score written above its point
TREND_BOTTOM = 22  # room for the dates
TREND_MAX_DATE_LABELS = 6


@dataclass(frozen=True)
class TrendPoint:
    label: str  # when, e.g. "Mar 2025"
    score: Decimal
    x: float
    y: float
    current: bool
    show_label: bool

    @property
    def score_y(self) -> float:
        return self.y - 7

    @property
    def label_y(self) -> int:
        return TREND_HEIGHT - 6


@dataclass(frozen=True)
class TrendChart:
    points: list[TrendPoint]
    # Horizontal lines at band edges: (y, score)
    grid: list[tuple[float, int]]
    width: int = TREND_WIDTH
    height: int = TREND_HEIGHT
    left: int = TREND_LEFT
    right_edge: int = TREND_WIDTH - TREND_RIGHT

    @property
    def polyline(self) -> str:
        return " ".join(f"{point.x:.1f},{point.y:.1f}" for point in self.points)

    @property
    def summary(self) -> str:
        """The chart in words, for screen readers and for anyone who cannot see the colours."""
        scores = "; ".join(
            f"{point.label}: {point.score}{' (this history)' if point.current else ''}" for point in self.points
        )
        return f"Function scores out of 100, higher is worse, oldest first. {scores}."


def _trend_y(score: Decimal | int) -> float:
    plot = TREND_HEIGHT - TREND_TOP - TREND_BOTTOM
    return TREND_TOP + plot * (1 - float(score) / 100)


def score_trend_chart(scores: list[tuple[str, Decimal, bool]]) -> TrendChart | None:
    """`scores` are (when, score, is the current one) oldest first; no chart for fewer than two."""
    if len(scores) < 2:
        return None
    plot = TREND_WIDTH - TREND_LEFT - TREND_RIGHT - 20
    step = plot / (len(scores) - 1)
    # With many points only some dates fit under the axis; the first and the last always show.
    every = max(1, -(-len(scores) // TREND_MAX_DATE_LABELS))
    points = [
        TrendPoint(
            label=label,
            score=score,
            x=TREND_LEFT + 10 + index * step,
            y=_trend_y(score),
            current=current,
            show_label=index % every == 0 or index == len(scores) - 1,
        )
        for index, (label, score, current) in enumerate(scores)
    ]
    return TrendChart(points=points, grid=[(_trend_y(value), value) for value in (0, 20, 40, 60, 80, 100)])
