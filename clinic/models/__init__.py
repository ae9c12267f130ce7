"""The practice's records (practice.py) and its door (access.py)."""

from clinic.models.access import RateCount, StaffInvitation
from clinic.models.practice import (
    EXPIRY_WARNING,
    US_STATE_CODES,
    US_STATES,
    VERIFICATION_MONTHS,
    Credential,
    CredentialQuerySet,
    Location,
    Procedure,
    Surgeon,
    SurgeonProcedure,
    SurgeonQuerySet,
    Technology,
    months_before,
    validate_timezone,
)

__all__ = [
    "EXPIRY_WARNING",
    "US_STATES",
    "US_STATE_CODES",
    "VERIFICATION_MONTHS",
    "Credential",
    "CredentialQuerySet",
    "Location",
    "Procedure",
    "RateCount",
    "StaffInvitation",
    "Surgeon",
    "SurgeonProcedure",
    "SurgeonQuerySet",
    "Technology",
    "months_before",
    "validate_timezone",
]
