"""The desk's check of a patient's insurance: verified with the payer, or a problem to sort out, with a note, who
and when."""

from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.utils import timezone

from consultations.models import Coverage


class NoteRequired(ValueError):
    """A problem is recorded only with a note saying what it is."""


@transaction.atomic
def check_coverage(*, coverage: Coverage, verification: str, note: str, by: AbstractBaseUser) -> Coverage:
    """Record the desk's finding; a later check replaces an earlier one."""
    if verification == Coverage.Verification.PROBLEM and not note.strip():
        raise NoteRequired
    coverage = Coverage.objects.select_for_update().get(pk=coverage.pk)
    coverage.verification = verification
    coverage.verification_note = note.strip()
    coverage.verified_by = by
    coverage.verified_at = timezone.now()
    coverage.save(update_fields=["verification", "verification_note", "verified_by", "verified_at"])
    return coverage
