"""Uploads and earlier histories the surgeon opens from a summary, and the access log entry each writes."""

import tempfile
from datetime import timedelta

from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from consultations.models import AccessLog, Consultation
from tests.factories import (
    make_consultation,
    make_function_score,
    make_intake,
    make_location,
    make_patient,
    make_submitted_intake,
    make_surgeon_user,
    make_upload,
    make_user,
    sign_in,
)

PRIVATE = tempfile.mkdtemp(prefix="surgeon-uploads-")


@override_settings(PRIVATE_MEDIA_ROOT=PRIVATE)
class UploadDownloadTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user, surgeon = make_surgeon_user()
        cls.other_user, other = make_surgeon_user()
        location = make_location()
        cls.consultation = make_consultation(surgeon, location, timezone.now() + timedelta(days=3))
        cls.upload = make_upload(make_submitted_intake(cls.consultation), data=b"%PDF-1.4 fictional MRI\n%%EOF\n")
        stranger = make_consultation(other, location, timezone.now() + timedelta(days=3))
        cls.strangers_upload = make_upload(make_submitted_intake(stranger))

    def url(self, upload, consultation: Consultation | None = None) -> str:
        consultation = consultation or self.consultation
        return reverse("consultations:surgeon-upload", args=[consultation.public_id, upload.token])

    def test_the_surgeon_downloads_the_report_and_it_is_logged(self) -> None:
        sign_in(self.client, self.user)

        response = self.client.get(self.url(self.upload))

        assert response.status_code == 200
        assert b"".join(response.streaming_content) == b"%PDF-1.4 fictional MRI\n%%EOF\n"
        assert response["Content-Type"] == "application/pdf"
        assert "no-store" in response["Cache-Control"]
        log = AccessLog.objects.get()
        assert (log.action, log.user, log.role) == ("download_upload", self.user, "surgeon")
        assert (log.consultation, log.patient) == (self.consultation, self.consultation.patient)
        assert log.what == f"upload {self.upload.token.hex[:8]}"

    def test_the_summary_links_each_upload(self) -> None:
        sign_in(self.client, self.user)

        response = self.client.get(reverse("consultations:surgeon-summary", args=[self.consultation.public_id]))

        self.assertContains(response, f'href="{self.url(self.upload)}"')

    def test_another_surgeon_gets_404_and_nothing_is_logged(self) -> None:
        sign_in(self.client, self.other_user)

        assert self.client.get(self.url(self.upload)).status_code == 404
        assert not AccessLog.objects.exists()

    def test_another_patients_upload_through_my_consultation_is_404(self) -> None:
        sign_in(self.client, self.user)

        assert self.client.get(self.url(self.strangers_upload)).status_code == 404
        assert not AccessLog.objects.exists()

    def test_the_front_desk_cannot_download(self) -> None:
        sign_in(self.client, make_user(role="front_desk"))

        assert self.client.get(self.url(self.upload)).status_code == 403


@override_settings(PRIVATE_MEDIA_ROOT=PRIVATE)
class EarlierHistoryTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user, cls.surgeon = make_surgeon_user()
        _, cls.colleague = make_surgeon_user()
        cls.location = make_location()
        cls.patient = make_patient()
        # An earlier visit with a colleague: this surgeon sees it as the patient's history, read-only.
        cls.earlier = make_consultation(
            cls.colleague,
            cls.location,
            timezone.now() - timedelta(days=200),
            patient=cls.patient,
            status=Consultation.Status.COMPLETED,
        )
        cls.earlier_intake = make_submitted_intake(cls.earlier, chief_complaint="Fictional: the first time round.")
        make_function_score(cls.earlier_intake, [5, 5, 5, 5, 5, 0, 0, 0, 0, 0])
        cls.earlier_upload = make_upload(cls.earlier_intake)
        cls.consultation = make_consultation(
            cls.surgeon, cls.location, timezone.now() + timedelta(days=3), patient=cls.patient
        )
        make_submitted_intake(cls.consultation, chief_complaint="Fictional: now.")

    def setUp(self) -> None:
        sign_in(self.client, self.user)

    def url(self, earlier: Consultation) -> str:
        return reverse("consultations:surgeon-earlier", args=[self.consultation.public_id, earlier.public_id])

    def test_the_summary_lists_earlier_histories_with_their_dates(self) -> None:
        response = self.client.get(reverse("consultations:surgeon-summary", args=[self.consultation.public_id]))

        self.assertContains(response, f'href="{self.url(self.earlier)}"')
        self.assertContains(response, f"Sent {timezone.localdate(self.earlier_intake.submitted_at):%b} ")
        self.assertContains(response, "function score 50.0 (Severe)")

    def test_an_earlier_history_opens_read_only_and_is_logged_against_its_own_visit(self) -> None:
        response = self.client.get(self.url(self.earlier))

        self.assertContains(response, "Fictional: the first time round.")
        self.assertContains(response, "Read-only.")
        self.assertContains(response, '<form method="post"', count=1)  # signing out, nothing else
        assert "no-store" in response["Cache-Control"]
        log = AccessLog.objects.get()
        assert (log.action, log.user, log.consultation, log.patient) == (
            "view_intake",
            self.user,
            self.earlier,
            self.patient,
        )
        assert log.what == f"earlier history, opened from {self.consultation.reference}"

    def test_its_uploads_download_through_this_consultation(self) -> None:
        url = reverse("consultations:surgeon-upload", args=[self.consultation.public_id, self.earlier_upload.token])

        self.assertContains(self.client.get(self.url(self.earlier)), f'href="{url}"')
        assert self.client.get(url).status_code == 200
        assert AccessLog.objects.filter(action="download_upload", consultation=self.earlier).exists()

    def test_only_the_same_patients_earlier_sent_histories_open(self) -> None:
        someone_else = make_consultation(
            self.colleague, self.location, timezone.now() - timedelta(days=100), status=Consultation.Status.COMPLETED
        )
        make_submitted_intake(someone_else)
        unsent = make_consultation(
            self.colleague,
            self.location,
            timezone.now() - timedelta(days=50),
            patient=self.patient,
            status=Consultation.Status.COMPLETED,
        )
        make_intake(unsent)
        later = make_consultation(
            self.surgeon, self.location, timezone.now() + timedelta(days=30), patient=self.patient
        )
        make_submitted_intake(later)

        for consultation in (someone_else, unsent, later, self.consultation):
            with self.subTest(consultation.reference):
                assert self.client.get(self.url(consultation)).status_code == 404
        assert not AccessLog.objects.exists()

    def test_another_surgeon_cannot_open_it_through_my_consultation(self) -> None:
        stranger, _ = make_surgeon_user()
        sign_in(self.client, stranger)

        assert self.client.get(self.url(self.earlier)).status_code == 404
