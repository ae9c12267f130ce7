"""The patient's intake history through the signed link: steps, validation, submission, amendments, access log."""

import hashlib
import tempfile
from datetime import date, timedelta
from io import BytesIO

from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from consultations.intake.forms import PAIN_AREAS, WorkForm
from consultations.intake.services import save_step
from consultations.links import patient_token, public_id_from_token
from consultations.models import (
    AccessLog,
    Consultation,
    Intake,
    IntakeReview,
    IntakeVersion,
    PriorOperation,
    QuestionnaireResponse,
    Treatment,
    Upload,
)
from tests.factories import make_consultation, make_location, make_patient, make_surgeon, make_user

UPLOADS = tempfile.mkdtemp(prefix="intake-uploads-")


def step_url(consultation: Consultation, step: str) -> str:
    return reverse("consultations:intake-step", args=[patient_token(consultation), step])


def review_url(consultation: Consultation) -> str:
    return reverse("consultations:intake-review", args=[patient_token(consultation)])


def operation_data(*rows: dict, initial: int = 0) -> dict:
    """The operations formset's POST data for `rows`, after `initial` saved ones."""
    data = {
        "operations-TOTAL_FORMS": str(len(rows)),
        "operations-INITIAL_FORMS": str(initial),
        "operations-MIN_NUM_FORMS": "0",
        "operations-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data |= {f"operations-{index}-{name}": value for name, value in row.items()}
    return data


def medication_data(*rows: dict) -> dict:
    data = {
        "medications-TOTAL_FORMS": str(len(rows)),
        "medications-INITIAL_FORMS": "0",
        "medications-MIN_NUM_FORMS": "0",
        "medications-MAX_NUM_FORMS": "1000",
    }
    for index, row in enumerate(rows):
        data |= {f"medications-{index}-{name}": value for name, value in row.items()}
    return data


def imaging_data(*rows: dict) -> dict:
    data = {
        "imaging-TOTAL_FORMS": str(len(rows)),
        "imaging-INITIAL_FORMS": "0",
        "imaging-MIN_NUM_FORMS": "0",
        "imaging-MAX_NUM_FORMS": "1000",
        "kind": "imaging_report",
    }
    for index, row in enumerate(rows):
        data |= {f"imaging-{index}-{name}": value for name, value in row.items()}
    return data


def png_bytes() -> bytes:
    output = BytesIO()
    Image.new("RGB", (40, 30), "white").save(output, format="PNG")
    return output.getvalue()


class IntakeTestCase(TestCase):
    def assert_goes_to(self, response, step: str) -> None:
        """Redirected to `step` of this consultation's history (each signed link differs in its timestamp)."""
        assert response.status_code == 302, response.status_code
        path = "review/" if step == "review" else f"{step}/"
        assert response.url.endswith(f"/history/{path}"), response.url
        assert public_id_from_token(response.url.split("/")[2]) == str(self.consultation.public_id)

    @classmethod
    def setUpTestData(cls) -> None:
        cls.location = make_location()
        cls.surgeon = make_surgeon(locations=[cls.location])
        cls.patient = make_patient(date_of_birth=date(1970, 6, 15))
        cls.consultation = make_consultation(
            cls.surgeon, cls.location, timezone.now() + timedelta(days=10), patient=cls.patient
        )

    def intake(self) -> Intake:
        return Intake.objects.get(consultation=self.consultation)

    def post_step(self, step: str, data: dict, **extra):
        return self.client.post(step_url(self.consultation, step), data, **extra)


class StepsTests(IntakeTestCase):
    def test_opening_the_history_starts_at_the_first_step_and_logs_the_view(self) -> None:
        start = reverse("consultations:intake", args=[patient_token(self.consultation)])
        self.assert_goes_to(self.client.get(start), "about")
        response = self.client.get(step_url(self.consultation, "about"))
        self.assertContains(response, "Your main problem and goals")
        self.assertEqual(response.headers["Cache-Control"], "max-age=0, no-cache, no-store, must-revalidate, private")
        log = AccessLog.objects.get()
        assert (log.role, log.action, log.what, log.patient) == ("patient", "view_intake", "step about", self.patient)
        assert log.consultation == self.consultation

    def test_each_step_is_saved_on_next_and_resumes_where_the_patient_left(self) -> None:
        response = self.post_step("about", {"chief_complaint": "Leg pain since fusion", "goals": "Walk the dog"})
        self.assert_goes_to(response, "pain")
        response = self.post_step(
            "pain", {"low_back": "both", "thigh": "left", "pain-back_now": "6", "pain-leg_now": "8"}
        )
        self.assert_goes_to(response, "nerves")
        intake = self.intake()
        assert intake.chief_complaint == "Leg pain since fusion"
        # Every area shown is kept, a clear one as "": an area added to the map later reads "Not answered".
        assert {area: side for area, side in intake.pain_map.items() if side} == {"low_back": "both", "thigh": "left"}
        assert set(intake.pain_map) == {area for area, _ in PAIN_AREAS}
        assert intake.steps_saved == ["about", "pain"]
        pain = QuestionnaireResponse.objects.get(intake=intake, instrument__purpose="pain")
        assert pain.answers["back_now"] == 6 and pain.answers["leg_now"] == 8 and pain.answers["back_worst"] is None
        # Coming back later, on another device: the link opens the first step not yet saved, with answers kept.
        self.client = self.client_class()
        start = reverse("consultations:intake", args=[patient_token(self.consultation)])
        self.assert_goes_to(self.client.get(start), "nerves")
        self.assertContains(self.client.get(step_url(self.consultation, "about")), "Walk the dog")

    def test_two_previous_operations_are_kept_in_date_order(self) -> None:
        first = {"month": "3", "year": "2015", "procedure": "microdiscectomy", "segments": ["L5-S1"]}
        response = self.post_step("operations", operation_data(first) | {"stay": ""})
        self.assert_goes_to(response, "operations")
        saved = PriorOperation.objects.get()
        second = {"year": "2019", "procedure": "fusion_tlif", "segments": ["L4-L5"], "implants": "yes"}
        existing = {"id": str(saved.pk), "intake": str(self.intake().pk)} | first
        response = self.post_step("operations", operation_data(existing, second, initial=1))
        self.assert_goes_to(response, "treatments")
        operations = list(self.intake().operations.all())
        assert [(op.procedure, op.levels) for op in operations] == [
            ("microdiscectomy", "L5-S1"),
            ("fusion_tlif", "L4-L5"),
        ]

    def test_a_step_saves_only_its_own_answers(self) -> None:
        self.post_step("about", {"chief_complaint": "First words", "goals": ""})
        # This request read the intake before another tab saved new words on the first step.
        stale = self.intake()
        Intake.objects.filter(pk=stale.pk).update(chief_complaint="Newer words from another tab")
        form = WorkForm({"work_status": "retired", "occupation": "Teacher"}, instance=stale)
        assert form.is_valid()

        def apply(intake: Intake) -> list[str]:
            form.save(commit=False)
            return form.saved_fields()

        save_step(intake=stale, step="work", apply=apply)

        intake = self.intake()
        assert (intake.chief_complaint, intake.work_status) == ("Newer words from another tab", "retired")
        assert intake.steps_saved == ["about", "work"]

    def test_treatments_store_one_row_per_answered_kind(self) -> None:
        data = {"epidural-tried": "yes", "epidural-last_year": "2022", "epidural-helped": "a_little", "rfa-tried": "no"}
        self.assert_goes_to(self.post_step("treatments", data), "medications")
        rows = {row.kind: (row.tried, row.last_year, row.helped) for row in Treatment.objects.all()}
        assert rows == {"epidural": ("yes", 2022, "a_little"), "rfa": ("no", None, "")}
        # Clearing an answer removes its row.
        self.post_step("treatments", {"epidural-tried": "yes", "epidural-last_year": "2022"})
        assert list(Treatment.objects.values_list("kind", flat=True)) == ["epidural"]

    def test_the_function_questionnaire_is_scored_and_stored_with_its_version(self) -> None:
        answers = {f"function-{item}": "2" for item in self.function_items()}
        self.assert_goes_to(self.post_step("function", answers), "mood")
        response = QuestionnaireResponse.objects.select_related("instrument").get(instrument__purpose="function")
        assert response.instrument.code == "spine-function" and response.instrument.version == "1.1"
        assert response.score == 40  # 20 of 50
        assert response.band and len(response.answers) == 10

    def function_items(self) -> list[str]:
        from consultations.intake.questionnaires import current_instrument, definition_of

        return [item.id for item in definition_of(current_instrument("function")).items]

    def test_health_step_computes_bmi_from_feet_inches_and_pounds(self) -> None:
        data = {"height_feet": "5", "height_extra_inches": "10", "weight_pounds": "220", "smoking": "current"}
        self.assert_goes_to(self.post_step("health", data), "function")
        intake = self.intake()
        assert intake.height_inches == 70 and str(intake.bmi) == "31.6"
        self.assertContains(self.client.get(step_url(self.consultation, "health")), "31.6")

    def test_an_unknown_step_is_404(self) -> None:
        assert self.client.get(step_url(self.consultation, "secrets")).status_code == 404


class ValidationTests(IntakeTestCase):
    def test_a_year_without_a_month_stays_a_year(self) -> None:
        self.assert_goes_to(self.post_step("history", {"returned_year": "2023"}), "operations")

        intake = self.intake()
        assert intake.pain_returned == (2023, None)
        response = self.client.get(review_url(self.consultation))
        self.assertContains(response, "2023")
        self.assertNotContains(response, "Jan 2023")

    def test_more_than_twenty_operations_are_refused(self) -> None:
        rows = [{"year": "2010", "procedure": "laminectomy"}] * 21
        response = self.post_step("operations", operation_data(*rows))

        self.assertContains(response, "at most 20", status_code=400)
        assert not PriorOperation.objects.exists()

    def assert_refused(self, step: str, data: dict, message: str) -> None:
        response = self.post_step(step, data)
        self.assertContains(response, message, status_code=400)
        assert step not in Intake.objects.get(consultation=self.consultation).steps_saved

    def test_an_operation_in_the_future_is_refused(self) -> None:
        year = str(timezone.localdate().year + 1)
        self.assert_refused(
            "operations", operation_data({"year": year, "procedure": "laminectomy"}), "cannot be in the future"
        )

    def test_an_operation_before_birth_is_refused(self) -> None:
        data = operation_data({"month": "1", "year": "1970", "procedure": "laminectomy"})
        self.assert_refused("operations", data, "before you were born")

    def test_not_sure_and_levels_together_are_refused(self) -> None:
        data = operation_data({"year": "2018", "procedure": "laminectomy", "segments": ["unsure", "L4-L5"]})
        self.assert_refused("operations", data, "please keep one or the other")

    def test_pain_coming_back_in_the_future_is_refused(self) -> None:
        next_month = timezone.localdate().replace(day=1) + timedelta(days=32)
        data = {"returned_month": str(next_month.month), "returned_year": str(next_month.year)}
        self.assert_refused("history", data, "cannot be in the future")

    def test_a_treatment_year_in_the_future_and_details_without_tried_are_refused(self) -> None:
        year = str(timezone.localdate().year + 1)
        self.assert_refused("treatments", {"rfa-tried": "yes", "rfa-last_year": year}, "cannot be in the future")
        self.assert_refused("treatments", {"rfa-helped": "a_lot"}, "please answer")

    def test_a_scan_before_birth_is_refused(self) -> None:
        self.assert_refused("imaging", imaging_data({"modality": "mri", "year": "1960"}), "before you were born")

    def test_opioids_ticked_but_none_listed_is_refused(self) -> None:
        data = {"takes_opioids": "yes", "takes_blood_thinners": "no"} | medication_data(
            {"name": "Gabapentin", "dose": "300 mg", "category": "other"}
        )
        self.assert_refused("medications", data, "please add it to the list below")
        data = {"takes_opioids": "yes", "takes_blood_thinners": "no"} | medication_data(
            {"name": "Oxycodone", "dose": "5 mg twice a day", "category": "opioid"}
        )
        self.assert_goes_to(self.post_step("medications", data), "imaging")

    def test_allergies_and_no_known_allergies_together_are_refused(self) -> None:
        data = {"allergies": "Penicillin: rash", "no_known_allergies": "on"} | medication_data()
        self.assert_refused("medications", data, "untick")

    def test_inches_without_feet_are_refused(self) -> None:
        self.assert_refused("health", {"height_extra_inches": "4"}, "in feet as well")

    def test_a_height_or_weight_outside_what_we_keep_is_refused_not_a_crash(self) -> None:
        self.assert_refused("health", {"height_feet": "8", "height_extra_inches": "6"}, "between 3 ft and 8 ft")
        self.assert_refused("health", {"weight_pounds": "20"}, "between 50 and 1000 pounds")
        self.assert_refused("health", {"weight_pounds": "1200"}, "between 50 and 1000 pounds")

    def test_months_of_relief_beyond_fifty_years_are_refused(self) -> None:
        data = operation_data({"year": "2018", "procedure": "laminectomy", "relief_months": "700"})
        self.assert_refused("operations", data, "a number from 0 to 600")

    def test_a_step_with_errors_says_so_at_the_top_and_logs_the_page_shown(self) -> None:
        year = str(timezone.localdate().year + 1)
        response = self.post_step("operations", operation_data({"year": year, "procedure": "laminectomy"}))
        self.assertContains(response, "Nothing on this page was saved yet", status_code=400)
        log = AccessLog.objects.get()
        assert (log.role, log.action, log.what) == ("patient", "view_intake", "step operations")

    def test_consent_needs_the_privacy_notice_and_one_way_to_contact(self) -> None:
        self.assert_refused("consent", {"contact_by_email": "on"}, "privacy notice")
        self.assert_refused("consent", {"privacy": "on"}, "at least one way")


class SubmissionTests(IntakeTestCase):
    def fill_consent(self) -> None:
        response = self.post_step("consent", {"privacy": "on", "contact_by_email": "on"})
        self.assert_goes_to(response, "review")

    def test_submitting_needs_consent_first(self) -> None:
        self.post_step("about", {"chief_complaint": "Back pain", "goals": ""})
        response = self.client.post(review_url(self.consultation))
        self.assertContains(response, "Privacy and contact", status_code=400)
        assert self.intake().status == Intake.Status.IN_PROGRESS
        assert mail.outbox == []

    def test_submitting_completes_the_intake_and_sends_a_receipt_without_health_details(self) -> None:
        desk = make_user(role="front_desk")
        desk.email = "desk@example.com"
        desk.save()
        self.post_step("about", {"chief_complaint": "Numb foot after fusion", "goals": ""})
        self.fill_consent()
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(review_url(self.consultation), follow=True)
        self.assertContains(response, "Your history is sent")
        intake = self.intake()
        assert intake.status == Intake.Status.COMPLETED and intake.submitted_at is not None
        subjects = sorted(message.subject for message in mail.outbox)
        assert subjects == ["A patient sent their history", "We received your history"]
        for message in mail.outbox:
            assert "Numb foot" not in message.subject + message.body
        # Sending again changes nothing and sends nothing.
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(review_url(self.consultation))
        assert len(mail.outbox) == 2

    def test_saving_the_same_answers_after_submission_is_not_an_amendment(self) -> None:
        self.post_step("about", {"chief_complaint": "Same words", "goals": ""})
        self.fill_consent()
        self.client.post(review_url(self.consultation))

        self.post_step("about", {"chief_complaint": "Same words", "goals": ""})

        assert self.intake().status == Intake.Status.COMPLETED
        assert not IntakeVersion.objects.exists()

    def test_an_amendment_after_submission_keeps_the_previous_version(self) -> None:
        self.post_step("about", {"chief_complaint": "First words", "goals": ""})
        self.fill_consent()
        self.client.post(review_url(self.consultation))
        response = self.post_step("about", {"chief_complaint": "Better words", "goals": ""})
        self.assertEqual(response.status_code, 302)
        intake = self.intake()
        assert intake.status == Intake.Status.AMENDED and intake.amended_at is not None
        assert intake.chief_complaint == "Better words"
        version = IntakeVersion.objects.get(intake=intake)
        assert version.number == 1
        assert version.snapshot["intake"]["chief_complaint"] == "First words"

    def test_an_amendment_keeps_the_questionnaire_answers_as_they_were(self) -> None:
        self.post_step("function", {"function-walking": "4", "function-sitting": "3"})
        self.fill_consent()
        self.client.post(review_url(self.consultation))
        self.post_step("function", {"function-walking": "1", "function-sitting": "3"})
        response = QuestionnaireResponse.objects.get(instrument__purpose="function")
        assert response.answers["walking"] == 1
        (kept,) = IntakeVersion.objects.get().snapshot["responses"]
        assert (kept["instrument"], kept["answers"]["walking"], kept["answers"]["sitting"]) == ("spine-function", 4, 3)

    def test_a_reviewed_intake_can_no_longer_be_changed(self) -> None:
        self.post_step("about", {"chief_complaint": "Kept as reviewed", "goals": ""})
        self.fill_consent()
        self.client.post(review_url(self.consultation))
        IntakeReview.objects.create(
            intake=self.intake(), reviewed_by=make_user(role="surgeon"), reviewed_at=timezone.now()
        )
        response = self.post_step("about", {"chief_complaint": "Changed after review", "goals": ""})
        self.assert_goes_to(response, "review")
        self.assertContains(self.client.get(response.url), "can no longer be changed")
        assert self.intake().chief_complaint == "Kept as reviewed"
        assert not IntakeVersion.objects.exists()

    def test_a_cancelled_consultations_history_is_read_only(self) -> None:
        self.post_step("about", {"chief_complaint": "Before cancelling", "goals": ""})
        Consultation.objects.filter(pk=self.consultation.pk).update(status=Consultation.Status.CANCELLED)
        self.post_step("about", {"chief_complaint": "After cancelling", "goals": ""})
        assert self.intake().chief_complaint == "Before cancelling"

    def test_the_review_page_says_not_answered_for_skipped_questions(self) -> None:
        self.post_step("about", {"chief_complaint": "Only this", "goals": ""})
        response = self.client.get(review_url(self.consultation))
        self.assertContains(response, "Only this")
        self.assertContains(response, "Not answered")
        assert AccessLog.objects.filter(action="view_intake", what="review").count() == 1


@override_settings(PRIVATE_MEDIA_ROOT=UPLOADS)
class PrivacyTests(IntakeTestCase):
    def test_another_patients_link_never_opens_this_intake_or_its_reports(self) -> None:
        self.post_step("about", {"chief_complaint": "Private words", "goals": ""})
        upload = self.upload_png()
        other = make_consultation(
            self.surgeon,
            self.location,
            timezone.now() + timedelta(days=11),
            patient=make_patient(email="b@example.com"),
        )
        assert "Private words" not in self.client.get(step_url(other, "about")).content.decode()
        stolen = reverse("consultations:intake-upload", args=[patient_token(other), upload.token])
        assert self.client.get(stolen).status_code == 404
        remove = reverse("consultations:intake-upload-remove", args=[patient_token(other), upload.token])
        assert self.client.post(remove).status_code == 404
        assert Upload.objects.filter(pk=upload.pk).exists()

    def test_a_tampered_link_is_a_friendly_404(self) -> None:
        url = reverse("consultations:intake-step", args=[patient_token(self.consultation) + "x", "about"])
        response = self.client.get(url)
        self.assertContains(response, "link", status_code=404)
        assert not AccessLog.objects.exists()

    def upload_png(self) -> Upload:
        file = SimpleUploadedFile("mri-report.png", png_bytes(), content_type="image/png")
        response = self.client.post(step_url(self.consultation, "imaging"), imaging_data() | {"file": file})
        self.assertEqual(response.status_code, 302)
        return Upload.objects.get()


@override_settings(PRIVATE_MEDIA_ROOT=UPLOADS)
class UploadStepTests(IntakeTestCase):
    def test_a_report_is_added_downloaded_with_a_log_row_and_removed(self) -> None:
        file = SimpleUploadedFile("mri.png", png_bytes(), content_type="image/png")
        response = self.post_step("imaging", imaging_data({"modality": "mri", "year": "2023"}) | {"file": file})
        self.assert_goes_to(response, "health")
        upload = Upload.objects.get()
        url = reverse("consultations:intake-upload", args=[patient_token(self.consultation), upload.token])
        download = self.client.get(url)
        assert download.status_code == 200 and download.headers["Content-Type"] == "image/png"
        assert "attachment" in download.headers["Content-Disposition"]
        assert AccessLog.objects.filter(action="download_upload", what=f"upload {upload.token.hex[:8]}").count() == 1
        remove = reverse("consultations:intake-upload-remove", args=[patient_token(self.consultation), upload.token])
        with self.captureOnCommitCallbacks(execute=True):
            self.assert_goes_to(self.client.post(remove), "imaging")
        assert not Upload.objects.exists()

    def submit(self) -> None:
        response = self.post_step("consent", {"privacy": "on", "contact_by_email": "on"})
        self.assert_goes_to(response, "review")
        self.client.post(review_url(self.consultation))
        assert self.intake().is_submitted

    def test_a_report_added_after_submission_is_not_in_the_version_kept(self) -> None:
        self.submit()
        file = SimpleUploadedFile("mri.png", png_bytes(), content_type="image/png")
        self.assert_goes_to(self.post_step("imaging", imaging_data() | {"file": file}), "health")
        upload = Upload.objects.get()
        version = IntakeVersion.objects.get()
        assert version.snapshot["uploads"] == []
        assert self.intake().status == Intake.Status.AMENDED and upload.intake == self.intake()

    def test_a_report_removed_after_submission_stays_reachable_from_the_version_kept(self) -> None:
        file = SimpleUploadedFile("mri.png", png_bytes(), content_type="image/png")
        self.post_step("imaging", imaging_data() | {"file": file})
        upload = Upload.objects.get()
        self.submit()
        remove = reverse("consultations:intake-upload-remove", args=[patient_token(self.consultation), upload.token])
        with self.captureOnCommitCallbacks(execute=True):
            self.assert_goes_to(self.client.post(remove), "imaging")
        assert not Upload.objects.exists()
        (kept,) = IntakeVersion.objects.get().snapshot["uploads"]
        assert kept["token"] == str(upload.token) and kept["file"] == upload.file.name
        assert (kept["content_type"], kept["size"], kept["original_name"]) == ("image/png", upload.size, "mri.png")
        with Upload.file.field.storage.open(kept["file"], "rb") as stored:
            assert hashlib.sha256(stored.read()).hexdigest() == kept["sha256"]

    def test_a_report_removed_before_submission_is_deleted(self) -> None:
        file = SimpleUploadedFile("mri.png", png_bytes(), content_type="image/png")
        self.post_step("imaging", imaging_data() | {"file": file})
        upload = Upload.objects.get()
        remove = reverse("consultations:intake-upload-remove", args=[patient_token(self.consultation), upload.token])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(remove)
        assert not Upload.file.field.storage.exists(upload.file.name)
        assert not IntakeVersion.objects.exists()

    def test_a_renamed_executable_is_refused_and_the_answers_are_still_saved(self) -> None:
        file = SimpleUploadedFile("report.pdf", b"MZ\x90\x00" + b"\x00" * 200, content_type="application/pdf")
        data = imaging_data({"modality": "ct", "year": "2021"}) | {"file": file}
        response = self.post_step("imaging", data, follow=True)
        self.assertContains(response, "the report was not added")
        assert not Upload.objects.exists()
        assert list(self.intake().imaging.values_list("modality", flat=True)) == ["ct"]

    @override_settings(INTAKE_UPLOAD_MAX_BYTES=1000)
    def test_an_oversized_file_is_refused(self) -> None:
        file = SimpleUploadedFile("big.pdf", b"%PDF-1.4\n" + b"0" * 2000 + b"\n%%EOF", content_type="application/pdf")
        response = self.post_step("imaging", imaging_data() | {"file": file}, follow=True)
        self.assertContains(response, "the report was not added")
        assert not Upload.objects.exists()
