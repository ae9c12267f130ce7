"""Times written for people: one wording for every page, e-mail and history line, right on clock-change days."""

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from django.test import SimpleTestCase
from django.utils.dateformat import format as dateformat

from consultations import when
from consultations.booking.slots import local_days_window

NEW_YORK = ZoneInfo("America/New_York")
CHICAGO = ZoneInfo("America/Chicago")
MORNING = datetime(2026, 3, 9, 9, 30, tzinfo=NEW_YORK)  # EDT, the day after spring forward
AFTERNOON = datetime(2026, 9, 3, 13, 5, tzinfo=CHICAGO)


class WhenTests(SimpleTestCase):
    def test_each_wording(self) -> None:
        assert when.clock(MORNING) == "9:30 AM"
        assert when.clock_zone(MORNING) == "9:30 AM EDT"
        assert when.day(MORNING) == "Monday, March 9, 2026"
        assert when.short(MORNING) == "Mon Mar 9, 9:30 AM"
        assert when.dated(MORNING) == "Mon Mar 9, 2026, 9:30 AM EDT"
        assert when.history(MORNING) == "Mon Mar 9, 2026 9:30 AM EDT"
        assert when.full(MORNING) == "Monday March 9, 2026 at 9:30 AM EDT (America/New_York)"

    def test_afternoon_midnight_and_noon_read_as_twelve_hour_times(self) -> None:
        assert when.clock_zone(AFTERNOON) == "1:05 PM CDT"
        assert when.clock(datetime(2026, 5, 3, 0, 5, tzinfo=CHICAGO)) == "12:05 AM"
        assert when.clock(datetime(2026, 5, 3, 12, 0, tzinfo=CHICAGO)) == "12:00 PM"

    def test_the_clock_reads_as_djangos_twelve_hour_format_at_every_minute_of_a_day(self) -> None:
        minutes = [datetime(2026, 5, 3, hour, minute, tzinfo=CHICAGO) for hour in range(24) for minute in range(60)]

        assert [when.clock(moment) for moment in minutes] == [dateformat(moment, "g:i A") for moment in minutes]

    def test_the_repeated_hour_of_a_fall_back_night_names_its_own_zone(self) -> None:
        first = datetime(2026, 11, 1, 1, 30, tzinfo=NEW_YORK)
        second = datetime(2026, 11, 1, 1, 30, fold=1, tzinfo=NEW_YORK)

        assert (when.clock_zone(first), when.clock_zone(second)) == ("1:30 AM EDT", "1:30 AM EST")

    def test_a_span_across_a_clock_change_names_both_zones(self) -> None:
        start = datetime(2026, 11, 1, 1, 0, tzinfo=NEW_YORK)
        end = datetime(2026, 11, 1, 1, 0, fold=1, tzinfo=NEW_YORK)

        assert when.span(start, end) == "1:00 AM EDT to 1:00 AM EST"
        assert when.span(MORNING, MORNING.replace(hour=10, minute=0)) == "9:30 AM to 10:00 AM EDT"


class LocalDaysWindowTests(SimpleTestCase):
    def test_the_window_holds_every_instant_of_those_dates_in_any_zone(self) -> None:
        since, until = local_days_window(date(2026, 3, 9), 2)

        assert since == datetime(2026, 3, 8, 10, 0, tzinfo=UTC)
        assert until == datetime(2026, 3, 11, 14, 0, tzinfo=UTC)
        for zone in ("Pacific/Kiritimati", "Etc/GMT+12", "America/New_York"):
            first = datetime(2026, 3, 9, 0, 0, tzinfo=ZoneInfo(zone))
            last = datetime(2026, 3, 10, 23, 59, tzinfo=ZoneInfo(zone))
            assert since <= first and last < until, zone
