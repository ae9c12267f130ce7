"""Operations with their levels and implants one by one, opioids with the numbers for a daily MME, and the health
details a surgeon weighs: each saves, is refused with a clear message when wrong (keeping what was typed), and
reads back on the patient's check page. Operations saved the old way read as written."""

from datetime import timedelta
from decimal import Decimal

from django.utils import timezone

from consultations.intake.describe import estimate_of
from consultations.models import Medication, PriorOperation
from consultations.models.intake import Answer
from consultations.models.operations import Level
from tests.consultations.intake.test_steps import (
    IntakeTestCase,
    medication_data,
    operation_data,
    review_url,
    step_url,
)
from tests.factories import make_intake


class RefusedMixin:
    def assert_refused(self, step: str, data: dict, message: str) -> None:
        response = self.post_step(step, data)
        self.assertContains(response, message, status_code=400)
        assert step not in self.intake().steps_saved


class OperationTests(RefusedMixin, IntakeTestCase):
    def test_levels_and_implants_are_saved_one_by_one_and_read_back(self) -> None:
        row = {
            "year": "2019",
            "procedure": "fusion_tlif",
            "segments": ["L4-L5", "L5-L6"],
            "implants": "yes",
            "implant_pedicle_screws": "in_place",
            "implant_stimulator": "removed",
        }
        self.assert_goes_to(self.post_step("operations", operation_data(row)), "treatments")

        operation = PriorOperation.objects.get()
        assert operation.segments == ["L4-L5", "L5-L6"]
        assert operation.hardware == {"pedicle_screws": "in_place", "stimulator": "removed"}
        review = self.client.get(review_url(self.consultation))
        self.assertContains(review, "L4-L5, L5-L6")
        self.assertContains(
            review, "Yes: Screws and rods (pedicle screws), still in place; Spinal cord stimulator, taken out since"
        )
        # Shown again on the step, as saved.
        form = self.client.get(step_url(self.consultation, "operations"))
        self.assertContains(form, '<option value="removed" selected>', count=1)

    def test_an_implant_named_answers_the_question_and_no_with_an_implant_is_refused(self) -> None:
        row = {"year": "2019", "procedure": "other", "implant_pump": "in_place"}
        self.assert_refused(
            "operations", operation_data(row | {"implants": "no"}), "please answer “Yes” here, or set them back"
        )
        self.assert_goes_to(self.post_step("operations", operation_data(row)), "treatments")
        assert PriorOperation.objects.get().implants == Answer.YES

    def test_an_unknown_level_or_implant_state_is_refused(self) -> None:
        bad_level = {"year": "2019", "procedure": "other", "segments": ["L9-L10"]}
        self.assert_refused("operations", operation_data(bad_level), "Select a valid choice")
        bad_state = {"year": "2019", "procedure": "other", "implant_plate": "lost"}
        self.assert_refused("operations", operation_data(bad_state), "Select a valid choice")
        assert not PriorOperation.objects.exists()

    def test_an_operation_saved_the_old_way_reads_as_written_and_is_not_converted(self) -> None:
        intake = make_intake(self.consultation)
        old = PriorOperation.objects.create(
            intake=intake,
            year=2016,
            procedure="fusion_plif",
            level_from=Level.L4,
            level_to=Level.S1,
            implants=Answer.YES,
        )

        review = self.client.get(review_url(self.consultation))
        self.assertContains(review, "L4-S1 (as given before)")
        self.assertInHTML('<dt class="col-sm-5">Implants</dt><dd class="col-sm-7">Yes</dd>', review.content.decode())
        form = self.client.get(step_url(self.consultation, "operations"))
        self.assertContains(form, "You told us before: L4-S1. Please tick each level, if you know them.")
        # Saving the step again without ticking levels keeps the old answer, and ticks nothing for the patient.
        existing = {"id": str(old.pk), "intake": str(intake.pk), "year": "2016", "procedure": "fusion_plif"}
        self.assert_goes_to(
            self.post_step("operations", operation_data(existing | {"implants": "yes"}, initial=1)), "treatments"
        )
        old.refresh_from_db()
        assert (old.level_from, old.level_to, old.segments, old.hardware) == (Level.L4, Level.S1, [], {})
        assert old.levels == "L4-S1 (as given before)"


def opioid(**values) -> dict:
    return {"drug": "oxycodone", "strength": "10", "units_per_dose": "1", "times_per_day": "3"} | values


class MedicineTests(RefusedMixin, IntakeTestCase):
    answers = {"takes_opioids": "yes", "takes_blood_thinners": "no"}

    def test_an_opioid_with_its_numbers_is_saved_with_its_daily_mme(self) -> None:
        data = self.answers | medication_data(opioid(since_month="3", since_year="2022"))
        self.assert_goes_to(self.post_step("medications", data), "imaging")

        medication = Medication.objects.get()
        # Choosing the drug names the medicine and says it is an opioid.
        assert (medication.name, medication.category) == ("Oxycodone (OxyContin, Percocet)", "opioid")
        assert (medication.strength, medication.units_per_dose, medication.times_per_day) == (
            Decimal(10),
            Decimal(1),
            3,
        )
        assert (medication.since_month, medication.since_year) == (3, 2022)
        review = self.client.get(review_url(self.consultation))
        self.assertContains(
            review, "Oxycodone (OxyContin, Percocet), 10 mg, 1 at a time, 3 times a day, since Mar 2022"
        )
        # The daily MME is the surgeon's risk marker (see the summary's tests), not a figure for the patient.
        self.assertNotContains(review, "MME")

    def test_methadone_is_saved_with_its_numbers_but_not_estimated(self) -> None:
        data = self.answers | medication_data(opioid(drug="methadone", name="Methadone"))
        self.assert_goes_to(self.post_step("medications", data), "imaging")
        medication = Medication.objects.get()
        assert (medication.drug, medication.strength) == ("methadone", Decimal(10))
        assert estimate_of(medication).text.startswith("MME not estimated: the CDC guideline warns")

    def test_bad_numbers_are_refused_with_what_was_typed_kept(self) -> None:
        cases = (
            (opioid(strength="lots"), "Please give the strength as a number on the label"),
            (opioid(strength="0"), "Please give the strength as a number on the label"),
            (opioid(units_per_dose="30"), "as a number from 0.25 to 20"),
            (opioid(times_per_day="48"), "a number from 1 to 24"),
            (opioid(drug="", name="Something"), "Please choose which opioid these numbers are for"),
            (opioid(since_month="4"), "Please give the year as well as the month."),
            (opioid(since_year=str(timezone.localdate().year + 1)), "cannot be in the future"),
        )
        for row, message in cases:
            with self.subTest(message):
                self.assert_refused("medications", self.answers | medication_data(row), message)
        response = self.post_step("medications", self.answers | medication_data(opioid(strength="lots")))
        self.assertContains(response, 'value="lots"', status_code=400)
        assert not Medication.objects.exists()


class HealthTests(RefusedMixin, IntakeTestCase):
    def test_diabetes_bones_and_smoking_details_are_saved_and_read_back(self) -> None:
        data = {
            "diabetes": "yes",
            "diabetes_insulin": "yes",
            "hba1c": "7.4",
            "hba1c_year": "2025",
            "osteoporosis": "yes",
            "osteoporosis_treatment": "slows_loss",
            "osteoporosis_medicine": "Alendronate",
            "smoking": "former",
            "cigarettes_per_day": "15",
            "smoking_years": "20",
            "quit_month": "6",
            "quit_year": "2024",
        }
        self.assert_goes_to(self.post_step("health", data), "function")

        intake = self.intake()
        assert (intake.diabetes_insulin, intake.hba1c, intake.hba1c_year) == ("yes", Decimal("7.4"), 2025)
        assert (intake.osteoporosis_treatment, intake.osteoporosis_medicine) == ("slows_loss", "Alendronate")
        assert (intake.cigarettes_per_day, intake.smoking_years) == (15, 20)
        assert (intake.smoking_quit_year, intake.smoking_quit_month) == (2024, 6)
        review = self.client.get(review_url(self.consultation)).content.decode()
        for label, value in (
            ("Insulin", "Yes"),
            ("Last HbA1c", "HbA1c 7.4% (2025)"),
            ("How much", "15 cigarettes a day for 20 years (about 15 pack-years)"),
            ("Stopped", "Jun 2024"),
            ("Treatment for thin bones", "Tablets or a yearly drip that slow bone loss"),
        ):
            with self.subTest(label):
                assert f'<dt class="col-sm-5">{label}</dt>' in review
                assert value in review

    def test_bad_health_details_are_refused_with_a_clear_message(self) -> None:
        next_year = str(timezone.localdate().year + 1)
        cases = (
            ({"hba1c": "25"}, "between 3 and 20, for example 6.8"),
            ({"hba1c": "6.85"}, "at most one decimal"),
            ({"hba1c": "high"}, "between 3 and 20, for example 6.8"),
            ({"hba1c_year": "2024"}, "please give its result too"),
            ({"diabetes": "no", "diabetes_insulin": "yes"}, "You said you use insulin"),
            ({"smoking": "never", "cigarettes_per_day": "10"}, "choose another answer than “Never”"),
            ({"smoking": "current", "cigarettes_per_day": "500"}, "a number from 1 to 200"),
            ({"smoking": "current", "quit_year": "2020"}, "only for “Used to, but stopped”"),
            ({"smoking": "former", "quit_year": next_year}, "cannot be in the future"),
            ({"smoking": "former", "smoking_years": "80"}, "more years than your age"),
        )
        for data, message in cases:
            with self.subTest(message):
                self.assert_refused("health", data, message)
        response = self.post_step("health", {"hba1c": "25", "diabetes": "yes"})
        self.assertContains(response, 'value="25"', status_code=400)

    def test_saving_health_again_keeps_what_the_other_steps_saved(self) -> None:
        intake = make_intake(self.consultation, chief_complaint="Fictional: leg pain")
        intake.updated_at = timezone.now() - timedelta(days=1)
        self.assert_goes_to(self.post_step("health", {"smoking": "current", "cigarettes_per_day": "5"}), "function")
        assert self.intake().chief_complaint == "Fictional: leg pain"
