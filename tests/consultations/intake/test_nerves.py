"""The nerves step (weakness, numbness, walking, falls, usual bladder and bowels) and the claims on the work step:
saved, refused with a message when a patient gets something wrong, shown on the check page, and kept in range by
the database itself."""

import importlib

from django.apps import apps
from django.db import IntegrityError, transaction
from django.test import SimpleTestCase

from consultations.intake.claims import claims_state
from consultations.intake.forms import PAIN_AREAS
from consultations.intake.neuro import body_map_rows, neuro_deficits
from consultations.models import Intake
from consultations.models.nerves import WEAKNESS_MOVEMENTS
from tests.consultations.intake.test_steps import IntakeTestCase, review_url, step_url

NERVES = {
    "weak_hip_flexion": "none",
    "weak_knee_extension": "none",
    "weak_ankle_dorsiflexion": "left",
    "weak_toe_extension": "both",
    "weak_plantar_flexion": "none",
    "numbness": "yes",
    "numb-foot": "left",
    "numb-below_knee": "left",
    "walking": "limited",
    "walking_blocks": "2",
    "walking_minutes": "10",
    "walking_eased_by_bending": "yes",
    "balance_problems": "yes",
    "falls_last_year": "3",
    "bladder_bowel": "known_problem",
    "bladder_bowel_detail": "Fictional: urgency since 2015, checked by my urologist",
}


class NervesStepTests(IntakeTestCase):
    def test_the_step_follows_pain_saves_every_answer_and_shows_on_the_check_page(self) -> None:
        self.post_step("about", {"chief_complaint": "Fictional", "goals": ""})
        self.assert_goes_to(self.post_step("pain", {"foot": "left"}), "nerves")
        self.assert_goes_to(self.post_step("nerves", NERVES), "history")
        intake = self.intake()
        assert (intake.weak_ankle_dorsiflexion, intake.weak_toe_extension, intake.weak_hip_flexion) == (
            "left",
            "both",
            "none",
        )
        assert {area: side for area, side in intake.numbness_map.items() if side} == {
            "foot": "left",
            "below_knee": "left",
        }
        assert (intake.walking, intake.walking_blocks, intake.walking_minutes) == ("limited", 2, 10)
        assert (intake.balance_problems, intake.falls_last_year, intake.bladder_bowel) == ("yes", 3, "known_problem")
        assert "nerves" in intake.steps_saved
        page = self.client.get(review_url(self.consultation)).content.decode()
        assert "Numbness, weakness and walking" in page
        assert "Weakness: Lifting the foot (ankle dorsiflexion; foot drop)" in page
        assert "Below the knee (left), Foot (left)" in page
        assert "Stops after about 2 blocks or 10 minutes" in page
        assert "urgency since 2015, checked by my urologist" in page

    def test_the_page_sends_new_symptoms_to_urgent_care_with_a_tap_to_call_link(self) -> None:
        response = self.client.get(step_url(self.consultation, "nerves"))
        self.assertContains(response, "If something is new or getting worse, do not wait for this visit")
        self.assertContains(response, "These symptoms can be a medical emergency.")
        self.assertContains(response, 'href="tel:911"')
        self.assertContains(response, "How do your bladder and bowels usually work?")
        self.assertContains(self.client.get(step_url(self.consultation, "pain")), "This page is about pain only")

    def assert_refused(self, data: dict, message: str) -> None:
        """Refused with `message`, and the answers saved before are still there."""
        response = self.post_step("nerves", NERVES | data)
        self.assertContains(response, message, status_code=400)
        self.assertContains(response, "Nothing on this page was saved yet", status_code=400)
        intake = self.intake()
        assert intake.weak_ankle_dorsiflexion == "right" and intake.falls_last_year == 1

    def test_bad_answers_are_refused_with_a_message_and_nothing_saved_is_lost(self) -> None:
        self.assert_goes_to(
            self.post_step("nerves", NERVES | {"weak_ankle_dorsiflexion": "right", "falls_last_year": "1"}), "history"
        )
        cases = [
            ({"numb-foot": "", "numb-below_knee": ""}, "please mark at least one place on the map"),
            ({"numbness": "no"}, "You marked places on the map below"),
            ({"walking_blocks": "-2"}, "Please give the blocks as a whole number from 0 to 100"),
            ({"walking_minutes": "1000"}, "Please give the minutes as a whole number from 0 to 240"),
            ({"walking_minutes": "ten"}, "Please give the minutes as a whole number"),
            ({"walking": "not_limited"}, "Please clear the blocks and minutes"),
            ({"falls_last_year": "-1"}, "Please give the number of falls as a whole number from 0 to 365"),
            ({"bladder_bowel": "normal"}, "You described a problem"),
            ({"weak_hip_flexion": "sideways"}, "Select a valid choice"),
        ]
        for data, message in cases:
            with self.subTest(data):
                self.assert_refused(data, message)

    def test_a_distance_without_the_choice_means_the_legs_stop_the_patient(self) -> None:
        self.post_step("nerves", {"walking_minutes": "15"})
        assert (self.intake().walking, self.intake().walking_minutes) == ("limited", 15)

    def test_no_numbness_keeps_no_map(self) -> None:
        self.post_step("nerves", {"numbness": "no"})
        intake = self.intake()
        assert intake.numbness == "no" and intake.numbness_map == {}

    def test_a_history_without_these_answers_reads_not_answered(self) -> None:
        self.post_step("about", {"chief_complaint": "Fictional", "goals": ""})
        page = self.client.get(review_url(self.consultation)).content.decode()
        section = page[page.index('id="section-nerves"') : page.index('id="section-history"')]
        assert section.count("Not answered") == 11, section
        work = page[page.index('id="section-work"') : page.index('id="section-consent"')]
        assert work.count("Not answered") == 6


class WorkClaimsStepTests(IntakeTestCase):
    def test_claims_and_the_jobs_demands_are_saved_and_shown(self) -> None:
        data = {
            "work_status": "off_work",
            "occupation": "Fictional warehouse worker",
            "job_demands": "heavy",
            "workers_comp_claim": "open",
            "injury_litigation": "closed",
            "disability_claim": "unsure",
        }
        self.assert_goes_to(self.post_step("work", data), "consent")
        intake = self.intake()
        assert (intake.job_demands, intake.workers_comp_claim, intake.injury_litigation) == ("heavy", "open", "closed")
        response = self.client.get(review_url(self.consultation))
        self.assertContains(response, "Heavy: lifting up to about 100 lb")
        self.assertContains(response, "Workers&#x27; compensation claim")
        self.assertContains(response, "Yes, still open")
        self.assertContains(response, "Yes, settled or closed")

    def test_an_unknown_claim_answer_is_refused(self) -> None:
        response = self.post_step("work", {"workers_comp_claim": "maybe"})
        self.assertContains(response, "Select a valid choice", status_code=400)


class ConstraintTests(IntakeTestCase):
    """The database keeps the limits even when a form is bypassed."""

    def test_out_of_range_or_inconsistent_values_are_refused(self) -> None:
        self.post_step("about", {"chief_complaint": "Fictional", "goals": ""})
        pk = self.intake().pk
        for values in (
            {"walking": "limited", "walking_minutes": 1000},
            {"walking": "not_limited", "walking_blocks": 3},
            {"falls_last_year": 400},
            {"weak_hip_flexion": "up"},
            {"numbness": "no", "numbness_map": {"foot": "left"}},
            {"bladder_bowel": "normal", "bladder_bowel_detail": "Fictional"},
            {"workers_comp_claim": "maybe"},
            {"job_demands": "extreme"},
        ):
            with self.subTest(values), self.assertRaises(IntegrityError), transaction.atomic():
                Intake.objects.filter(pk=pk).update(**values)


class EarlierBodyMapTests(IntakeTestCase):
    def test_the_migration_marks_the_earlier_areas_as_asked_so_new_ones_read_not_answered(self) -> None:
        self.post_step("about", {"chief_complaint": "Fictional", "goals": ""})
        # As a pain step saved before this change left it: only the areas marked.
        Intake.objects.filter(pk=self.intake().pk).update(pain_map={"foot": "left"}, steps_saved=["about", "pain"])
        migration = importlib.import_module("consultations.migrations.0016_nerves_and_claims")
        migration.mark_earlier_areas_as_asked(apps, None)
        assert self.intake().pain_map == {
            "low_back": "",
            "buttock": "",
            "thigh": "",
            "below_knee": "",
            "foot": "left",
        }
        shown = {row.label: row.value for row in body_map_rows(self.intake().pain_map, none="No pain here")}
        assert shown == {
            "Low back": "No pain here",
            "Buttock": "No pain here",
            "Hip": "Not answered",
            "Groin": "Not answered",
            "Thigh": "No pain here",
            "Below the knee": "No pain here",
            "Foot": "Left",
            "Neck": "Not answered",
            "Arm or hand": "Not answered",
        }


def intake(**answers) -> Intake:
    return Intake(**answers)


class ClaimsStateTests(SimpleTestCase):
    def test_an_open_claim_is_yes_naming_it(self) -> None:
        assert claims_state(intake(workers_comp_claim="open", disability_claim="unsure")) == (
            "yes",
            "Open: workers' compensation claim",
        )

    def test_no_only_when_all_three_are_answered_and_none_is_open(self) -> None:
        state = intake(workers_comp_claim="none", injury_litigation="closed", disability_claim="none")
        assert claims_state(state) == ("no", "None open; settled or closed: personal-injury lawsuit")
        assert claims_state(intake(workers_comp_claim="none", injury_litigation="none", disability_claim="none")) == (
            "no",
            "No claims",
        )

    def test_a_blank_or_not_sure_is_not_answered_never_no(self) -> None:
        assert claims_state(intake()) == (
            "not_answered",
            "Not answered: workers' compensation claim, personal-injury lawsuit, disability claim",
        )
        assert claims_state(intake(workers_comp_claim="none", injury_litigation="unsure", disability_claim="none")) == (
            "not_answered",
            "Not sure: personal-injury lawsuit",
        )


class NeuroDeficitsTests(SimpleTestCase):
    def test_a_blank_history_reads_not_answered_on_every_row(self) -> None:
        rows = neuro_deficits(intake())
        assert [row.label for row in rows] == [
            "Weakness",
            "Numbness or tingling",
            "Walking",
            "Falls and balance",
            "Bladder and bowels, usually",
        ]
        assert {row.value for row in rows} == {"Not answered"}
        assert not any(row.notable for row in rows)

    def test_the_deficits_in_short(self) -> None:
        numb_map = dict.fromkeys((area for area, _ in PAIN_AREAS), "") | {"foot": "left"}
        rows = neuro_deficits(
            intake(
                weak_ankle_dorsiflexion="left",
                weak_hip_flexion="none",
                numbness="yes",
                numbness_map=numb_map,
                walking="limited",
                walking_minutes=10,
                walking_eased_by_bending="yes",
                falls_last_year=2,
                bladder_bowel="normal",
            )
        )
        values = {row.label: (row.value, row.notable) for row in rows}
        assert values["Weakness"] == (
            "ankle dorsiflexion; foot drop: left; not answered: knee extension, big-toe extension, plantar flexion",
            True,
        )
        assert values["Numbness or tingling"] == ("Foot (left)", True)
        assert values["Walking"] == (
            "Stops after about 10 minutes; eased by bending forward or sitting: yes",
            True,
        )
        assert values["Falls and balance"] == ("2 falls in the last 12 months", True)
        assert values["Bladder and bowels, usually"] == ("They work normally for me", False)

    def test_no_weakness_in_any_movement_says_so(self) -> None:
        none = dict.fromkeys((column for column, _ in WEAKNESS_MOVEMENTS), "none")
        assert neuro_deficits(intake(**none))[0].value == "None of the five movements"
