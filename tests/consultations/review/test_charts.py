"""The score trend chart on the surgeon's summary. Pure: no database."""

from decimal import Decimal

from django.test import SimpleTestCase

from consultations.review.charts import score_trend_chart


class TrendChartTests(SimpleTestCase):
    def test_no_chart_for_a_single_score(self) -> None:
        assert score_trend_chart([("Mar 2025", Decimal("40.0"), True)]) is None

    def test_points_left_to_right_higher_scores_higher_up_with_a_text_alternative(self) -> None:
        chart = score_trend_chart(
            [("Mar 2024", Decimal("60.0"), False), ("Mar 2025", Decimal("20.0"), False), ("Now", Decimal("0"), True)]
        )

        xs = [point.x for point in chart.points]
        ys = [point.y for point in chart.points]
        assert xs == sorted(xs)
        assert ys[0] < ys[1] < ys[2]
        assert chart.grid[0][0] == ys[2]  # 0 sits on the bottom line
        assert chart.summary == (
            "Function scores out of 100, higher is worse, oldest first. "
            "Mar 2024: 60.0; Mar 2025: 20.0; Now: 0 (this history)."
        )
        assert chart.polyline.count(",") == 3
