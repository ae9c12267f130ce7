"""Questionnaire definitions as data: the shape of a definition (items, answer options with ordinal values, a
scoring method, score bands, a code and a version), checked so the engine in `intake.questionnaires` can trust
it. Pure: no database.

A definition is JSON (see consultations/intake/instruments/*.json for the shape). Optional parts: "subscales"
(items summed on their own with a positive cut-off and the clinician's advice, for a "sum" instrument such as the
PHQ-4) and "scoring": {"meaningful_change": {points, percent, min_baseline, source}}; an instrument without one
has no validated threshold, and its changes are never called meaningful. Changing a shipped file's
wording or scoring needs a new "version": a version already registered in the database is never rewritten,
because earlier answers were given to it.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from itertools import pairwise
from typing import Any

from consultations.intake import scoring

# Purposes the intake asks for.
PAIN = "pain"
FUNCTION = "function"
MOOD = "mood"

# How the items are scored: "none" keeps each answer as its own score (the 0-10 pain scales); a disability
# index is on 0-100 (DOMAIN.md §2.2); a sum adds the items on the instrument's own range (PHQ-4: 0-12, §9).
NO_SCORE = "none"
DISABILITY_INDEX = "disability_index"
SUM = "sum"
METHODS = (NO_SCORE, DISABILITY_INDEX, SUM)
LAYOUTS = ("list", "scale")

# The value of the extra "skip" radio an item may offer, so a patient can take back an answer.
SKIP = "skip"

SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
ITEM_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")

REQUIRED_KEYS = ("code", "version", "purpose", "title", "scoring", "items")
OPTIONAL_KEYS = (
    "notice",
    "clinician_notice",
    "instructions",
    "layout",
    "bands",
    "subscales",
    "copyright",
    "language",
)
SCORING_KEYS = ("method", "meaningful_change")
CHANGE_KEYS = ("points", "percent", "min_baseline", "source")
SUBSCALE_KEYS = ("code", "title", "items", "positive_at", "positive_label", "advice")
ITEM_KEYS = ("id", "text", "options", "hint", "skip_label")
OPTION_KEYS = ("value", "text", "anchor")
BAND_KEYS = ("code", "low", "high", "label", "patient_label")


class DefinitionError(ValueError):
    """An instrument definition that the engine cannot use; the message says what is wrong."""


@dataclass(frozen=True)
class Option:
    value: int
    text: str
    anchor: str = ""  # what the end of a scale means, e.g. "No pain" at 0


@dataclass(frozen=True)
class Item:
    id: str
    text: str
    options: tuple[Option, ...]
    hint: str = ""
    skip_label: str = ""  # when set, the item offers a radio to leave it unanswered

    @property
    def values(self) -> tuple[int, ...]:
        return tuple(option.value for option in self.options)


@dataclass(frozen=True)
class Subscale:
    """Some items summed on their own, with the cut-off at which they screen positive and what the clinician
    might do then (PHQ-2 and GAD-2 inside the PHQ-4, DOMAIN.md §9)."""

    code: str
    title: str  # "PHQ-2"
    items: tuple[str, ...]
    positive_at: int  # a sum at or above this screens positive
    positive_label: str  # "Screen positive for depression"
    advice: str  # "Consider a PHQ-9 or a talk about mood."


@dataclass(frozen=True)
class Definition:
    code: str
    version: str
    purpose: str
    title: str
    method: str
    items: tuple[Item, ...]
    bands: tuple[scoring.Band, ...]
    layout: str = "list"
    notice: str = ""  # shown to the patient above the items
    clinician_notice: str = ""
    instructions: str = ""
    subscales: tuple[Subscale, ...] = ()
    # What counts as a meaningful change and its source; None: no validated threshold, never judged.
    threshold: scoring.Threshold | None = None
    copyright: str = ""
    data: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)  # the JSON, as stored

    @property
    def score_max(self) -> int:
        """The highest score: 100 for an index, the sum of the items' highest values for a sum."""
        if self.method == SUM:
            return sum(max(item.values) for item in self.items)
        return 100

    def band(self, code: str) -> scoring.Band | None:
        """The band stored as `code` on a response, for its labels."""
        return next((band for band in self.bands if band.code == code), None)


@dataclass(frozen=True)
class Scored:
    score: Decimal | None
    band: scoring.Band | None

    @property
    def band_code(self) -> str:
        return self.band.code if self.band else ""


# Checking a definition -----------------------------------------------------------------------------


def _text(value: object, where: str, *, max_length: int | None = None, required: bool = True) -> str:
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        raise DefinitionError(f"{where} must be a non-empty string.")
    if max_length is not None and len(value) > max_length:
        raise DefinitionError(f"{where} must be at most {max_length} characters.")
    return value


def _integer(value: object, where: str) -> int:
    # JSON true/false are Python bools, which are ints; a 1.0 is not a whole-number ordinal either.
    if isinstance(value, bool) or not isinstance(value, int):
        raise DefinitionError(f"{where} must be a whole number, not {json.dumps(value)}.")
    return value


def _object(value: object, where: str, allowed: tuple[str, ...], required: tuple[str, ...]) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise DefinitionError(f"{where} must be a JSON object.")
    missing = [key for key in required if key not in value]
    if missing:
        raise DefinitionError(f"{where} is missing {', '.join(repr(key) for key in missing)}.")
    unknown = sorted(set(value) - set(allowed))
    if unknown:
        raise DefinitionError(
            f"{where} has unknown {', '.join(repr(key) for key in unknown)}; "
            f"allowed: {', '.join(repr(key) for key in allowed)}."
        )
    return value


def _option(data: object, where: str) -> Option:
    data = _object(data, where, OPTION_KEYS, ("value", "text"))
    return Option(
        value=_integer(data["value"], f"{where} value"),
        text=_text(data["text"], f"{where} text", max_length=500),
        anchor=_text(data.get("anchor"), f"{where} anchor", max_length=100, required=False),
    )


def _item(data: object, where: str) -> Item:
    data = _object(data, where, ITEM_KEYS, ("id", "text", "options"))
    item_id = data["id"]
    if not isinstance(item_id, str) or not ITEM_ID.fullmatch(item_id):
        raise DefinitionError(
            f"{where} id {json.dumps(item_id)} must start with a letter and use only a-z, 0-9 and _ (at most 40)."
        )
    where = f"Item {item_id!r}"
    options = data["options"]
    if not isinstance(options, list) or len(options) < 2:
        raise DefinitionError(f"{where} needs a list of at least two options.")
    parsed = tuple(_option(option, f"{where} option {number}") for number, option in enumerate(options, 1))
    values = [option.value for option in parsed]
    if len(set(values)) != len(values):
        raise DefinitionError(f"{where} has two options with the same value.")
    return Item(
        id=item_id,
        text=_text(data["text"], f"{where} text", max_length=500),
        options=parsed,
        hint=_text(data.get("hint"), f"{where} hint", max_length=500, required=False),
        skip_label=_text(data.get("skip_label"), f"{where} skip_label", max_length=200, required=False),
    )


def _band(data: object, where: str) -> scoring.Band:
    data = _object(data, where, BAND_KEYS, ("code", "low", "high", "label"))
    code = data["code"]
    if not isinstance(code, str) or len(code) > 40 or not SLUG.fullmatch(code):
        raise DefinitionError(f"{where} code {json.dumps(code)} must be lower-case letters, digits, - or _ (max 40).")
    where = f"Band {code!r}"
    low, high = _integer(data["low"], f"{where} low"), _integer(data["high"], f"{where} high")
    if low > high:
        raise DefinitionError(f"{where} runs from {low} down to {high}; low must not be above high.")
    return scoring.Band(
        code=code,
        low=low,
        high=high,
        label=_text(data["label"], f"{where} label", max_length=100),
        patient_label=_text(data.get("patient_label"), f"{where} patient_label", max_length=100, required=False),
    )


def _bands(data: object, method: str, top: int) -> tuple[scoring.Band, ...]:
    if method == NO_SCORE:
        if data:
            raise DefinitionError(f"Bands need a scoring method that gives a score, not {method!r}.")
        return ()
    if not isinstance(data, list) or not data:
        raise DefinitionError(f"Scoring method {method!r} needs a list of bands covering 0 to {top}.")
    bands = sorted((_band(band, f"Band {number}") for number, band in enumerate(data, 1)), key=lambda b: b.low)
    codes = [band.code for band in bands]
    if len(set(codes)) != len(codes):
        raise DefinitionError("Two bands have the same code.")
    if bands[0].low != 0:
        raise DefinitionError(f"The bands must start at 0; the lowest starts at {bands[0].low}.")
    if bands[-1].high != top:
        raise DefinitionError(f"The bands must end at {top}; the highest ends at {bands[-1].high}.")
    for before, after in pairwise(bands):
        if after.low <= before.high:
            raise DefinitionError(
                f"Bands {before.code!r} ({before.low}-{before.high}) and {after.code!r} ({after.low}-{after.high}) "
                "overlap."
            )
        if after.low > before.high + 1:
            raise DefinitionError(f"The bands leave a gap between {before.high} and {after.low}.")
    return tuple(bands)


def validate_definition(data: object) -> Definition:
    """The definition as the engine uses it, or a DefinitionError that names what is wrong."""
    data = _object(data, "The definition", REQUIRED_KEYS + OPTIONAL_KEYS, REQUIRED_KEYS)
    code = data["code"]
    if not isinstance(code, str) or len(code) > 60 or not SLUG.fullmatch(code):
        raise DefinitionError(f"code {json.dumps(code)} must be lower-case letters, digits, - or _ (at most 60).")
    purpose = data["purpose"]
    if not isinstance(purpose, str) or len(purpose) > 40 or not SLUG.fullmatch(purpose):
        raise DefinitionError(f"purpose {json.dumps(purpose)} must be lower-case letters, digits, - or _ (max 40).")
    scoring_data = _object(data["scoring"], "scoring", SCORING_KEYS, ("method",))
    method = scoring_data["method"]
    if method not in METHODS:
        raise DefinitionError(
            f"Unknown scoring method {json.dumps(method)}; known: {', '.join(repr(m) for m in METHODS)}."
        )
    layout = data.get("layout", "list")
    if layout not in LAYOUTS:
        raise DefinitionError(f"Unknown layout {json.dumps(layout)}; known: {', '.join(repr(a) for a in LAYOUTS)}.")

    items_data = data["items"]
    if not isinstance(items_data, list) or not items_data:
        raise DefinitionError("items must be a non-empty list.")
    items = tuple(_item(item, f"Item {number}") for number, item in enumerate(items_data, 1))
    seen: set[str] = set()
    for item in items:
        if item.id in seen:
            raise DefinitionError(f"Item id {item.id!r} is used twice.")
        seen.add(item.id)
    if method == DISABILITY_INDEX:
        _check_disability_index_items(items)
    if method == SUM:
        _check_sum_items(items)
    top = sum(max(item.values) for item in items) if method == SUM else 100

    return Definition(
        code=code,
        version=_text(data["version"], "version", max_length=20),
        purpose=purpose,
        title=_text(data["title"], "title", max_length=200),
        method=method,
        items=items,
        bands=_bands(data.get("bands"), method, top),
        subscales=_subscales(data.get("subscales"), method, items),
        threshold=_threshold(scoring_data.get("meaningful_change"), method),
        copyright=_text(data.get("copyright"), "copyright", max_length=1000, required=False),
        layout=layout,
        notice=_text(data.get("notice"), "notice", max_length=1000, required=False),
        clinician_notice=_text(data.get("clinician_notice"), "clinician_notice", max_length=1000, required=False),
        instructions=_text(data.get("instructions"), "instructions", max_length=1000, required=False),
        data=data,
    )


def _check_disability_index_items(items: tuple[Item, ...]) -> None:
    # The index divides by the top value times the sections answered, so every section runs 0..top alike.
    top = max(items[0].values)
    for item in items:
        if sorted(item.values) != list(range(top + 1)):
            raise DefinitionError(
                f"Item {item.id!r}: the disability index needs every item's option values to be 0 to {top}, "
                f"each once; found {sorted(item.values)}."
            )


def item_max(definition: Definition) -> int:
    return max(max(item.values) for item in definition.items)


def _check_sum_items(items: tuple[Item, ...]) -> None:
    # A sum's range and cut-offs assume each item runs from 0 up in steps of one (PHQ and GAD: 0-3).
    for item in items:
        top = max(item.values)
        if sorted(item.values) != list(range(top + 1)):
            raise DefinitionError(
                f"Item {item.id!r}: the sum method needs the option values 0 to {top}, each once; "
                f"found {sorted(item.values)}."
            )


def _subscale(data: object, where: str, by_id: Mapping[str, Item]) -> Subscale:
    data = _object(data, where, SUBSCALE_KEYS, SUBSCALE_KEYS)
    code = data["code"]
    if not isinstance(code, str) or len(code) > 40 or not SLUG.fullmatch(code):
        raise DefinitionError(f"{where} code {json.dumps(code)} must be lower-case letters, digits, - or _ (max 40).")
    where = f"Subscale {code!r}"
    item_ids = data["items"]
    if not isinstance(item_ids, list) or not item_ids:
        raise DefinitionError(f"{where} items must be a non-empty list of item ids.")
    unknown = [item_id for item_id in item_ids if item_id not in by_id]
    if unknown:
        raise DefinitionError(f"{where} names unknown items: {', '.join(json.dumps(i) for i in unknown)}.")
    if len(set(item_ids)) != len(item_ids):
        raise DefinitionError(f"{where} names an item twice.")
    highest = sum(max(by_id[item_id].values) for item_id in item_ids)
    positive_at = _integer(data["positive_at"], f"{where} positive_at")
    if not 1 <= positive_at <= highest:
        raise DefinitionError(f"{where} positive_at must be from 1 to its highest possible score {highest}.")
    return Subscale(
        code=code,
        title=_text(data["title"], f"{where} title", max_length=60),
        items=tuple(item_ids),
        positive_at=positive_at,
        positive_label=_text(data["positive_label"], f"{where} positive_label", max_length=200),
        advice=_text(data["advice"], f"{where} advice", max_length=500),
    )


def _subscales(data: object, method: str, items: tuple[Item, ...]) -> tuple[Subscale, ...]:
    if data is None:
        return ()
    if method != SUM:
        raise DefinitionError(f"Subscales need the {SUM!r} scoring method, not {method!r}.")
    if not isinstance(data, list) or not data:
        raise DefinitionError("subscales must be a non-empty list.")
    by_id = {item.id: item for item in items}
    subscales = tuple(_subscale(entry, f"Subscale {number}", by_id) for number, entry in enumerate(data, 1))
    codes = [subscale.code for subscale in subscales]
    if len(set(codes)) != len(codes):
        raise DefinitionError("Two subscales have the same code.")
    return subscales


def _positive_number(value: object, where: str) -> Decimal:
    if isinstance(value, bool) or not isinstance(value, int | float) or value <= 0:
        raise DefinitionError(f"{where} must be a number above 0, not {json.dumps(value)}.")
    return Decimal(str(value))  # str(): 0.1 stays 0.1


def _threshold(data: object, method: str) -> scoring.Threshold | None:
    """A meaningful change (DOMAIN.md §2.4), declared with its source; none declared: never judged."""
    if data is None:
        return None
    if method == NO_SCORE:
        raise DefinitionError(f"A meaningful change needs a scoring method that gives a score, not {method!r}.")
    where = "meaningful_change"
    data = _object(data, where, CHANGE_KEYS, ("source",))
    if "points" not in data and "percent" not in data:
        raise DefinitionError(f"{where} needs 'points', 'percent' or both.")
    if "min_baseline" in data and "percent" not in data:
        raise DefinitionError(f"{where} min_baseline only limits a 'percent'; add one or remove it.")
    points = _positive_number(data["points"], f"{where} points") if "points" in data else None
    percent = _positive_number(data["percent"], f"{where} percent") if "percent" in data else None
    if percent is not None and percent > 100:
        raise DefinitionError(f"{where} percent must be at most 100.")
    baseline = _positive_number(data["min_baseline"], f"{where} min_baseline") if "min_baseline" in data else None
    return scoring.Threshold(
        source=_text(data["source"], f"{where} source", max_length=300),
        points=points,
        percent=percent,
        min_baseline=baseline or Decimal(0),
    )
