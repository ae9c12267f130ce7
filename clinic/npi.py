"""The National Provider Identifier's check digit: Luhn over the number with the 80840 prefix.

Pure logic, no database: used by the model validator and the demo data.
"""

from django.core.exceptions import ValidationError

# An NPI is a card number issued under the health-industry prefix 80840; the Luhn check runs over all 15 digits.
PREFIX = "80840"


def check_digit(first_nine: str) -> str:
    """The tenth digit that makes `first_nine` a valid NPI."""
    total = 0
    # Double every second digit from the right of the number the check digit will be appended to.
    for position, char in enumerate(reversed(PREFIX + first_nine)):
        digit = int(char)
        if position % 2 == 0:
            digit *= 2
            digit = digit - 9 if digit > 9 else digit
        total += digit
    return str((10 - total % 10) % 10)


def is_valid_npi(value: str) -> bool:
    return len(value) == 10 and value.isascii() and value.isdigit() and check_digit(value[:9]) == value[9]


def validate_npi(value: str) -> None:
    if not (len(value) == 10 and value.isascii() and value.isdigit()):
        raise ValidationError("An NPI is exactly ten digits, for example 1234567893.", code="npi_format")
    if not is_valid_npi(value):
        raise ValidationError(
            "This NPI's last digit does not match the others: check it for a typing mistake.", code="npi_check_digit"
        )
