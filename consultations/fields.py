"""Form inputs and checks that the workflows' forms share: dates and times with the browser's own pickers, dates
within reach of today, and phone numbers someone can call."""

import re
from datetime import date, timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

# Far enough for any real schedule or absence, near enough that date arithmetic never leaves the calendar.
YEARS_EITHER_SIDE = 5
PHONE = re.compile(r"^\+?[\d\s().-]{7,25}$")


def check_phone(value: str) -> str:
    """A phone number as typed, if it is one we can call."""
    phone = value.strip()
    digits = re.sub(r"\D", "", phone)
    if not PHONE.match(phone) or not 7 <= len(digits) <= 15:
        raise ValidationError("Enter a phone number we can call, for example (518) 555-0142.")
    return phone


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
