"""The "Before planning surgery" rows: yes, no or not answered for each factor, never "none reported" for a blank."""

from decimal import Decimal

from django.test import SimpleTestCase

from consultations.intake.risks import risk_rows
from consultations.models import Intake, Medication, PriorOperation, Treatment

KEYS = [
    "opioids",
    "blood_thinners",
    "smoking",
    "bmi",
    "diabetes",
    "osteoporosis",
    "steroids",
    "devices",
    "mood",
    "claim",
]


def rows(intake: Intake, *, medications=(), operations=(), treatments=()) -> dict:
    found = risk_rows(intake, medications=list(medications), operations=list(operations), treatments=list(treatments))
    assert [row.key for row in found] == KEYS  # one row per factor, none twice
    return {row.key: row for row in found}


class BlankTests(SimpleTestCase):
    def test_a_blank_intake_reads_not_answered_on_every_row(self) -> None:
        found = rows(Intake())

        assert {key: row.answer_label for key, row in found.items()} == dict.fromkeys(KEYS, "Not answered")
        assert not any(row.flagged for row in found.values())

    def test_answered_no_reads_no(self) -> None:
        intake = Intake(
            takes_opioids="no",
            takes_blood_thinners="no",
            smoking="never",
            height_inches=70,
            weight_pounds=170,
            diabetes="no",
            osteoporosis="no",
            long_term_steroids="no",
            steps_saved=["operations", "treatments"],
            workers_comp_claim="none",
            injury_litigation="closed",
            disability_claim="none",
        )

        found = rows(intake)

        # The mood screen is a questionnaire response of its own: without one it stays "not answered".
        assert {key: row.answer for key, row in found.items()} == dict.fromkeys(KEYS, "no") | {"mood": "not_answered"}
        assert found["claim"].detail == "None open; settled or closed: personal-injury lawsuit"
        assert found["bmi"].detail == "BMI 24.4"
        assert found["devices"].detail == "none listed among operations or treatments"


class DetailTests(SimpleTestCase):
    def test_opioids_with_their_mme_and_the_total_marked_at_50(self) -> None:
        oxycodone = Medication(
            name="Oxycodone",
            category="opioid",
            drug="oxycodone",
            strength=Decimal(10),
            units_per_dose=Decimal(1),
            times_per_day=3,
            since_month=3,
            since_year=2022,
        )
        methadone = Medication(
            name="Methadone",
            category="opioid",
            drug="methadone",
            strength=Decimal(5),
            units_per_dose=1,
            times_per_day=2,
        )
        patch = Medication(
            name="Fentanyl patch", category="opioid", drug="fentanyl_patch", strength=12, units_per_dose=1
        )

        row = rows(Intake(takes_opioids="yes"), medications=[oxycodone, methadone, patch])["opioids"]

        assert row.answer == "yes" and row.flagged
        assert "Oxycodone 10 mg, 1 at a time, 3 times a day, since Mar 2022: 45 MME/day" in row.detail
        assert "Methadone 5 mg, 1 at a time, 2 times a day: MME not estimated: the CDC guideline warns" in row.detail
        assert "Fentanyl patch 12 mcg/hr, 1 at a time: 28.8 MME/day" in row.detail
        assert "Total 73.8 MME/day without Methadone (not estimated). 50 MME/day or more" in row.detail

    def test_a_listed_opioid_answers_a_skipped_question(self) -> None:
        tramadol = Medication(name="Tramadol", category="opioid", dose="50 mg when needed")

        row = rows(Intake(), medications=[tramadol])["opioids"]

        assert row.answer == "yes"
        assert "Tramadol 50 mg when needed: MME not estimated: not chosen from our list of opioids" in row.detail

    def test_smoking_diabetes_bones_and_bmi_details(self) -> None:
        intake = Intake(
            smoking="former",
            cigarettes_per_day=20,
            smoking_years=15,
            smoking_quit_year=2025,
            smoking_quit_month=6,
            diabetes="yes",
            diabetes_insulin="yes",
            hba1c=Decimal("7.9"),
            hba1c_year=2026,
            osteoporosis="yes",
            osteoporosis_treatment="denosumab",
            height_inches=64,
            weight_pounds=210,
        )

        found = rows(intake)

        assert found["smoking"].answer_label == "Former"
        assert found["smoking"].detail == "stopped Jun 2025, 20 cigarettes a day for 15 years (about 15 pack-years)"
        assert found["diabetes"].detail == "uses insulin, HbA1c 7.9% (2026)"
        assert found["osteoporosis"].detail == "An injection every 6 months (denosumab, Prolia)"
        assert (found["bmi"].answer, found["bmi"].detail, found["bmi"].flagged) == ("yes", "BMI 36.0", True)


class DeviceTests(SimpleTestCase):
    def test_a_stimulator_still_in_place_is_flagged_for_mri(self) -> None:
        operation = PriorOperation(
            year=2021, procedure="scs_implant", implants="yes", hardware={"stimulator": "in_place"}
        )

        row = rows(Intake(), operations=[operation])["devices"]

        assert (row.answer, row.flagged) == ("yes", True)
        assert (
            row.detail
            == "Spinal cord stimulator (2021 operation): still in place. Check MRI safety before ordering a scan."
        )

    def test_a_removed_pump_is_no_and_an_unstated_removal_is_not_sure(self) -> None:
        removed = PriorOperation(
            year=2019, procedure="other", hardware={"pump": "removed", "pedicle_screws": "in_place"}
        )
        assert rows(Intake(steps_saved=["treatments"]), operations=[removed])["devices"].answer == "no"
        implant_without_word = PriorOperation(year=2020, procedure="scs_implant")
        row = rows(Intake(), operations=[implant_without_word])["devices"]
        assert (row.answer, row.flagged) == ("unsure", True)
        assert "not sure whether taken out" in row.detail

    def test_a_stimulator_listed_only_as_a_treatment_is_not_sure(self) -> None:
        treatment = Treatment(kind="scs_implant", tried="yes")

        row = rows(Intake(steps_saved=["operations"]), treatments=[treatment])["devices"]

        assert (row.answer, row.flagged) == ("unsure", True)
        assert "listed among treatments, with no word on whether it was taken out" in row.detail


class ClaimTests(SimpleTestCase):
    def test_an_open_claim_is_flagged_and_an_unsure_one_is_not_a_no(self) -> None:
        open_claim = rows(Intake(workers_comp_claim="open", injury_litigation="none", disability_claim="none"))["claim"]
        unsure = rows(Intake(workers_comp_claim="unsure", injury_litigation="none", disability_claim="none"))["claim"]

        assert (open_claim.answer, open_claim.flagged) == ("yes", True)
        assert "workers' compensation" in open_claim.detail
        assert (unsure.answer, unsure.flagged) == ("not_answered", False)


class DeviceAnswerTests(SimpleTestCase):
    def test_no_stimulator_is_no_only_once_operations_and_treatments_were_both_answered(self) -> None:
        half = rows(Intake(steps_saved=["operations"]))["devices"]
        both = rows(Intake(steps_saved=["operations", "treatments"]))["devices"]

        assert (half.answer, half.detail) == ("not_answered", "none among operations; the treatments step not answered")
        assert (both.answer, both.detail) == ("no", "none listed among operations or treatments")
