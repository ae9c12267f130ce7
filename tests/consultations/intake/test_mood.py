"""The PHQ-4 mood screen (DOMAIN.md §9): its published wording and scoring, the definition format that carries it,
the intake step, the surgeon's flag, and that the desk never sees any of it."""

import copy
import json
from datetime import date, timedelta
from pathlib import Path

from django.test import SimpleTestCase, TestCase
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from consultations.intake.questionnaires import (
    INSTRUMENTS_DIR,
    DefinitionError,
    score,
    validate_definition,
)
from consultations.intake.screens import mood_state
from consultations.links import patient_token
from consultations.models import Instrument, QuestionnaireResponse
from tests.factories import (
    make_consultation,
    make_location,
    make_mood_screen,
    make_patient,
    make_submitted_intake,
    make_surgeon_user,
    make_user,
    sign_in,
)

PHQ4 = json.loads((INSTRUMENTS_DIR / "phq-4.json").read_text(encoding="utf-8"))
DEFINITION = validate_definition(PHQ4)
SYNTHETIC = json.loads((Path(__file__).parents[1] / "data" / "synthetic-odi.json").read_text())

# Words that would give the screen away on a page the desk or the patient sees.
CLINICAL = ("Screen positive", "PHQ", "GAD", "depression", "anxiety", "distress", "Mood screen")


def answers(nervous=0, worrying=0, down=0, interest=0) -> dict[str, int | None]:
    return {"nervous": nervous, "worrying": worrying, "down": down, "interest": interest}


def state(**values) -> tuple[str, str]:
    """mood_state of an unsaved response, scored as save_response would."""
    given = answers(**values)
    scored = score(DEFINITION, given, max_missing=0)
    instrument = Instrument(code="phq-4", version="1.0", purpose="mood", definition=PHQ4)
    return mood_state(
        QuestionnaireResponse(instrument=instrument, answers=given, score=scored.score, band=scored.band_code)
    )


class PublishedWordingTests(SimpleTestCase):
    def test_the_stem_items_and_answers_are_as_published(self) -> None:
        assert DEFINITION.instructions == (
            "Over the last 2 weeks, how often have you been bothered by the following problems?"
        )
        assert [item.text for item in DEFINITION.items] == [
            "Feeling nervous, anxious or on edge",
            "Not being able to stop or control worrying",
            "Feeling down, depressed, or hopeless",
            "Little interest or pleasure in doing things",
        ]
        for item in DEFINITION.items:
            assert [(o.value, o.text) for o in item.options] == [
                (0, "Not at all"),
                (1, "Several days"),
                (2, "More than half the days"),
                (3, "Nearly every day"),
            ]

    def test_the_file_carries_its_source_and_licence(self) -> None:
        assert "Psychosomatics 2009" in DEFINITION.copyright
        assert "No permission required to reproduce, translate, display or distribute" in DEFINITION.copyright

    def test_no_self_harm_item(self) -> None:
        # PHQ-9 item 9 is left out: nobody reads the history in the same session to answer it (README).
        assert not any("dead" in item.text or "hurting" in item.text for item in DEFINITION.items)


class ScoringTests(SimpleTestCase):
    def test_the_total_is_the_sum_on_zero_to_twelve(self) -> None:
        assert DEFINITION.score_max == 12
        result = score(DEFINITION, answers(1, 2, 3, 0), max_missing=0)
        assert result.score == 6 and result.band_code == "moderate"

    def test_every_band_edge(self) -> None:
        edges = {
            0: "normal",
            2: "normal",
            3: "mild",
            5: "mild",
            6: "moderate",
            8: "moderate",
            9: "severe",
            12: "severe",
        }
        for total, band in edges.items():
            values = [min(3, max(0, total - 3 * n)) for n in range(4)]
            with self.subTest(total=total):
                result = score(DEFINITION, answers(*values), max_missing=0)
                assert (result.score, result.band_code) == (total, band)

    def test_an_item_left_blank_gives_no_total(self) -> None:
        result = score(DEFINITION, answers(3, 3, 3, None), max_missing=2)
        assert (result.score, result.band_code) == (None, "")

    def test_phq2_at_2_is_negative_and_at_3_positive(self) -> None:
        assert state(down=1, interest=1) == (
            "no",
            "PHQ-2 2 of 6, GAD-2 0 of 6; PHQ-4 total 2 of 12 (Normal): below the cut-offs",
        )
        verdict, detail = state(down=2, interest=1)
        assert verdict == "yes"
        assert detail == (
            "Screen positive for depression (PHQ-2 3 of 6; positive at 3 or more). "
            "Consider a PHQ-9 or a talk about mood."
        )

    def test_gad2_at_2_is_negative_and_at_3_positive(self) -> None:
        assert state(nervous=2)[0] == "no"
        verdict, detail = state(nervous=2, worrying=1)
        assert verdict == "yes"
        assert detail.startswith("Screen positive for anxiety (GAD-2 3 of 6; positive at 3 or more)")
        assert "depression" not in detail

    def test_both_halves_positive_name_both(self) -> None:
        verdict, detail = state(nervous=3, worrying=3, down=3, interest=3)
        assert verdict == "yes"
        assert "depression" in detail and "anxiety" in detail

    def test_a_blank_half_is_not_answered_unless_the_other_is_positive(self) -> None:
        assert state(nervous=1, worrying=1, down=None, interest=None)[0] == "not_answered"
        assert state(nervous=None, worrying=None, down=None, interest=None) == ("not_answered", "")
        assert state(nervous=None, worrying=None, down=3, interest=0)[0] == "yes"

    def test_no_response_is_not_answered(self) -> None:
        assert mood_state(None) == ("not_answered", "")


class DefinitionFormatTests(SimpleTestCase):
    def assert_refused(self, data: dict, message: str) -> None:
        with self.assertRaisesMessage(DefinitionError, message):
            validate_definition(data)

    def phq4(self) -> dict:
        return copy.deepcopy(PHQ4)

    def test_sum_bands_must_cover_the_instruments_own_range(self) -> None:
        data = self.phq4()
        data["bands"][-1]["high"] = 100
        self.assert_refused(data, "The bands must end at 12; the highest ends at 100.")
        del data["bands"]
        self.assert_refused(data, "Scoring method 'sum' needs a list of bands covering 0 to 12.")

    def test_sum_items_run_from_zero_in_steps_of_one(self) -> None:
        data = self.phq4()
        data["items"][0]["options"][0]["value"] = 4
        self.assert_refused(data, "Item 'nervous': the sum method needs the option values 0 to 4, each once")

    def test_subscales_need_the_sum_method(self) -> None:
        data = copy.deepcopy(SYNTHETIC)
        data["subscales"] = self.phq4()["subscales"]
        self.assert_refused(data, "Subscales need the 'sum' scoring method, not 'disability_index'.")

    def test_a_subscale_naming_an_unknown_item(self) -> None:
        data = self.phq4()
        data["subscales"][0]["items"] = ["down", "sleep"]
        self.assert_refused(data, "Subscale 'phq-2' names unknown items: \"sleep\".")

    def test_a_subscale_naming_an_item_twice(self) -> None:
        data = self.phq4()
        data["subscales"][0]["items"] = ["down", "down"]
        self.assert_refused(data, "Subscale 'phq-2' names an item twice.")

    def test_a_cut_off_beyond_the_subscales_range(self) -> None:
        data = self.phq4()
        data["subscales"][0]["positive_at"] = 7
        self.assert_refused(data, "Subscale 'phq-2' positive_at must be from 1 to its highest possible score 6.")

    def test_a_subscale_without_advice(self) -> None:
        data = self.phq4()
        del data["subscales"][1]["advice"]
        self.assert_refused(data, "Subscale 2 is missing 'advice'.")

    def test_two_subscales_with_one_code(self) -> None:
        data = self.phq4()
        data["subscales"][1]["code"] = "phq-2"
        self.assert_refused(data, "Two subscales have the same code.")

    def test_a_meaningful_change_needs_its_source(self) -> None:
        data = copy.deepcopy(SYNTHETIC)
        del data["scoring"]["meaningful_change"]["source"]
        self.assert_refused(data, "meaningful_change is missing 'source'.")

    def test_a_meaningful_change_needs_points_or_percent(self) -> None:
        data = copy.deepcopy(SYNTHETIC)
        data["scoring"]["meaningful_change"] = {"source": "x"}
        self.assert_refused(data, "meaningful_change needs 'points', 'percent' or both.")

    def test_a_minimum_baseline_only_limits_a_percent(self) -> None:
        data = copy.deepcopy(SYNTHETIC)
        del data["scoring"]["meaningful_change"]["percent"]
        self.assert_refused(data, "meaningful_change min_baseline only limits a 'percent'")

    def test_thresholds_are_positive_numbers(self) -> None:
        for bad in (0, -5, "10", True):
            data = copy.deepcopy(SYNTHETIC)
            data["scoring"]["meaningful_change"]["points"] = bad
            with self.subTest(bad=bad):
                self.assert_refused(data, "meaningful_change points must be a number above 0")

    def test_an_unscored_instrument_has_no_meaningful_change(self) -> None:
        data = copy.deepcopy(SYNTHETIC)
        data["scoring"] = {"method": "none", "meaningful_change": {"points": 2, "source": "Ostelo 2008"}}
        del data["bands"]
        self.assert_refused(data, "A meaningful change needs a scoring method that gives a score, not 'none'.")

    def test_the_synthetic_odi_declares_ostelo(self) -> None:
        threshold = validate_definition(SYNTHETIC).threshold
        assert (threshold.points, threshold.percent, threshold.min_baseline) == (10, 30, 20)
        assert "Ostelo" in threshold.source


class MoodStepTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.surgeon_user, surgeon = make_surgeon_user()
        cls.location = make_location()
        cls.patient = make_patient(date_of_birth=date(1970, 6, 15))
        cls.consultation = make_consultation(
            surgeon, cls.location, timezone.now() + timedelta(days=10), patient=cls.patient
        )

    def url(self, step: str = "mood") -> str:
        return reverse("consultations:intake-step", args=[patient_token(self.consultation), step])

    def test_the_step_explains_why_and_always_shows_the_crisis_lines(self) -> None:
        response = self.client.get(self.url())
        self.assertContains(response, "How you have been feeling")
        self.assertContains(
            response, "Over the last 2 weeks, how often have you been bothered by the following problems?"
        )
        self.assertContains(response, "How you feel matters to your surgeon")
        self.assertContains(response, '<a href="tel:988">988</a>', html=True)
        self.assertContains(response, '<a href="sms:988">988</a>', html=True)
        self.assertContains(response, '<a href="tel:911">911</a>', html=True)
        self.assertContains(response, "<legend", count=4)

    def test_answers_are_saved_and_scored_and_the_next_step_follows(self) -> None:
        data = {"mood-nervous": "1", "mood-worrying": "0", "mood-down": "2", "mood-interest": "2"}
        response = self.client.post(self.url(), data)
        assert response.status_code == 302 and response.url.endswith("/history/work/")
        saved = QuestionnaireResponse.objects.select_related("instrument").get(instrument__purpose="mood")
        assert (saved.instrument.code, saved.score, saved.band) == ("phq-4", 5, "mild")
        assert saved.answers == {"nervous": 1, "worrying": 0, "down": 2, "interest": 2}
        assert "mood" in saved.intake.steps_saved

    def test_an_answer_not_offered_is_refused_and_nothing_is_saved(self) -> None:
        response = self.client.post(self.url(), {"mood-nervous": "7", "mood-down": "2"})
        self.assertContains(response, "Please choose one of the answers shown.", status_code=400)
        assert not QuestionnaireResponse.objects.exists()

    def test_the_patients_check_page_shows_their_answers_without_clinical_labels(self) -> None:
        self.client.post(
            self.url(), {"mood-nervous": "3", "mood-worrying": "3", "mood-down": "3", "mood-interest": "3"}
        )
        page = self.client.get(reverse("consultations:intake-review", args=[patient_token(self.consultation)]))
        html = page.content.decode()
        assert "How you have been feeling" in html
        assert "Feeling down, depressed, or hopeless" in html and "Nearly every day" in html
        for word in ("Screen positive", "PHQ", "GAD", "distress", "Severe", "out of 12"):
            assert word not in html, word


class WhoSeesTheScreenTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.surgeon_user, surgeon = make_surgeon_user()
        cls.desk = make_user(role=roles.FRONT_DESK)
        location = make_location()
        cls.patient = make_patient(first_name="Fictional", last_name="Moodtest")
        cls.consultation = make_consultation(surgeon, location, timezone.now() + timedelta(days=2), patient=cls.patient)
        cls.intake = make_submitted_intake(cls.consultation)
        make_mood_screen(cls.intake, 3, 3, 3, 2)

    def test_the_surgeon_sees_the_flag_with_the_subscale_scores(self) -> None:
        sign_in(self.client, self.surgeon_user)
        html = self.client.get(reverse("consultations:surgeon-summary", args=[self.consultation.public_id])).content
        html = html.decode()
        assert "Screen positive for depression</span>" in html
        assert "Screen positive for anxiety</span>" in html
        assert "PHQ-2 5 of 6, GAD-2 6 of 6; PHQ-4 total 11 of 12 (Severe distress)" in html
        assert "Consider a PHQ-9 or a talk about mood." in html

    def test_the_surgeon_sees_not_answered_without_a_screen(self) -> None:
        QuestionnaireResponse.objects.filter(intake=self.intake).delete()
        sign_in(self.client, self.surgeon_user)
        html = self.client.get(reverse("consultations:surgeon-summary", args=[self.consultation.public_id])).content
        section = html.decode().split('<details id="mood"', 1)[1].split("</details>", 1)[0]
        assert "Not answered" in section and "Screen positive" not in section

    def test_no_desk_page_shows_any_trace_of_it(self) -> None:
        sign_in(self.client, self.desk)
        public_id = self.consultation.public_id
        pages = [
            self.client.get(reverse("consultations:desk-today")),
            self.client.get(reverse("consultations:desk-queue")),
            self.client.get(reverse("consultations:desk-consultation", args=[public_id])),
            self.client.get(reverse("consultations:desk-propose", args=[public_id])),
            self.client.get(reverse("consultations:desk-schedule")),
            self.client.get(reverse("consultations:desk-patient", args=[self.patient.pk])),
            self.client.post(reverse("consultations:desk-patients"), {"name": "Moodtest"}),
        ]
        for response in pages:
            assert response.status_code == 200, response.request["PATH_INFO"]
            html = response.content.decode()
            for word in CLINICAL:
                assert word not in html, (response.request["PATH_INFO"], word)
        # The pages did show this patient, so the test could have found a trace.
        assert "Moodtest" in pages[-2].content.decode()
