"""How a time is written for people, in one place: every page, e-mail and history line calls these.

Each takes an aware datetime already in the zone it is to be read in (a location's, for a consultation) and
names that zone where the reader needs it. Dates are written by Django's `dateformat`. The clock is written here
by hand, as Django's "g:i A" writes it ("AM" and "PM" through gettext): the desk's schedules write thousands of
times a page, and `dateformat` costs ten times as much. The zone's abbreviation comes from the datetime itself:
Django's "T" leaves it out in the repeated hour of a fall-back night, where the datetime's `fold` still tells EDT
from EST.
"""

from datetime import datetime

from django.utils.dateformat import format as dateformat
from django.utils.translation import gettext


def clock(moment: datetime) -> str:
    """'9:30 AM': the hour 1 to 12 without a leading zero, as Django's "g:i A"."""
    hour = moment.hour
    return f"{hour % 12 or 12}:{moment.minute:02d} {gettext('AM') if hour < 12 else gettext('PM')}"


def clock_zone(moment: datetime) -> str:
    """'9:30 AM EST'."""
    return f"{clock(moment)} {moment.tzname()}"


def day(moment: datetime) -> str:
    """'Monday, March 9, 2026'."""
    return dateformat(moment, "l, F j, Y")


def short(moment: datetime) -> str:
    """'Mon Mar 9, 9:30 AM': for the desk, where the year and zone go without saying."""
    return dateformat(moment, "D M j, g:i A")


def dated(moment: datetime) -> str:
    """'Mon Mar 9, 2026, 9:30 AM EDT'."""
    return f"{dateformat(moment, 'D M j, Y,')} {clock_zone(moment)}"


def span(start: datetime, end: datetime) -> str:
    """'9:00 AM to 9:30 AM EDT' for two local times of the same day; each zone named across a clock change."""
    if start.tzname() != end.tzname():
        return f"{clock_zone(start)} to {clock_zone(end)}"
    return f"{clock(start)} to {clock_zone(end)}"


def history(moment: datetime) -> str:
    """'Mon Mar 9, 2026 9:30 AM EDT': a consultation's time in its history of changes."""
    return f"{dateformat(moment, 'D M j, Y')} {clock_zone(moment)}"


def full(moment: datetime) -> str:
    """'Monday March 9, 2026 at 9:30 AM EDT (America/New_York)': what a patient's e-mail says."""
    return f"{dateformat(moment, 'l F j, Y')} at {clock_zone(moment)} ({moment.tzinfo})"
