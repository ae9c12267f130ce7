"""Intake data goes INTAKE_RETENTION_YEARS after the patient's last consultation; the access log stays whole."""

import tempfile
from datetime import UTC, datetime, timedelta
from io import StringIO
from pathlib import Path

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.utils import timezone

from consultations.models import (
    AccessLog,
    Consultation,
    Coverage,
    Intake,
    IntakeVersion,
    Patient,
    QuestionnaireResponse,
    Referral,
    Upload,
)
from consultations.retention import years_before
from tests.factories import (
    make_consultation,
    make_coverage,
    make_function_score,
    make_location,
    make_medication,
    make_operation,
    make_referral,
    make_submitted_intake,
    make_surgeon,
    make_upload,
)

PRIVATE = tempfile.mkdtemp(prefix="retention-tests-")


def a_history(consultation: Consultation) -> Intake:
    """A submitted intake with a bit of everything, an earlier version, a report, a card photo and a referral."""
    intake = make_submitted_intake(consultation, status=Intake.Status.AMENDED)
    make_operation(intake)
    make_medication(intake)
    make_function_score(intake, [2] * 10)
    IntakeVersion.objects.create(intake=intake, number=1, snapshot={"chief_complaint": "Fictional."})
    make_upload(intake)
    make_upload(
        None,
        b"fictional card photo",
        consultation=consultation,
        kind=Upload.Kind.INSURANCE_CARD_FRONT,
        content_type="image/png",
    )
    make_coverage(consultation)
    make_referral(consultation)
    AccessLog.objects.create(
        patient=consultation.patient, consultation=consultation, role="surgeon", action="view_summary"
    )
    return intake


def files_of(patient: Patient) -> list[Path]:
    uploads = Upload.objects.filter(intake__patient=patient) | Upload.objects.filter(consultation__patient=patient)
    return [Path(PRIVATE) / name for name in uploads.values_list("file", flat=True)]


@override_settings(PRIVATE_MEDIA_ROOT=PRIVATE, INTAKE_RETENTION_YEARS=7)
class PurgeIntakeDataTests(TestCase):
    # Per test, not per class: a purge removes files, which no rollback brings back.
    def setUp(self) -> None:
        surgeon, location = make_surgeon(), make_location()
        long_ago = timezone.now() - timedelta(days=8 * 366)
        # Last seen eight years ago: past retention.
        self.old = make_consultation(surgeon, location, long_ago, status="completed")
        a_history(self.old)
        # Seen eight years ago and again last year: kept whole, the old visit's history too.
        self.returning = make_consultation(surgeon, location, long_ago + timedelta(hours=2), status="completed")
        a_history(self.returning)
        make_consultation(surgeon, location, timezone.now() - timedelta(days=365), patient=self.returning.patient)
        # Coming next week.
        self.upcoming = make_consultation(surgeon, location, timezone.now() + timedelta(days=7))
        a_history(self.upcoming)

    def purge(self, *args: str) -> str:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("purge_intake_data", *args, stdout=out)
        return out.getvalue()

    def kept(self, patient: Patient) -> tuple[int, ...]:
        return (
            Intake.objects.filter(patient=patient).count(),
            IntakeVersion.objects.filter(intake__patient=patient).count(),
            QuestionnaireResponse.objects.filter(intake__patient=patient).count(),
            Upload.objects.filter(intake__patient=patient).count(),
            Upload.objects.filter(consultation__patient=patient).count(),
            Coverage.objects.filter(consultation__patient=patient).count(),
            Referral.objects.filter(consultation__patient=patient).count(),
        )

    def test_removes_exactly_the_old_patients_intake_data_and_files(self) -> None:
        old_files = files_of(self.old.patient)
        other_files = files_of(self.returning.patient) + files_of(self.upcoming.patient)
        assert len(old_files) == 2 and all(path.exists() for path in old_files + other_files)

        output = self.purge()

        assert self.kept(self.old.patient) == (0, 0, 0, 0, 0, 0, 0)
        assert not any(path.exists() for path in old_files)
        assert self.kept(self.returning.patient) == self.kept(self.upcoming.patient) == (1, 1, 1, 1, 1, 1, 1)
        assert all(path.exists() for path in other_files)
        assert "Removed the intake data of 1 patient whose last consultation ended before" in output
        for line in ("intakes: 1", "intake versions: 1", "questionnaire responses: 1", "uploads: 2"):
            assert f"  {line}\n" in output
        for line in ("coverages: 1", "referrals: 1", "prior operations: 1", "medications: 1"):
            assert f"  {line}\n" in output

    def test_keeps_the_patient_the_consultation_and_the_access_log_verifiable(self) -> None:
        before = AccessLog.objects.count()

        self.purge()

        assert Patient.objects.filter(pk=self.old.patient_id).exists()
        assert Consultation.objects.filter(pk=self.old.pk).exists()
        assert AccessLog.objects.count() == before + 1
        record = AccessLog.objects.get(action=AccessLog.Action.PURGE)
        assert (record.patient_id, record.role, record.username) == (self.old.patient_id, "system", "purge_intake_data")
        assert "1 intakes" in record.what and "2 uploads" in record.what
        assert AccessLog.objects.filter(consultation=self.old, action="view_summary").exists()
        out = StringIO()
        call_command("verify_access_log", stdout=out)
        assert out.getvalue().startswith(f"Access log intact: {before + 1} rows")

    def test_a_dry_run_reports_the_same_and_changes_nothing(self) -> None:
        files = files_of(self.old.patient)

        output = self.purge("--dry-run")

        assert "Would remove the intake data of 1 patient " in output
        assert "  uploads: 2\n" in output and "  intakes: 1\n" in output
        assert self.kept(self.old.patient) == (1, 1, 1, 1, 1, 1, 1)
        assert all(path.exists() for path in files)
        assert not AccessLog.objects.filter(action=AccessLog.Action.PURGE).exists()

    def test_a_second_run_finds_nothing_more_to_remove(self) -> None:
        self.purge()

        output = self.purge()

        assert "Removed the intake data of 0 patients" in output
        assert AccessLog.objects.filter(action=AccessLog.Action.PURGE).count() == 1

    @override_settings(INTAKE_RETENTION_YEARS=10)
    def test_a_longer_retention_keeps_the_old_patients_data(self) -> None:
        output = self.purge()

        assert "of 0 patients" in output and "(10 years ago)" in output
        assert self.kept(self.old.patient) == (1, 1, 1, 1, 1, 1, 1)


class YearsBeforeTests(TestCase):
    def test_a_leap_day_becomes_the_28th(self) -> None:
        leap_day = datetime(2028, 2, 29, 12, tzinfo=UTC)

        assert years_before(leap_day, 7) == datetime(2021, 2, 28, 12, tzinfo=UTC)
        assert years_before(leap_day, 4) == datetime(2024, 2, 29, 12, tzinfo=UTC)
