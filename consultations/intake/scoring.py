"""Questionnaire scores, their bands, and whether a change between two of them matters (DOMAIN.md §2.2-§2.4).

Pure calculation with no database and no settings: callers pass the thresholds each instrument's definition
declares, so the rules can be tested exactly.

Scores are higher-is-worse: disability scores on 0-100 (the Oswestry Disability Index and ours), plain sums
of a screen's items on the instrument's own range (PHQ-4: 0-12).

A change between two disability indexes is computed on the exact indexes from the stored answers, never on
the one-decimal scores: points are index points, the percent is of the earlier index. When the two were
answered with a different number of sections (16/45 then 16/50), that is still the honest comparison: each
index is already "share of the possible", so the change is the change in that share.

Bands are inclusive whole-number ranges (0-20, 21-40, ...), as the questionnaire authors print them. A
score with a fraction is placed by the whole number it rounds to, half up: 20.4 is in 0-20, 20.5 and 21.0
are in 21-40, 40.5 is in 41-60. (With at most ten sections answered, a disability index never falls
strictly between 20 and 21, 40 and 41, and so on, so this only matters for other instruments.)
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum
from fractions import Fraction

ONE_DECIMAL = Decimal("0.1")


@dataclass(frozen=True)
class Band:
    """One band of scores: `low` to `high` inclusive, whole numbers."""

    code: str
    low: int
    high: int
    label: str = ""  # for clinicians, in the questionnaire authors' words
    patient_label: str = ""  # neutral words for the patient

    def contains(self, score: Decimal) -> bool:
        whole = score.to_integral_value(rounding=ROUND_HALF_UP)
        return self.low <= whole <= self.high


def exact_index(values: Sequence[int | None], *, max_missing: int, item_max: int = 5) -> Fraction | None:
    """Sum of the answered sections / (`item_max` x sections answered) x 100, as an exact fraction.

    A None is a section skipped or not applicable; it leaves the denominator. No score (None) when more
    than `max_missing` sections are missing, or when none is answered.
    """
    answered = [value for value in values if value is not None]
    for value in answered:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= item_max:
            raise ValueError(f"A section's value must be a whole number from 0 to {item_max}, not {value!r}.")
    if not answered or len(values) - len(answered) > max_missing:
        return None
    return Fraction(sum(answered) * 100, item_max * len(answered))


def disability_index(values: Sequence[int | None], *, max_missing: int, item_max: int = 5) -> Decimal | None:
    """`exact_index` to one decimal, half up, as stored and shown (DOMAIN.md §2.2)."""
    index = exact_index(values, max_missing=max_missing, item_max=item_max)
    return None if index is None else _one_decimal(index)


def total(values: Sequence[int | None]) -> int | None:
    """The plain sum of a screen's items (PHQ-4 and its halves, DOMAIN.md §9); None unless every item is
    answered, because a screen's cut-offs hold for the full set of items only."""
    if any(value is None for value in values):
        return None
    return sum(values)  # type: ignore[arg-type]


def band_for(score: Decimal | None, bands: Sequence[Band]) -> Band | None:
    """The band holding `score` (see the module's note on fractions); None for no score."""
    if score is None:
        return None
    for band in bands:
        if band.contains(score):
            return band
    raise ValueError(f"No band holds the score {score}.")


class Direction(StrEnum):
    IMPROVED = "improved"
    WORSENED = "worsened"
    UNCHANGED = "unchanged"  # including a change too small to be meaningful
    # The instrument declares no validated threshold: the change is shown in points, never judged.
    NOT_JUDGED = "not_judged"


@dataclass(frozen=True)
class Threshold:
    """A meaningful change as an instrument's definition declares it, with the study it comes from.

    A change counts when it reaches `points`, or `percent` of the earlier score; the percent is not used
    from an earlier score under `min_baseline`, where a small change in points is a large share (4 -> 2).
    """

    source: str
    points: Decimal | None = None
    percent: Decimal | None = None
    min_baseline: Decimal = Decimal(0)

    def describe(self) -> str:
        parts = []
        if self.points is not None:
            parts.append(f"{self.points:f} points")
        if self.percent is not None:
            floor = f", from an earlier score of at least {self.min_baseline:f}" if self.min_baseline else ""
            parts.append(f"{self.percent:f}% of the earlier score{floor}")
        return " or ".join(parts)


@dataclass(frozen=True)
class Change:
    previous: Decimal  # one decimal, for showing; the comparison used the exact values
    current: Decimal
    points: Decimal  # current - previous, one decimal: negative is better
    percent: Decimal | None  # relative to previous, one decimal; None when previous was 0
    direction: Direction

    @property
    def is_meaningful(self) -> bool:
        return self.direction in (Direction.IMPROVED, Direction.WORSENED)


def _one_decimal(value: Fraction) -> Decimal:
    return (Decimal(value.numerator) / Decimal(value.denominator)).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


def compare(
    previous: Fraction | Decimal | int, current: Fraction | Decimal | int, *, threshold: Threshold | None
) -> Change:
    """How `current` differs from `previous`, and whether that is a meaningful change by `threshold` (DOMAIN.md §2.4).

    Pass exact values (`exact_index`): 10/45 -> 7/45 is exactly -30 %, which one-decimal scores (22.2 -> 15.6,
    -29.7 %) would miss. A fall by at least the threshold is an improvement, a rise by as much a worsening.
    From a previous score of 0 there is no percentage. With no threshold the change is never judged.
    """
    previous, current = Fraction(previous), Fraction(current)
    change = current - previous
    size = abs(change)
    relative = None if previous == 0 else _one_decimal(change * 100 / previous)
    if threshold is None:
        direction = Direction.NOT_JUDGED
    else:
        by_points = threshold.points is not None and size >= Fraction(threshold.points)
        by_percent = (
            threshold.percent is not None
            and previous != 0
            and previous >= Fraction(threshold.min_baseline)
            and size * 100 >= Fraction(threshold.percent) * previous
        )
        if change and (by_points or by_percent):
            direction = Direction.IMPROVED if change < 0 else Direction.WORSENED
        else:
            direction = Direction.UNCHANGED
    return Change(
        previous=_one_decimal(previous),
        current=_one_decimal(current),
        points=_one_decimal(change),
        percent=relative,
        direction=direction,
    )
