"""Questionnaires as data: one engine that checks, shows, scores and stores any instrument definition.

A definition is JSON (see consultations/instruments/*.json for the shape): its items, each with answer
options carrying ordinal values, a scoring method, score bands, a code and a version. Ours ship as
files; a practice holding a licence installs the official text of another (the Oswestry Disability
Index, DOMAIN.md §2.5) with `manage.py load_instrument FILE`, and from then on new intakes get that one.
An intake's answers stay tied to the instrument they were given with.

Changing a shipped file's wording or scoring needs a new "version": a version already registered in the
database is never rewritten, because earlier answers were given to it.
"""

import json
import logging
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from functools import cache
from itertools import pairwise
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Case, Q, Value, When

from consultations import scoring
from consultations.intake_display import NOT_ANSWERED, Row
from consultations.models import Instrument, Intake, QuestionnaireResponse

logger = logging.getLogger(__name__)

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"

# Purposes the intake asks for.
PAIN = "pain"
FUNCTION = "function"

# How the items are scored: "none" keeps each answer as its own score (the 0-10 pain scales).
NO_SCORE = "none"
DISABILITY_INDEX = "disability_index"
METHODS = (NO_SCORE, DISABILITY_INDEX)
LAYOUTS = ("list", "scale")

# The value of the extra "skip" radio an item may offer, so a patient can take back an answer.
SKIP = "skip"

SLUG = re.compile(r"[a-z0-9]+(?:[-_][a-z0-9]+)*")
ITEM_ID = re.compile(r"[a-z][a-z0-9_]{0,39}")

REQUIRED_KEYS = ("code", "version", "purpose", "title", "scoring", "items")
OPTIONAL_KEYS = ("notice", "clinician_notice", "instructions", "layout", "bands", "copyright", "language")
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
    data: Mapping[str, Any] | None = field(default=None, compare=False, repr=False)  # the JSON, as stored

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


def _bands(data: object, method: str) -> tuple[scoring.Band, ...]:
    if method == NO_SCORE:
        if data:
            raise DefinitionError(f"Bands need a scoring method that gives a score, not {method!r}.")
        return ()
    if not isinstance(data, list) or not data:
        raise DefinitionError(f"Scoring method {method!r} needs a list of bands covering 0 to 100.")
    bands = sorted((_band(band, f"Band {number}") for number, band in enumerate(data, 1)), key=lambda b: b.low)
    codes = [band.code for band in bands]
    if len(set(codes)) != len(codes):
        raise DefinitionError("Two bands have the same code.")
    if bands[0].low != 0:
        raise DefinitionError(f"The bands must start at 0; the lowest starts at {bands[0].low}.")
    if bands[-1].high != 100:
        raise DefinitionError(f"The bands must end at 100; the highest ends at {bands[-1].high}.")
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
    scoring_data = _object(data["scoring"], "scoring", ("method",), ("method",))
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

    return Definition(
        code=code,
        version=_text(data["version"], "version", max_length=20),
        purpose=purpose,
        title=_text(data["title"], "title", max_length=200),
        method=method,
        items=items,
        bands=_bands(data.get("bands"), method),
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


# Shipped and installed instruments -----------------------------------------------------------------


@cache
def shipped_definitions() -> tuple[Definition, ...]:
    """Our own instruments, from the JSON files in consultations/instruments/, in file-name order."""
    definitions = []
    for path in sorted(INSTRUMENTS_DIR.glob("*.json")):
        try:
            definitions.append(validate_definition(json.loads(path.read_text(encoding="utf-8"))))
        except ValueError as error:  # unreadable JSON, or a DefinitionError
            raise DefinitionError(f"{path.name}: {error}") from error
    return tuple(definitions)


def shipped_for(purpose: str) -> Definition | None:
    return next((definition for definition in shipped_definitions() if definition.purpose == purpose), None)


def current_instrument(purpose: str) -> Instrument:
    """The instrument new intakes use for `purpose`.

    The most recently installed one the practice loaded, else our shipped file, registered on first use.
    One query once the shipped instrument is registered.
    """
    shipped = shipped_for(purpose)
    ours = Q(code=shipped.code, version=shipped.version) if shipped else Q(pk__in=[])
    instrument = (
        Instrument.objects.filter(Q(source=Instrument.Source.LOADED) | ours, purpose=purpose)
        .alias(loaded_first=Case(When(source=Instrument.Source.LOADED, then=Value(0)), default=Value(1)))
        .order_by("loaded_first", "-installed_at", "-pk")
        .first()
    )
    if instrument is not None:
        return instrument
    if shipped is None:
        raise LookupError(f"No questionnaire is shipped or installed for the purpose {purpose!r}.")
    instrument, created = Instrument.objects.get_or_create(
        code=shipped.code,
        version=shipped.version,
        defaults={
            "purpose": shipped.purpose,
            "title": shipped.title,
            "definition": shipped.data,
            "source": Instrument.Source.SHIPPED,
        },
    )
    if not created and instrument.definition != shipped.data:
        logger.warning("Shipped instrument %s %s changed without a new version", shipped.code, shipped.version)
    return instrument


def instrument_for(intake: Intake, purpose: str) -> Instrument:
    """The instrument this intake answered for `purpose`, so it keeps it; else the one new intakes use."""
    response = (
        intake.responses.filter(instrument__purpose=purpose)
        .select_related("instrument")
        .order_by("-updated_at", "-pk")
        .first()
    )
    return response.instrument if response else current_instrument(purpose)


def definition_of(instrument: Instrument) -> Definition:
    return validate_definition(instrument.definition)


# The form ------------------------------------------------------------------------------------------


def _ordinal(value: str) -> int | None:
    return None if value == SKIP else int(value)


class InstrumentForm(forms.Form):
    """One radio group per item, none required; `cleaned_data` is {item id: ordinal value or None}."""

    def __init__(self, *args: Any, instrument: Instrument, definition: Definition, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.instrument = instrument
        self.definition = definition
        scale = definition.layout == "scale"
        attrs = {"class": "btn-check", "autocomplete": "off"} if scale else {"class": "form-check-input"}
        for item in definition.items:
            choices: list[tuple[int | str, str]] = [(option.value, option.text) for option in item.options]
            if item.skip_label:
                choices.append((SKIP, item.skip_label))
            choice_field = forms.TypedChoiceField(
                label=item.text,
                help_text=item.hint,
                choices=choices,
                coerce=_ordinal,
                empty_value=None,
                required=False,
                widget=forms.RadioSelect(attrs=attrs),
                error_messages={"invalid_choice": "Please choose one of the answers shown."},
            )
            # The words at the ends of a 0-10 scale, for the template to show beside the numbers.
            choice_field.anchors = tuple((option.text, option.anchor) for option in item.options if option.anchor)
            self.fields[item.id] = choice_field

    def answers(self) -> dict[str, int | None]:
        """Every item's answer from a valid form, None where left blank or skipped."""
        return {item.id: self.cleaned_data.get(item.id) for item in self.definition.items}


def form_for(
    instrument: Instrument,
    *,
    data: Mapping[str, Any] | None = None,
    initial: Mapping[str, int | None] | None = None,
    intake: Intake | None = None,
    prefix: str | None = None,
) -> InstrumentForm:
    """The questionnaire as a form: bound when `data` is given, else showing `initial` answers, or the
    answers `intake` already gave to this instrument."""
    if initial is None and intake is not None and data is None:
        response = QuestionnaireResponse.objects.filter(intake=intake, instrument=instrument).first()
        initial = response.answers if response else None
    initial = {item_id: value for item_id, value in (initial or {}).items() if value is not None}
    return InstrumentForm(
        data=data, initial=initial, prefix=prefix, instrument=instrument, definition=definition_of(instrument)
    )


# Scoring and storing -------------------------------------------------------------------------------


def _values(definition: Definition, answers: Mapping[str, int | None]) -> list[int | None]:
    unknown = sorted(set(answers) - {item.id for item in definition.items})
    if unknown:
        raise ValueError(f"{definition.code} has no item {', '.join(repr(item_id) for item_id in unknown)}.")
    values = []
    for item in definition.items:
        value = answers.get(item.id)
        if value is not None and (isinstance(value, bool) or value not in item.values):
            raise ValueError(f"{value!r} is not an answer to {definition.code} item {item.id!r}.")
        values.append(value)
    return values


def score(definition: Definition, answers: Mapping[str, int | None], *, max_missing: int) -> Scored:
    """The score and band of `answers`; no score for an instrument whose items stand alone."""
    values = _values(definition, answers)
    if definition.method == NO_SCORE:
        return Scored(score=None, band=None)
    index = scoring.disability_index(values, max_missing=max_missing, item_max=item_max(definition))
    return Scored(score=index, band=scoring.band_for(index, definition.bands))


def save_response(
    *, intake: Intake, instrument: Instrument, answers: Mapping[str, int | None]
) -> QuestionnaireResponse:
    """Store every raw answer (None for skipped items) with the score and band they give."""
    definition = definition_of(instrument)
    scored = score(definition, answers, max_missing=settings.INTAKE_MAX_MISSING_SECTIONS)
    response, _ = QuestionnaireResponse.objects.update_or_create(
        intake=intake,
        instrument=instrument,
        defaults={
            "answers": {item.id: answers.get(item.id) for item in definition.items},
            "score": scored.score,
            "band": scored.band_code,
        },
    )
    return response


# Answers as labelled rows -------------------------------------------------------------------------


def _answer_text(definition: Definition, item: Item, value: int | None, *, clinician: bool) -> str:
    if value is None:
        return NOT_ANSWERED
    if definition.layout == "scale":
        return f"{value} out of {max(item.values)}"
    text = next((option.text for option in item.options if option.value == value), str(value))
    return f"{text} ({value})" if clinician else text


def _score_text(definition: Definition, response: QuestionnaireResponse | None, *, clinician: bool) -> str:
    if response is None:
        return NOT_ANSWERED
    if response.score is None:
        return "Too few answers for a score"
    band = definition.band(response.band)
    words = (band.label if clinician else band.patient_label or band.label) if band else ""
    return f"{response.score} out of 100" + (f": {words}" if words else "")


def response_rows(
    instrument: Instrument, response: QuestionnaireResponse | None, *, clinician: bool = False
) -> list[Row]:
    """One instrument's score (if it has one) and every item's answer; "Not answered" where blank."""
    definition = definition_of(instrument)
    answers = response.answers if response else {}
    rows = []
    if clinician:
        rows.append(Row("Questionnaire", f"{definition.title} ({definition.code} {definition.version})"))
    if definition.method != NO_SCORE:
        rows.append(Row("Score", _score_text(definition, response, clinician=clinician)))
    rows.extend(
        Row(item.text, _answer_text(definition, item, answers.get(item.id), clinician=clinician))
        for item in definition.items
    )
    return rows


def rows_by_purpose(intake: Intake, *, clinician: bool = False) -> dict[str, list[Row]]:
    """The intake's questionnaires by purpose, as labelled rows; a shipped purpose not yet answered
    shows the instrument it would use, every item "Not answered". Labels for clinicians when asked."""
    latest: dict[str, QuestionnaireResponse] = {}
    for response in intake.responses.select_related("instrument").order_by("updated_at", "pk"):
        latest[response.instrument.purpose] = response
    purposes = list(dict.fromkeys([*(definition.purpose for definition in shipped_definitions()), *latest]))
    rows = {}
    for purpose in purposes:
        response = latest.get(purpose)
        instrument = response.instrument if response else current_instrument(purpose)
        rows[purpose] = response_rows(instrument, response, clinician=clinician)
    return rows


# Change since the last visit -----------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreChange:
    previous: QuestionnaireResponse  # .intake is loaded, for its date
    current: QuestionnaireResponse
    change: scoring.Change


def compare_with_previous(intake: Intake, *, purpose: str = FUNCTION) -> ScoreChange | None:
    """This intake's score for `purpose` against the same patient's last submitted intake before it.

    Only scores from the same instrument and version are compared (DOMAIN.md §2.1: do not mix
    versions); None when either score is missing. Thresholds come from settings.
    """
    current = (
        intake.responses.filter(instrument__purpose=purpose, score__isnull=False)
        .select_related("instrument")
        .order_by("-updated_at")
        .first()
    )
    if current is None:
        return None
    previous = (
        QuestionnaireResponse.objects.filter(
            intake__patient_id=intake.patient_id,
            intake__created_at__lt=intake.created_at,
            instrument_id=current.instrument_id,
            score__isnull=False,
        )
        .exclude(intake__status=Intake.Status.IN_PROGRESS)
        .select_related("intake")
        .order_by("-intake__created_at")
        .first()
    )
    if previous is None:
        return None
    change = scoring.compare(
        previous.score,
        current.score,
        points=settings.INTAKE_MEANINGFUL_CHANGE_POINTS,
        percent=settings.INTAKE_MEANINGFUL_CHANGE_PERCENT,
    )
    return ScoreChange(previous=previous, current=current, change=change)
