"""Daily morphine milligram equivalents (MME) of the opioids a patient takes, from the conversion table kept as
data in `conversion/opioid-mme.json` (CDC 2022, DOMAIN.md §9; verify before go-live). Pure: Decimal in, Decimal
out, no database.

MME is a rough marker of overdose risk for the surgeon, never a dosing tool. A drug without a safe factor
(methadone, buprenorphine) or with a dose too incomplete to multiply is "not estimated", with the reason, and a
total says which parts it lacks.
"""

import json
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from pathlib import Path

TABLE = Path(__file__).parent / "conversion" / "opioid-mme.json"
OTHER = "other"


@dataclass(frozen=True)
class Opioid:
    key: str
    label: str
    # "mg" per tablet or dose; "mcg/hr" for a patch, whose factor turns the hourly rate into a daily MME.
    unit: str
    factor: Decimal | None
    per_hour: bool = False
    not_estimated: str = ""


@dataclass(frozen=True)
class Threshold:
    mme: Decimal
    label: str


@dataclass(frozen=True)
class Table:
    source: str
    status: str
    drugs: dict[str, Opioid]
    # Highest first.
    thresholds: tuple[Threshold, ...]


@cache
def table(path: Path = TABLE) -> Table:
    data = json.loads(path.read_text(encoding="utf-8"))
    drugs = {
        row["key"]: Opioid(
            key=row["key"],
            label=row["label"],
            unit=row["unit"],
            factor=Decimal(row["factor"]) if row["factor"] is not None else None,
            per_hour=row.get("per_hour", False),
            not_estimated=row.get("not_estimated", ""),
        )
        for row in data["drugs"]
    }
    thresholds = sorted(
        (Threshold(Decimal(row["mme"]), row["label"]) for row in data["thresholds"]), key=lambda t: -t.mme
    )
    return Table(source=data["source"], status=data["status"], drugs=drugs, thresholds=tuple(thresholds))


def format_mme(value: Decimal) -> str:
    """36 for 36.0, 4.5 for 4.50: the figure as a person writes it."""
    return f"{Decimal(value).normalize():f}"


@dataclass(frozen=True)
class Estimate:
    label: str
    mme: Decimal | None
    # Why there is no figure, when there is none.
    reason: str = ""

    @property
    def text(self) -> str:
        if self.mme is None:
            return f"MME not estimated: {self.reason}"
        return f"{format_mme(self.mme)} MME/day"


def daily_mme(
    drug: str,
    *,
    strength: Decimal | None,
    units_per_dose: Decimal | None,
    times_per_day: int | None,
    label: str = "",
) -> Estimate:
    """The daily MME of one opioid, to one decimal, or the reason there is none."""
    opioid = table().drugs.get(drug)
    if opioid is None:
        return Estimate(label or "Opioid", None, "not a drug in our conversion table")
    if opioid.factor is None:
        return Estimate(opioid.label, None, opioid.not_estimated)
    needed = [strength, units_per_dose] if opioid.per_hour else [strength, units_per_dose, times_per_day]
    if any(value is None for value in needed):
        what = "the strength and the number of patches" if opioid.per_hour else "strength, number and times a day"
        return Estimate(opioid.label, None, f"dose incomplete ({what} needed)")
    daily = strength * units_per_dose * (1 if opioid.per_hour else times_per_day) * opioid.factor
    return Estimate(opioid.label, daily.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


@dataclass(frozen=True)
class Total:
    mme: Decimal
    # Labels of the opioids the total leaves out because they could not be estimated.
    missing: tuple[str, ...]
    # The highest threshold reached, e.g. "50 MME/day or more: higher overdose risk", else "".
    threshold: str

    @property
    def text(self) -> str:
        if self.missing and not self.mme:
            return "total not estimated"
        words = f"total {format_mme(self.mme)} MME/day"
        if self.missing:
            words += f" without {', '.join(self.missing)} (not estimated)"
        return words


def total(estimates: list[Estimate]) -> Total:
    mme = sum((estimate.mme for estimate in estimates if estimate.mme is not None), Decimal(0))
    missing = tuple(estimate.label for estimate in estimates if estimate.mme is None)
    reached = next((t.label for t in table().thresholds if mme >= t.mme), "")
    return Total(mme=mme, missing=missing, threshold=reached)
