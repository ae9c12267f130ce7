"""A patient's right of access: everything we hold about them in one zip, for admins only, logged."""

import io
import json
import tempfile
import zipfile
from datetime import timedelta

from django.db import connection
from django.test import TestCase, override_settings
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.export import build_patient_export
from consultations.models import AccessLog, Consultation, IntakeVersion, Patient, SentMessage, Upload
from tests.factories import (
    make_consultation,
    make_coverage,
    make_function_score,
    make_location,
    make_operation,
    make_referral,
    make_submitted_intake,
    make_surgeon,
    make_upload,
    make_user,
    sign_in,
)

PRIVATE = tempfile.mkdtemp(prefix="export-tests-")
REPORT = b"%PDF-1.4 fictional operative report\n%%EOF\n"
CARD = b"fictional insurance card photo"


def a_history(consultation: Consultation, *, member_id: str, complaint: str) -> None:
    intake = make_submitted_intake(consultation, chief_complaint=complaint)
    make_operation(intake, hospital="Fictional General")
    make_function_score(intake, [3] * 10)
    IntakeVersion.objects.create(intake=intake, number=1, snapshot={"chief_complaint": f"{complaint} (first)"})
    make_upload(intake, REPORT, kind=Upload.Kind.OPERATIVE_REPORT)
    make_upload(None, CARD, consultation=consultation, kind=Upload.Kind.INSURANCE_CARD_FRONT, content_type="image/png")
    make_coverage(consultation, member_id=member_id)
    make_referral(consultation)
    SentMessage.objects.create(
        consultation=consultation, kind="request_received", to="x@example.com", regarding_start=consultation.start
    )


def unzip(content: bytes) -> tuple[dict, dict[str, bytes]]:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        files = {name: archive.read(name) for name in archive.namelist()}
    return json.loads(files.pop("patient.json")), files


@override_settings(PRIVATE_MEDIA_ROOT=PRIVATE)
class PatientExportTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(role="admin")
        surgeon, location = make_surgeon(), make_location()
        cls.consultation = make_consultation(surgeon, location, timezone.now() + timedelta(days=3))
        cls.patient = cls.consultation.patient
        a_history(cls.consultation, member_id="MINE-0001", complaint="Fictional left leg pain")
        cls.other = make_consultation(surgeon, location, timezone.now() + timedelta(days=4))
        a_history(cls.other, member_id="THEIRS-0002", complaint="Fictional neck pain")
        cls.url = reverse("consultations:patient-export", args=[cls.patient.pk])

    def test_the_zip_holds_the_patients_json_and_files(self) -> None:
        sign_in(self.client, self.admin)

        response = self.client.get(self.url)

        assert response.status_code == 200
        assert response["Content-Type"] == "application/zip"
        assert response["Content-Disposition"] == f'attachment; filename="patient-{self.patient.pk}-data.zip"'
        assert "no-store" in response["Cache-Control"]
        data, files = unzip(b"".join(response.streaming_content))
        assert data["patient"]["last_name"] == self.patient.last_name
        [consultation] = data["consultations"]
        assert consultation["reference"] == self.consultation.reference
        assert consultation["coverage"]["member_id"] == "MINE-0001"
        assert consultation["referral"]["clinician_name"] == "Dr. Pat Referrer (fictional)"
        assert [message["kind"] for message in consultation["messages_sent"]] == ["request_received"]
        intake = consultation["intake"]
        assert intake["chief_complaint"] == "Fictional left leg pain"
        assert [operation["hospital"] for operation in intake["operations"]] == ["Fictional General"]
        [questionnaire] = intake["questionnaires"]
        assert questionnaire["score"] == "60.0" and questionnaire["answers"]
        assert intake["earlier_versions"][0]["snapshot"] == {"chief_complaint": "Fictional left leg pain (first)"}
        report, card = intake["uploads"][0]["file"], consultation["documents"][0]["file"]
        assert files == {report: REPORT, card: CARD}

    def test_no_other_patients_data_is_in_it(self) -> None:
        sign_in(self.client, self.admin)

        content = b"".join(self.client.get(self.url).streaming_content)

        data, files = unzip(content)
        text = json.dumps(data)
        assert self.other.patient.last_name not in text
        assert "THEIRS-0002" not in text and "Fictional neck pain" not in text
        other_tokens = Upload.objects.filter(consultation=self.other).values_list("token", flat=True)
        assert not any(token.hex[:8] in name for token in other_tokens for name in files)
        assert len(files) == 2

    def test_the_export_is_logged(self) -> None:
        sign_in(self.client, self.admin)

        self.client.get(self.url)

        entry = AccessLog.objects.get(action=AccessLog.Action.EXPORT)
        assert (entry.user, entry.patient, entry.role) == (self.admin, self.patient, "admin")
        assert "right of access" in entry.what

    def test_the_front_desk_gets_403_and_nothing_is_logged(self) -> None:
        sign_in(self.client, make_user(role="front_desk"))

        response = self.client.get(self.url)

        assert response.status_code == 403
        assert not AccessLog.objects.exists()

    def test_an_unknown_patient_is_a_404(self) -> None:
        sign_in(self.client, self.admin)

        response = self.client.get(reverse("consultations:patient-export", args=[Patient.objects.count() + 99]))

        assert response.status_code == 404

    def test_a_file_missing_from_storage_is_named_and_the_rest_still_goes(self) -> None:
        lost = make_upload(self.consultation.intake, REPORT, original_name="lost.pdf")
        lost.file.storage.delete(lost.file.name)
        sign_in(self.client, self.admin)

        with self.assertLogs("consultations.export", "ERROR") as logs:
            response = self.client.get(self.url)

        assert response.status_code == 200
        data, files = unzip(b"".join(response.streaming_content))
        uploads = {upload["original_name"]: upload for upload in data["consultations"][0]["intake"]["uploads"]}
        assert (uploads["lost.pdf"]["file"], uploads["lost.pdf"]["file_missing"]) == (None, True)
        assert len(files) == 2
        assert str(lost.token) in logs.output[0] and self.patient.last_name not in logs.output[0]

    def test_queries_do_not_grow_with_the_consultations(self) -> None:
        with CaptureQueriesContext(connection) as one:
            build_patient_export(patient=self.patient).close()
        for days in (10, 11):
            later = make_consultation(
                self.consultation.surgeon,
                self.consultation.location,
                timezone.now() + timedelta(days=days),
                patient=self.patient,
            )
            a_history(later, member_id=f"MINE-{days}", complaint="Fictional, again")

        with self.assertNumQueries(len(one)):
            archive = build_patient_export(patient=self.patient)

        data, files = unzip(archive.read())
        assert len(data["consultations"]) == 3 and len(files) == 6
