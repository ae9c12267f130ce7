"""Daily morphine milligram equivalents from the conversion table kept as data (DOMAIN.md §9)."""

import json
from decimal import Decimal

from django.test import SimpleTestCase

from consultations.intake import mme

# Every drug of the CDC 2022 table as DOMAIN.md §9 copies it: one tablet of `strength` mg three times a day (a patch:
# one of `strength` mcg/hr), and the daily MME expected. Written out here so a changed factor fails a test.
EXPECTED = {
    "codeine": (Decimal(30), Decimal("13.5")),  # 30 x 3 x 0.15
    "fentanyl_patch": (Decimal(25), Decimal("60.0")),  # 25 mcg/hr x 2.4, not multiplied by times a day
    "hydrocodone": (Decimal(10), Decimal(30)),
    "hydromorphone": (Decimal(2), Decimal(30)),
    "morphine": (Decimal(15), Decimal(45)),
    "oxycodone": (Decimal(10), Decimal(45)),
    "oxymorphone": (Decimal(5), Decimal(45)),
    "tapentadol": (Decimal(50), Decimal(60)),
    "tramadol": (Decimal(50), Decimal(30)),
}


class TableTests(SimpleTestCase):
    def test_the_file_names_its_source_and_asks_for_verification(self) -> None:
        data = json.loads(mme.TABLE.read_text())
        assert "CDC Clinical Practice Guideline for Prescribing Opioids for Pain" in data["source"]
        assert "2022" in data["source"]
        assert "VERIFY BEFORE GO-LIVE" in data["status"]

    def test_every_drug_with_a_factor_is_checked_here(self) -> None:
        with_factor = {key for key, drug in mme.table().drugs.items() if drug.factor is not None}
        assert with_factor == set(EXPECTED)


class DailyMmeTests(SimpleTestCase):
    def test_each_drug_in_the_table(self) -> None:
        for drug, (strength, daily) in EXPECTED.items():
            with self.subTest(drug=drug):
                estimate = mme.daily_mme(drug, strength=strength, units_per_dose=Decimal(1), times_per_day=3)
                assert estimate.mme == daily
                assert estimate.text == f"{mme.format_mme(daily)} MME/day"

    def test_half_tablets_and_two_patches(self) -> None:
        half = mme.daily_mme("oxycodone", strength=Decimal("7.5"), units_per_dose=Decimal("0.5"), times_per_day=4)
        assert half.mme == Decimal("22.5")
        patches = mme.daily_mme("fentanyl_patch", strength=Decimal(12), units_per_dose=Decimal(2), times_per_day=None)
        assert patches.mme == Decimal("57.6")

    def test_methadone_and_buprenorphine_are_refused_with_the_reason(self) -> None:
        for drug, words in (
            ("methadone", "does not support converting"),
            ("buprenorphine", "leaves buprenorphine out"),
            ("buprenorphine_patch", "leaves buprenorphine out"),
        ):
            with self.subTest(drug=drug):
                estimate = mme.daily_mme(drug, strength=Decimal(10), units_per_dose=Decimal(1), times_per_day=2)
                assert estimate.mme is None
                assert estimate.text.startswith("MME not estimated: ")
                assert words in estimate.text

    def test_an_incomplete_dose_or_unknown_drug_is_not_estimated(self) -> None:
        missing = mme.daily_mme("morphine", strength=Decimal(15), units_per_dose=Decimal(1), times_per_day=None)
        assert missing.mme is None and "dose incomplete" in missing.reason
        other = mme.daily_mme("other", strength=Decimal(5), units_per_dose=Decimal(1), times_per_day=1, label="Xyz")
        assert other.mme is None and other.label == "Xyz" and "not a drug in our conversion table" in other.reason


class TotalTests(SimpleTestCase):
    def estimate(self, drug: str, strength: int, times: int) -> mme.Estimate:
        return mme.daily_mme(drug, strength=Decimal(strength), units_per_dose=Decimal(1), times_per_day=times)

    def test_thresholds_at_50_and_90(self) -> None:
        cases = {
            49: "",  # 49 mg morphine once a day
            50: "50 MME/day or more: higher overdose risk",
            89: "50 MME/day or more: higher overdose risk",
            90: "90 MME/day or more: much higher overdose risk",
        }
        for daily, threshold in cases.items():
            with self.subTest(daily=daily):
                assert mme.total([self.estimate("morphine", daily, 1)]).threshold == threshold

    def test_a_total_names_what_it_leaves_out(self) -> None:
        total = mme.total([self.estimate("oxycodone", 10, 3), self.estimate("methadone", 10, 2)])
        assert total.mme == Decimal(45)
        assert total.missing == ("Methadone",)
        assert total.text == "total 45 MME/day without Methadone (not estimated)"
        assert mme.total([self.estimate("buprenorphine", 8, 1)]).text == "total not estimated"
