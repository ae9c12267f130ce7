"""The summary's pure pieces: intervals between operations, what is flagged, skipped rows."""

from datetime import date

from django.test import SimpleTestCase

from consultations.intake.display import (
    NOT_ANSWERED,
    Row,
    compact,
    interval,
    operations_timeline,
    pain_map_row,
    since_last_operation,
)
from consultations.models import PriorOperation


class IntervalTests(SimpleTestCase):
    def test_months_and_years_when_both_months_are_known(self) -> None:
        cases = {
            ((2019, 5), (2020, 9)): "1 year 4 months",
            ((2019, 5), (2019, 6)): "1 month",
            ((2019, 5), (2021, 5)): "2 years",
            ((2019, 11), (2020, 2)): "3 months",
            ((2019, 5), (2019, 5)): "the same month",
        }
        for (earlier, later), words in cases.items():
            with self.subTest(earlier=earlier, later=later):
                assert interval(earlier, later) == words

    def test_whole_years_when_a_month_is_unknown(self) -> None:
        assert interval((2015, None), (2018, 6)) == "about 3 years"
        assert interval((2017, 3), (2018, None)) == "about 1 year"
        assert interval((2018, None), (2018, 6)) == "the same year"


class TimelineTests(SimpleTestCase):
    def test_oldest_first_with_the_gap_to_the_one_before(self) -> None:
        operations = [
            PriorOperation(pk=2, year=2020, month=9, procedure="fusion_tlif", level_from=23, level_to=25),
            PriorOperation(pk=1, year=2016, month=5, procedure="microdiscectomy", complications=["infection"]),
            PriorOperation(pk=3, year=2020, procedure="other", procedure_detail="Fictional washout"),
        ]

        entries = operations_timeline(operations)

        assert [entry.heading for entry in entries] == [
            "May 2016, Microdiscectomy",
            "2020, Other or not sure: Fictional washout",
            "Sep 2020, Fusion: TLIF, L4-S1 (as given before)",
        ]
        assert [entry.gap for entry in entries] == [
            "",
            "about 4 years after the one before",
            "in the same year as the one before",
        ]
        assert [entry.complications for entry in entries] == [True, False, False]

    def test_levels_and_implants_as_given_and_a_device_left_in_is_marked(self) -> None:
        fusion = PriorOperation(
            year=2021, procedure="fusion_tlif", segments=["L4-L5", "unsure"], levels_other="C5-C6", implants="yes"
        )
        stimulator = PriorOperation(year=2022, procedure="scs_implant", hardware={"stimulator": "in_place"})

        fusion_rows, stimulator_rows = (entry.rows for entry in operations_timeline([fusion, stimulator]))

        assert operations_timeline([fusion])[0].heading == "2021, Fusion: TLIF, L4-L5, Not sure which levels, C5-C6"
        assert Row("Implants", "Yes") in fusion_rows
        assert Row("Implants", "Yes: Spinal cord stimulator, still in place", notable=True) in stimulator_rows

    def test_since_the_last_operation_and_when_the_pain_came_back(self) -> None:
        operations = [PriorOperation(year=2020, month=9, procedure="fusion_tlif")]

        rows = since_last_operation(operations, pain_returned=(2021, 3), today=date(2026, 11, 20))

        assert rows == [
            Row("Since the last operation", "6 years 2 months"),
            Row("Pain came back", "Mar 2021, 6 months after the last operation"),
        ]
        before = since_last_operation(operations, pain_returned=(2019, 1), today=date(2026, 11, 20))
        assert before[1] == Row("Pain came back", "Jan 2019, before the last operation")
        assert since_last_operation([], pain_returned=None, today=date(2026, 11, 20)) == []


class RowTests(SimpleTestCase):
    def test_skipped_rows_gather_into_one_that_names_them(self) -> None:
        rows = [Row("A", "Yes"), Row("B", NOT_ANSWERED), Row("C", "No", notable=True), Row("D", NOT_ANSWERED)]

        assert compact(rows) == [Row("A", "Yes"), Row("C", "No", notable=True), Row(NOT_ANSWERED, "B, D")]
        assert compact([Row("A", "Yes")]) == [Row("A", "Yes")]

    def test_the_pain_map_reads_as_one_row(self) -> None:
        rows = [Row("Low back", "Both sides"), Row("Buttock", "No pain here"), Row("Foot", "Left")]

        assert pain_map_row(rows) == Row("Where it hurts", "Low back (both sides), Foot (left)")
        assert pain_map_row([Row("Where it hurts", NOT_ANSWERED)]) == Row("Where it hurts", NOT_ANSWERED)
