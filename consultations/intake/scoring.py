"""Questionnaire scores, their bands, and whether a change between two of them matters (DOMAIN.md §2.2-§2.4).

Pure calculation with no database and no settings: callers pass the thresholds, so the rules can be
tested exactly and changed in one place (clinic/settings.py) without touching this module.

Scores are disability scores on 0-100 where higher means worse, as for the Oswestry Disability Index
and the 0-10 pain scales.

Bands are inclusive whole-number ranges (0-20, 21-40, ...), as the questionnaire authors print them. A
score with a fraction is placed by the whole number it rounds to, half up: 20.4 is in 0-20, 20.5 and 21.0
are in 21-40, 40.5 is in 41-60. (With at most ten sections answered, a disability index never falls
strictly between 20 and 21, 40 and 41, and so on, so this only matters for other instruments.)
"""

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

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


def disability_index(values: Sequence[int | None], *, max_missing: int, item_max: int = 5) -> Decimal | None:
    """Sum of the answered sections / (`item_max` x sections answered) x 100, to one decimal, half up.

    A None is a section skipped or not applicable; it leaves the denominator. No score (None) when more
    than `max_missing` sections are missing, or when none is answered.
    """
    answered = [value for value in values if value is not None]
    for value in answered:
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= item_max:
            raise ValueError(f"A section's value must be a whole number from 0 to {item_max}, not {value!r}.")
    if not answered or len(values) - len(answered) > max_missing:
        return None
    index = Decimal(sum(answered) * 100) / Decimal(item_max * len(answered))
    return index.quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)


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


@dataclass(frozen=True)
class Change:
    previous: Decimal
    current: Decimal
    points: Decimal  # current - previous: negative is better
    percent: Decimal | None  # relative to previous, one decimal; None when previous was 0
    direction: Direction

    @property
    def is_meaningful(self) -> bool:
        return self.direction != Direction.UNCHANGED


def compare(
    previous: Decimal | int, current: Decimal | int, *, points: Decimal | float, percent: Decimal | float
) -> Change:
    """How `current` differs from `previous`, and whether it is a meaningful change (DOMAIN.md §2.4).

    A fall by at least `points`, or by at least `percent` of the previous score, is an improvement; a rise
    by as much is a worsening. From a previous score of 0 there is no percentage, so only points count.
    """
    previous, current = Decimal(previous), Decimal(current)
    # str() so that a threshold of 0.1 from settings stays 0.1 and does not become 0.1000000000000000055...
    min_points, min_percent = Decimal(str(points)), Decimal(str(percent))
    change = current - previous
    size = abs(change)
    relative = None if previous == 0 else (change * 100 / previous).quantize(ONE_DECIMAL, rounding=ROUND_HALF_UP)
    # Compared without rounding: size / previous x 100 >= percent.
    big_enough = size >= min_points or (previous != 0 and size * 100 >= min_percent * previous)
    if change < 0 and big_enough:
        direction = Direction.IMPROVED
    elif change > 0 and big_enough:
        direction = Direction.WORSENED
    else:
        direction = Direction.UNCHANGED
    return Change(previous=previous, current=current, points=change, percent=relative, direction=direction)
