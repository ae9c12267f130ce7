"""Questionnaires as data: one engine that shows, scores and stores any instrument definition
(`intake.instruments` checks the definitions).

Ours ship as JSON files; a practice holding a licence installs the official text of another (the Oswestry
Disability Index, DOMAIN.md §2.5) with `manage.py load_instrument FILE`, and from then on new intakes get that
one. An intake's answers stay tied to the instrument they were given with.
"""

import json
import logging
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from fractions import Fraction
from functools import cache
from pathlib import Path
from typing import Any

from django import forms
from django.conf import settings
from django.db.models import Case, Q, Value, When

from consultations.intake import scoring
from consultations.intake.instruments import (
    DISABILITY_INDEX,
    FUNCTION,
    MOOD,
    NO_SCORE,
    PAIN,
    SKIP,
    SUM,
    Definition,
    DefinitionError,
    Item,
    Scored,
    item_max,
    validate_definition,
)
from consultations.intake.rows import NOT_ANSWERED, Row
from consultations.models import Instrument, Intake, QuestionnaireResponse

logger = logging.getLogger(__name__)

INSTRUMENTS_DIR = Path(__file__).resolve().parent / "instruments"

__all__ = ["DISABILITY_INDEX", "FUNCTION", "MOOD", "NO_SCORE", "PAIN", "SKIP", "SUM", "Definition", "DefinitionError"]

# Shipped and installed instruments -----------------------------------------------------------------


@cache
def shipped_definitions() -> tuple[Definition, ...]:
    """Our own instruments, from the JSON files in consultations/intake/instruments/, in file-name order."""
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


def exact_score(definition: Definition, answers: Mapping[str, int | None], *, max_missing: int) -> Fraction | None:
    """The score before rounding, for comparing two visits exactly; None when there is none."""
    values = _values(definition, answers)
    if definition.method == SUM:
        total = scoring.total(values)
        return None if total is None else Fraction(total)
    if definition.method == DISABILITY_INDEX:
        return scoring.exact_index(values, max_missing=max_missing, item_max=item_max(definition))
    return None


def score(definition: Definition, answers: Mapping[str, int | None], *, max_missing: int) -> Scored:
    """The score and band of `answers`; no score for an instrument whose items stand alone."""
    values = _values(definition, answers)
    if definition.method == NO_SCORE:
        return Scored(score=None, band=None)
    if definition.method == SUM:
        total = scoring.total(values)
        value = None if total is None else Decimal(total)
    else:
        value = scoring.disability_index(values, max_missing=max_missing, item_max=item_max(definition))
    return Scored(score=value, band=scoring.band_for(value, definition.bands))


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
    if response is None or all(value is None for value in response.answers.values()):
        return NOT_ANSWERED
    if response.score is None:
        return "Too few answers for a score"
    band = definition.band(response.band)
    words = (band.label if clinician else band.patient_label or band.label) if band else ""
    shown = str(int(response.score)) if definition.method == SUM else str(response.score)
    return f"{shown} out of {definition.score_max}" + (f": {words}" if words else "")


def response_rows(
    instrument: Instrument, response: QuestionnaireResponse | None, *, clinician: bool = False
) -> list[Row]:
    """One instrument's score (if it has one) and every item's answer; "Not answered" where blank."""
    definition = definition_of(instrument)
    answers = response.answers if response else {}
    rows = []
    if clinician:
        rows.append(Row("Questionnaire", f"{definition.title} ({definition.code} {definition.version})"))
    # A screen's total is for the clinician (DOMAIN.md §9): the patient sees their own answers, unlabelled.
    if definition.method == DISABILITY_INDEX or (definition.method == SUM and clinician):
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
    versions); None when either score is missing. Exact scores from the stored answers, judged by the
    instrument's own threshold (none declared: never judged).
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
    change = change_between(previous, current)
    return ScoreChange(previous=previous, current=current, change=change)


def change_between(previous: QuestionnaireResponse, current: QuestionnaireResponse) -> scoring.Change | None:
    """The change from `previous` to `current` (the same instrument), computed on the exact scores from the
    stored answers, judged by the instrument's own threshold; None when either has no score."""
    definition = definition_of(current.instrument)
    limit = settings.INTAKE_MAX_MISSING_SECTIONS

    def exact(response: QuestionnaireResponse) -> Fraction | None:
        # The stored one-decimal score stands in when the answers no longer give one exactly (edited by hand, or
        # the missing-sections limit tightened since): a summary never fails on an old response.
        try:
            found = exact_score(definition, response.answers, max_missing=limit)
        except ValueError:
            found = None
        if found is None and response.score is not None:
            return Fraction(str(response.score))
        return found

    before, now = exact(previous), exact(current)
    if before is None or now is None:
        return None
    return scoring.compare(before, now, threshold=definition.threshold)
