"""Disability index, bands and meaningful change, exactly as DOMAIN.md §2.2-§2.4 states them. Pure: no database."""

from decimal import Decimal

from django.test import SimpleTestCase
from hypothesis import given
from hypothesis import strategies as st

from consultations.intake.scoring import Band, Direction, Threshold, band_for, compare, disability_index, exact_index

D = Decimal

BANDS = (
    Band("minimal", 0, 20),
    Band("moderate", 21, 40),
    Band("severe", 41, 60),
    Band("very_severe", 61, 80),
    Band("extreme", 81, 100),
)


def answers(*values: int | None) -> list[int | None]:
    assert len(values) == 10
    return list(values)


class DisabilityIndexTests(SimpleTestCase):
    def test_all_ten_answered_is_the_sum_over_fifty(self) -> None:
        # DOMAIN §2.2: 16/50 -> 32%.
        assert disability_index(answers(2, 2, 2, 2, 2, 2, 1, 1, 1, 1), max_missing=2) == D("32.0")

    def test_one_section_skipped_drops_the_denominator_by_five(self) -> None:
        # DOMAIN §2.2: 16/45 x 100 = 35.555... -> 35.6 (half up to one decimal).
        assert disability_index(answers(2, 2, 2, 2, 2, 2, 2, None, 1, 1), max_missing=2) == D("35.6")

    def test_all_zero_and_all_five(self) -> None:
        assert disability_index([0] * 10, max_missing=2) == D("0.0")
        assert disability_index([5] * 10, max_missing=2) == D("100.0")

    def test_up_to_the_allowed_number_of_missing_sections_still_scores(self) -> None:
        # 2 x 8 = 16 over 40 answered points.
        assert disability_index(answers(2, 2, 2, 2, 2, 2, 2, 2, None, None), max_missing=2) == D("40.0")
        # Three missing with at most two allowed: no score.
        assert disability_index(answers(2, 2, 2, 2, 2, 2, 2, None, None, None), max_missing=2) is None
        # The threshold is the caller's: three allowed scores 14/35.
        assert disability_index(answers(2, 2, 2, 2, 2, 2, 2, None, None, None), max_missing=3) == D("40.0")

    def test_nothing_answered_gives_no_score_even_when_missing_is_allowed(self) -> None:
        assert disability_index([None] * 10, max_missing=10) is None

    def test_rounds_half_up_to_one_decimal(self) -> None:
        # 1 / (5 x 8) x 100 = 2.5 exactly; 1 / 45 x 100 = 2.222...; 1 / 35 x 100 = 2.857...
        assert disability_index([1, *[0] * 7, None, None], max_missing=2) == D("2.5")
        assert disability_index([1, *[0] * 8, None], max_missing=2) == D("2.2")
        assert disability_index([1, *[0] * 6, None, None, None], max_missing=3) == D("2.9")
        # An item maximum other than 5 (a 0-4 scale): 3 / 8 x 100 = 37.5.
        assert disability_index([3, 0], max_missing=0, item_max=4) == D("37.5")

    def test_values_outside_the_scale_are_refused(self) -> None:
        for bad in (6, -1, True, 2.0):
            with self.subTest(bad=bad), self.assertRaisesMessage(ValueError, "whole number from 0 to 5"):
                disability_index([bad, *[0] * 9], max_missing=2)

    @given(st.lists(st.integers(0, 5), min_size=10, max_size=10))
    def test_with_every_section_answered_the_index_is_twice_the_raw_sum(self, values: list[int]) -> None:
        assert disability_index(values, max_missing=2) == D(2 * sum(values)).quantize(D("0.1"))

    @given(st.lists(st.one_of(st.none(), st.integers(0, 5)), min_size=10, max_size=10))
    def test_any_score_lies_in_a_band(self, values: list[int | None]) -> None:
        score = disability_index(values, max_missing=2)
        if score is not None:
            assert D(0) <= score <= D(100)
            assert band_for(score, BANDS) is not None


class BandTests(SimpleTestCase):
    def test_band_edges(self) -> None:
        cases = {
            "0.0": "minimal",
            "20.0": "minimal",
            "20.4": "minimal",  # rounds to 20
            "20.5": "moderate",  # rounds half up to 21
            "21.0": "moderate",
            "35.6": "moderate",
            "40.0": "moderate",
            "40.5": "severe",
            "41.0": "severe",
            "60.0": "severe",
            "61.0": "very_severe",
            "80.0": "very_severe",
            "80.5": "extreme",
            "81.0": "extreme",
            "100.0": "extreme",
        }
        for score, code in cases.items():
            with self.subTest(score=score):
                assert band_for(D(score), BANDS).code == code

    def test_no_score_has_no_band(self) -> None:
        assert band_for(None, BANDS) is None

    def test_a_score_outside_every_band_is_an_error(self) -> None:
        with self.assertRaisesMessage(ValueError, "No band holds the score 100.5"):
            band_for(D("100.5"), BANDS)


class CompareTests(SimpleTestCase):
    def change(self, previous: str, current: str):
        return compare(D(previous), D(current), threshold=Threshold("test", points=D(10), percent=D(30)))

    def test_a_drop_of_ten_points_is_an_improvement(self) -> None:
        change = self.change("60.0", "50.0")
        assert change.direction == Direction.IMPROVED == "improved"
        assert change.points == D("-10.0")
        assert change.percent == D("-16.7")
        assert change.is_meaningful

    def test_a_drop_of_thirty_percent_is_an_improvement_though_under_ten_points(self) -> None:
        change = self.change("20.0", "11.0")  # -9 points, -45%
        assert change.direction == Direction.IMPROVED
        assert change.percent == D("-45.0")
        assert self.change("30.0", "21.0").direction == Direction.IMPROVED  # -9 points is exactly -30%

    def test_a_drop_under_both_thresholds_is_unchanged(self) -> None:
        change = self.change("40.0", "31.0")  # -9 points, -22.5%
        assert change.direction == Direction.UNCHANGED
        assert change.points == D("-9.0")
        assert not change.is_meaningful
        assert self.change("30.0", "21.1").direction == Direction.UNCHANGED  # -8.9 points, -29.7%

    def test_a_rise_of_ten_points_or_thirty_percent_is_a_worsening(self) -> None:
        assert self.change("40.0", "50.0").direction == Direction.WORSENED
        assert self.change("20.0", "26.0").direction == Direction.WORSENED  # +6 points, +30%
        assert self.change("40.0", "49.0").direction == Direction.UNCHANGED

    def test_no_change(self) -> None:
        change = self.change("32.0", "32.0")
        assert (change.direction, change.points, change.percent) == (Direction.UNCHANGED, D("0.0"), D("0.0"))

    def test_from_zero_there_is_no_percentage_and_only_points_count(self) -> None:
        small = self.change("0.0", "4.0")
        assert (small.direction, small.percent) == (Direction.UNCHANGED, None)
        assert self.change("0.0", "10.0").direction == Direction.WORSENED
        assert self.change("0.0", "0.0").direction == Direction.UNCHANGED

    def test_thresholds_are_the_callers(self) -> None:
        copay = Threshold("Copay 2008", points=D("12.8"), percent=D(50))
        assert compare(D("60"), D("48"), threshold=copay).direction == Direction.UNCHANGED
        assert compare(D("60"), D("47.2"), threshold=copay).direction == Direction.IMPROVED


class ExactCompareTests(SimpleTestCase):
    """Changes are judged on the exact index from the answers (scoring's module note), by the instrument's own
    threshold; the synthetic ODI's is Ostelo 2008 with the percent used from an index of 20 up."""

    OSTELO = Threshold("Ostelo et al., Spine 2008", points=D(10), percent=D(30), min_baseline=D(20))

    def index(self, *values: int | None):
        return exact_index(list(values), max_missing=2)

    def test_10_of_45_to_7_of_45_is_exactly_minus_30_percent_and_meaningful(self) -> None:
        before = self.index(5, 5, 0, 0, 0, 0, 0, None, 0, 0)
        after = self.index(5, 2, 0, 0, 0, 0, 0, None, 0, 0)
        change = compare(before, after, threshold=self.OSTELO)
        assert (change.previous, change.current, change.percent) == (D("22.2"), D("15.6"), D("-30.0"))
        assert change.direction == Direction.IMPROVED
        # The one-decimal scores would have missed it: -6.6 of 22.2 is -29.7 %.
        assert compare(D("22.2"), D("15.6"), threshold=self.OSTELO).direction == Direction.UNCHANGED

    def test_under_the_minimum_baseline_the_percent_is_not_used(self) -> None:
        change = compare(self.index(2, *[0] * 9), self.index(1, *[0] * 9), threshold=self.OSTELO)  # 4 -> 2
        assert (change.points, change.percent, change.direction) == (D("-2.0"), D("-50.0"), Direction.UNCHANGED)
        # From 20 up it is: 20 -> 14 is -30 %.
        assert compare(D(20), D(14), threshold=self.OSTELO).direction == Direction.IMPROVED

    def test_a_different_number_of_sections_compares_the_indexes(self) -> None:
        # 16/45 (35.6) then 16/50 (32.0): -3.6 index points, -10 % of the earlier index.
        before = self.index(2, 2, 2, 2, 2, 2, 2, None, 1, 1)
        after = self.index(2, 2, 2, 2, 2, 2, 1, 1, 1, 1)
        change = compare(before, after, threshold=self.OSTELO)
        assert (change.points, change.percent, change.direction) == (D("-3.6"), D("-10.0"), Direction.UNCHANGED)

    def test_without_a_threshold_a_change_is_never_judged(self) -> None:
        change = compare(D(60), D(20), threshold=None)
        assert (change.direction, change.points, change.is_meaningful) == (Direction.NOT_JUDGED, D("-40.0"), False)
