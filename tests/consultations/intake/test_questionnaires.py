"""The questionnaire engine: definitions checked, shown as forms, scored, stored, and compared over visits.

A synthetic definition with the Oswestry Disability Index's shape (tests/consultations/data/synthetic-odi.json,
placeholder text only) stands in for the licensed one.
"""

import copy
import json
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

from django.template.loader import render_to_string
from django.test import SimpleTestCase, TestCase
from django.utils import timezone

from consultations.intake import questionnaires
from consultations.intake.display import NOT_ANSWERED
from consultations.intake.questionnaires import (
    DefinitionError,
    compare_with_previous,
    current_instrument,
    form_for,
    instrument_for,
    rows_by_purpose,
    save_response,
    score,
    shipped_definitions,
    validate_definition,
)
from consultations.intake.scoring import Direction
from consultations.models import Instrument, Intake, QuestionnaireResponse
from tests.factories import make_consultation, make_intake, make_location, make_patient, make_surgeon

SYNTHETIC_PATH = Path(__file__).parents[1] / "data" / "synthetic-odi.json"
SYNTHETIC = json.loads(SYNTHETIC_PATH.read_text())

# 16 points over ten sections (DOMAIN.md §2.2).
SIXTEEN = {f"section_{n}": value for n, value in enumerate([2, 2, 2, 2, 2, 2, 1, 1, 1, 1], 1)}


def synthetic() -> dict:
    return copy.deepcopy(SYNTHETIC)


def unsaved(data: dict) -> Instrument:
    return Instrument(code=data["code"], version=data["version"], purpose=data["purpose"], definition=data)


def shipped(purpose: str) -> questionnaires.Definition:
    return next(definition for definition in shipped_definitions() if definition.purpose == purpose)


class ShippedDefinitionTests(SimpleTestCase):
    def test_one_shipped_instrument_per_purpose(self) -> None:
        purposes = [definition.purpose for definition in shipped_definitions()]
        assert sorted(purposes) == ["function", "mood", "pain"]

    def test_our_function_questionnaire_has_the_odi_shape_and_says_it_is_not_the_odi(self) -> None:
        function = shipped("function")
        assert (function.code, function.version, function.method) == ("spine-function", "1.1", "disability_index")
        assert len(function.items) == 10
        assert all(item.values == (0, 1, 2, 3, 4, 5) for item in function.items)
        assert "not the Oswestry Disability Index" in function.notice
        assert "our practice's own" in function.title
        assert [(band.low, band.high) for band in function.bands] == [(0, 20), (21, 40), (41, 60), (61, 80), (81, 100)]
        assert all(band.patient_label for band in function.bands)
        sex_life = next(item for item in function.items if item.id == "sex_life")
        assert sex_life.skip_label

    def test_the_pain_scales_are_six_unscored_zero_to_ten_items_with_anchors(self) -> None:
        pain = shipped("pain")
        assert (pain.method, pain.layout, pain.bands) == ("none", "scale", ())
        assert [item.id for item in pain.items] == [
            "back_now",
            "back_average",
            "back_worst",
            "leg_now",
            "leg_average",
            "leg_worst",
        ]
        for item in pain.items:
            assert item.values == tuple(range(11))
            assert [option.anchor for option in item.options if option.anchor] == [
                "No pain",
                "The worst pain you can imagine",
            ]

    def test_the_synthetic_odi_validates(self) -> None:
        definition = validate_definition(synthetic())
        assert (definition.code, definition.version, len(definition.items)) == ("odi", "2.1a", 10)
        assert definition.band("crippled").label == "Crippled"


class InvalidDefinitionTests(SimpleTestCase):
    def assert_refused(self, data: object, message: str) -> None:
        with self.assertRaisesMessage(DefinitionError, message):
            validate_definition(data)

    def test_not_an_object(self) -> None:
        self.assert_refused([1, 2], "The definition must be a JSON object.")

    def test_missing_keys_are_named(self) -> None:
        data = synthetic()
        del data["items"], data["version"]
        self.assert_refused(data, "The definition is missing 'version', 'items'.")

    def test_a_misspelt_key_is_named(self) -> None:
        data = synthetic()
        data["notise"] = data.pop("notice")
        self.assert_refused(data, "The definition has unknown 'notise'")

    def test_duplicate_item_ids(self) -> None:
        data = synthetic()
        data["items"][3]["id"] = "section_1"
        self.assert_refused(data, "Item id 'section_1' is used twice.")

    def test_options_without_whole_number_values(self) -> None:
        for bad in ("1", 1.5, True, None):
            with self.subTest(bad=bad):
                data = synthetic()
                data["items"][1]["options"][1]["value"] = bad
                self.assert_refused(data, "Item 'section_2' option 2 value must be a whole number")

    def test_option_without_text(self) -> None:
        data = synthetic()
        del data["items"][0]["options"][0]["text"]
        self.assert_refused(data, "Item 'section_1' option 1 is missing 'text'.")

    def test_unknown_scoring_method(self) -> None:
        data = synthetic()
        data["scoring"]["method"] = "average"
        self.assert_refused(data, 'Unknown scoring method "average"')

    def test_disability_index_needs_every_item_zero_to_five(self) -> None:
        data = synthetic()
        data["items"][4]["options"].pop()
        self.assert_refused(
            data, "Item 'section_5': the disability index needs every item's option values to be 0 to 5"
        )

    def test_overlapping_bands(self) -> None:
        data = synthetic()
        data["bands"][1]["low"] = 20
        self.assert_refused(data, "Bands 'minimal' (0-20) and 'moderate' (20-40) overlap.")

    def test_bands_with_a_gap(self) -> None:
        data = synthetic()
        data["bands"][2]["low"] = 45
        self.assert_refused(data, "The bands leave a gap between 40 and 45.")

    def test_bands_must_cover_zero_to_a_hundred(self) -> None:
        data = synthetic()
        data["bands"][0]["low"] = 1
        self.assert_refused(data, "The bands must start at 0; the lowest starts at 1.")
        data = synthetic()
        del data["bands"][-1]
        self.assert_refused(data, "The bands must end at 100; the highest ends at 80.")

    def test_a_scored_method_needs_bands(self) -> None:
        data = synthetic()
        del data["bands"]
        self.assert_refused(data, "Scoring method 'disability_index' needs a list of bands covering 0 to 100.")

    def test_an_item_id_that_cannot_be_a_field_name(self) -> None:
        data = synthetic()
        data["items"][0]["id"] = "Section 1"
        self.assert_refused(data, 'Item 1 id "Section 1" must start with a letter')


class ScoreTests(SimpleTestCase):
    definition = validate_definition(SYNTHETIC)

    def test_all_sections_answered(self) -> None:
        scored = score(self.definition, SIXTEEN, max_missing=2)
        assert (scored.score, scored.band_code) == (Decimal("32.0"), "moderate")

    def test_one_section_skipped(self) -> None:
        answers = {**SIXTEEN, "section_8": None, "section_7": 2}
        scored = score(self.definition, answers, max_missing=2)
        assert (scored.score, scored.band_code) == (Decimal("35.6"), "moderate")

    def test_too_many_sections_missing(self) -> None:
        answers = {key: value for key, value in SIXTEEN.items() if key not in {"section_1", "section_2", "section_3"}}
        scored = score(self.definition, answers, max_missing=2)
        assert (scored.score, scored.band, scored.band_code) == (None, None, "")
        assert score(self.definition, answers, max_missing=3).score == Decimal("28.6")  # 10 / 35

    def test_band_edges_through_the_engine(self) -> None:
        cases = [
            (10, "minimal"),
            (11, "moderate"),
            (20, "moderate"),
            (21, "severe"),
            (40, "crippled"),
            (41, "bed_bound"),
        ]
        for raw, band in cases:
            values = [5] * (raw // 5) + [raw % 5] + [0] * 10
            answers = {f"section_{n}": values[n - 1] for n in range(1, 11)}
            with self.subTest(raw=raw):
                assert score(self.definition, answers, max_missing=2).band_code == band

    def test_answers_must_fit_the_definition(self) -> None:
        with self.assertRaisesMessage(ValueError, "odi has no item 'section_11'"):
            score(self.definition, {"section_11": 1}, max_missing=2)
        with self.assertRaisesMessage(ValueError, "6 is not an answer to odi item 'section_1'"):
            score(self.definition, {"section_1": 6}, max_missing=2)

    def test_the_pain_scales_are_not_scored_as_a_whole(self) -> None:
        scored = score(shipped("pain"), {"back_now": 7, "leg_now": 3}, max_missing=2)
        assert (scored.score, scored.band) == (None, None)


class FormTests(SimpleTestCase):
    instrument = unsaved(SYNTHETIC)

    def test_the_cleaned_answers_are_ordinals_or_none(self) -> None:
        data = {"odi-section_1": "3", "odi-section_2": "0", "odi-section_8": questionnaires.SKIP}
        form = form_for(self.instrument, data=data, prefix="odi")
        assert form.is_valid(), form.errors
        assert form.answers() == {"section_1": 3, "section_2": 0} | {f"section_{n}": None for n in range(3, 11)}
        assert form.instrument is self.instrument

    def test_a_value_not_offered_is_an_error_not_a_crash(self) -> None:
        form = form_for(self.instrument, data={"section_1": "9", "section_2": "x"})
        assert not form.is_valid()
        assert form.errors == {
            "section_1": ["Please choose one of the answers shown."],
            "section_2": ["Please choose one of the answers shown."],
        }

    def test_an_empty_submission_is_valid_and_answers_nothing(self) -> None:
        form = form_for(self.instrument, data={})
        assert form.is_valid()
        assert set(form.answers().values()) == {None}

    def test_the_fragment_renders_a_fieldset_with_legend_per_item_and_labelled_radios(self) -> None:
        form = form_for(self.instrument, initial={"section_2": 4, "section_3": None})
        html = render_to_string("consultations/intake/_instrument.html", {"form": form})
        assert html.count("<fieldset") == 10
        assert html.count("<legend") == 10
        self.assertInHTML('<legend class="fs-6 fw-semibold mb-1">Section 1</legend>', html)
        self.assertInHTML(
            '<input type="radio" name="section_1" value="0" class="form-check-input" id="id_section_1_0">', html
        )
        self.assertInHTML('<label class="form-check-label" for="id_section_1_0">Section 1 statement 0</label>', html)
        self.assertInHTML(
            '<input type="radio" name="section_2" value="4" class="form-check-input" id="id_section_2_4" checked>',
            html,
        )
        assert html.count(" checked") == 1
        assert "Synthetic placeholder text with the shape of the ODI" in html
        self.assertInHTML('<label class="form-check-label" for="id_section_8_6">Section 8 does not apply</label>', html)
        assert "style=" not in html

    def test_the_pain_scales_render_as_a_compact_row_of_numbers_with_their_anchors(self) -> None:
        definition = shipped("pain")
        form = form_for(unsaved(dict(definition.data)), prefix="pain")
        html = render_to_string("consultations/intake/_instrument.html", {"form": form, "hide_title": True})
        assert definition.title not in html
        assert html.count("<fieldset") == 6
        self.assertInHTML(
            '<input type="radio" name="pain-back_now" value="10" class="btn-check" autocomplete="off" '
            'id="id_pain-back_now_10">',
            html,
        )
        self.assertInHTML(
            '<label class="btn btn-outline-primary w-100 px-3 py-2" for="id_pain-back_now_10">10</label>', html
        )
        self.assertInHTML("<span>0: No pain</span>", html, count=6)
        assert 'aria-describedby="id_pain-back_now_anchors "' in html
        assert 'id="id_pain-back_now_anchors"' in html


class InstrumentTests(TestCase):
    def test_current_instrument_registers_the_shipped_file_once(self) -> None:
        instrument = current_instrument("function")
        assert (instrument.code, instrument.version, instrument.source) == ("spine-function", "1.1", "shipped")
        assert instrument.definition == shipped("function").data
        with self.assertNumQueries(1):
            assert current_instrument("function") == instrument
        assert Instrument.objects.filter(purpose="function").count() == 1

    def test_a_purpose_with_no_instrument_is_a_lookup_error(self) -> None:
        with self.assertRaisesMessage(LookupError, "No questionnaire is shipped or installed for the purpose 'sleep'"):
            current_instrument("sleep")


class SaveResponseTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.intake = make_intake()
        cls.odi = Instrument.objects.create(
            code="odi", version="2.1a", purpose="function", title="Synthetic", definition=SYNTHETIC, source="loaded"
        )

    def test_stores_every_raw_answer_with_score_and_band(self) -> None:
        answers = {**SIXTEEN, "section_8": None, "section_7": 2}
        response = save_response(intake=self.intake, instrument=self.odi, answers=answers)
        response.refresh_from_db()
        assert response.answers == answers
        assert (response.score, response.band) == (Decimal("35.6"), "moderate")

    def test_saving_again_updates_the_one_response(self) -> None:
        save_response(intake=self.intake, instrument=self.odi, answers=SIXTEEN)
        save_response(intake=self.intake, instrument=self.odi, answers={"section_1": 1})
        response = QuestionnaireResponse.objects.get(intake=self.intake)
        assert response.answers == {"section_1": 1} | {f"section_{n}": None for n in range(2, 11)}
        assert (response.score, response.band) == (None, "")

    def test_too_many_missing_follows_the_setting(self) -> None:
        answers = {f"section_{n}": 2 for n in range(1, 8)}
        with self.settings(INTAKE_MAX_MISSING_SECTIONS=3):
            assert save_response(intake=self.intake, instrument=self.odi, answers=answers).score == Decimal("40.0")
        assert save_response(intake=self.intake, instrument=self.odi, answers=answers).score is None

    def test_the_pain_scales_keep_each_answer_and_no_total(self) -> None:
        pain = current_instrument("pain")
        response = save_response(intake=self.intake, instrument=pain, answers={"back_now": 7, "leg_worst": 10})
        response.refresh_from_db()
        assert response.answers["back_now"] == 7
        assert response.answers["leg_worst"] == 10
        assert response.answers["back_average"] is None
        assert (response.score, response.band) == (None, "")

    def test_a_saved_response_fills_the_form_again_and_keeps_its_instrument(self) -> None:
        save_response(intake=self.intake, instrument=self.odi, answers={"section_1": 3})
        assert instrument_for(self.intake, "function") == self.odi
        form = form_for(self.odi, intake=self.intake)
        assert form.initial == {"section_1": 3}
        assert instrument_for(make_intake(), "function").code == "odi"  # the loaded one, for a new intake

    def test_rows_for_the_patient_and_for_the_clinician(self) -> None:
        rows = rows_by_purpose(self.intake)
        assert rows["pain"][0].label == "Your back pain right now"
        assert {row.value for row in rows["pain"]} == {NOT_ANSWERED}

        save_response(intake=self.intake, instrument=self.odi, answers=SIXTEEN)
        save_response(intake=self.intake, instrument=current_instrument("pain"), answers={"back_now": 7})
        rows = rows_by_purpose(self.intake)
        assert (rows["function"][0].label, rows["function"][0].value) == ("Score", "32.0 out of 100: Some effect")
        assert (rows["function"][1].label, rows["function"][1].value) == ("Section 1", "Section 1 statement 2")
        assert (rows["pain"][0].label, rows["pain"][0].value) == ("Your back pain right now", "7 out of 10")
        clinician = rows_by_purpose(self.intake, clinician=True)["function"]
        assert clinician[0].value == "Oswestry Disability Index (synthetic test text) (odi 2.1a)"
        assert clinician[1].value == "32.0 out of 100: Moderate disability"
        assert clinician[2].value == "Section 1 statement 2 (2)"


class CompareWithPreviousTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        surgeon, location = make_surgeon(), make_location()
        cls.patient = make_patient()
        start = timezone.now() + timedelta(days=7)
        cls.earlier = make_intake(
            make_consultation(surgeon, location, start - timedelta(days=200), patient=cls.patient),
            status=Intake.Status.COMPLETED,
            submitted_at=timezone.now() - timedelta(days=200),
        )
        cls.later = make_intake(make_consultation(surgeon, location, start, patient=cls.patient))
        cls.ours = current_instrument("function")

    def answers(self, raw: int, definition: questionnaires.Definition | None = None) -> dict[str, int]:
        values = [5] * (raw // 5) + [raw % 5] + [0] * 10
        return {item.id: values[number] for number, item in enumerate((definition or shipped("function")).items)}

    def odi(self) -> tuple[Instrument, questionnaires.Definition]:
        odi = Instrument.objects.create(
            code="odi", version="2.1a", purpose="function", title="Synthetic", definition=SYNTHETIC, source="loaded"
        )
        return odi, validate_definition(SYNTHETIC)

    def test_a_fall_of_ten_points_is_a_meaningful_improvement_by_the_instruments_threshold(self) -> None:
        odi, definition = self.odi()
        save_response(intake=self.earlier, instrument=odi, answers=self.answers(25, definition))  # 50.0
        save_response(intake=self.later, instrument=odi, answers=self.answers(20, definition))  # 40.0
        result = compare_with_previous(self.later)
        assert result.previous.intake == self.earlier
        assert (result.change.previous, result.change.current) == (Decimal("50.0"), Decimal("40.0"))
        assert result.change.direction == Direction.IMPROVED

    def test_our_own_questionnaire_declares_no_threshold_so_a_change_is_never_judged(self) -> None:
        save_response(intake=self.earlier, instrument=self.ours, answers=self.answers(25))
        save_response(intake=self.later, instrument=self.ours, answers=self.answers(5))
        change = compare_with_previous(self.later).change
        assert (change.direction, change.points, change.is_meaningful) == (
            Direction.NOT_JUDGED,
            Decimal("-40.0"),
            False,
        )

    def test_a_rise_is_a_worsening(self) -> None:
        odi, definition = self.odi()
        save_response(intake=self.earlier, instrument=odi, answers=self.answers(10, definition))  # 20.0
        save_response(intake=self.later, instrument=odi, answers=self.answers(13, definition))  # 26.0: +30%
        assert compare_with_previous(self.later).change.direction == Direction.WORSENED

    def test_nothing_to_compare_without_a_previous_submitted_score_on_the_same_instrument(self) -> None:
        save_response(intake=self.later, instrument=self.ours, answers=self.answers(20))
        assert compare_with_previous(self.later) is None  # no earlier response
        odi = Instrument.objects.create(
            code="odi", version="2.1a", purpose="function", title="Synthetic", definition=SYNTHETIC, source="loaded"
        )
        save_response(intake=self.earlier, instrument=odi, answers=SIXTEEN)
        assert compare_with_previous(self.later) is None  # a different questionnaire is not comparable
        save_response(intake=self.earlier, instrument=self.ours, answers=self.answers(25))
        Intake.objects.filter(pk=self.earlier.pk).update(status=Intake.Status.IN_PROGRESS, submitted_at=None)
        assert compare_with_previous(self.later) is None  # never sent
        assert compare_with_previous(self.earlier) is None  # nothing before the first
