"""Form inputs and checks that the workflows' forms share: dates and times with the browser's own pickers, and
dates within reach of today."""

from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# Far enough for any real schedule or absence, near enough that date arithmetic never leaves the calendar.
YEARS_EITHER_SIDE = 5


def check_within_reach(day: date) -> date:
    today = timezone.localdate()
    reach = timedelta(days=365 * YEARS_EITHER_SIDE)
    if not today - reach <= day <= today + reach:
        raise ValidationError(f"Choose a date within {YEARS_EITHER_SIDE} years of today.")
    return day


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%Y-%m-%d")


class TimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs: dict | None = None) -> None:
        super().__init__(attrs, format="%H:%M")
