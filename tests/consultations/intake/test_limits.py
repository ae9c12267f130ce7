"""Intake saves and report uploads from the patient's link count per address; uploads also in a tighter limit of
their own, and only when a file comes with the form."""

from datetime import timedelta

from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from clinic.models import RateCount
from consultations.links import patient_token
from consultations.models import Upload
from tests.consultations.intake.test_uploads import pdf_bytes
from tests.factories import make_consultation, make_location, make_surgeon


@override_settings(RATE_LIMITS=settings.RATE_LIMITS | {"intake": (10, 3600), "upload": (1, 3600)})
class IntakeLimitTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        location = make_location()
        cls.consultation = make_consultation(
            make_surgeon(locations=[location]), location, timezone.now() + timedelta(days=9)
        )

    def step(self, slug: str) -> str:
        return reverse("consultations:intake-step", args=[patient_token(self.consultation), slug])

    def test_steps_without_files_count_only_as_intake_saves(self) -> None:
        for _ in range(3):
            assert self.client.post(self.step("about"), {}).status_code != 429

        assert list(RateCount.objects.values_list("bucket", "count")) == [("intake", 3)]

    def test_a_second_upload_within_the_hour_is_refused_and_not_stored(self) -> None:
        def upload(name: str):
            report = SimpleUploadedFile(name, pdf_bytes(), content_type="application/pdf")
            return self.client.post(self.step("imaging"), {"upload-file": report, "upload-kind": "mri"})

        first = upload("first.pdf")
        second = upload("second.pdf")

        assert first.status_code != 429
        assert second.status_code == 429
        assert Upload.objects.count() <= 1
        assert RateCount.objects.get(bucket="upload").count == 2
