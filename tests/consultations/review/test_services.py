"""The surgeon's review: reviewed with notes and a priority the desk sees, and questions the patient answers."""

import re
import tempfile
from datetime import timedelta

import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from consultations.links import patient_token, public_id_from_token
from consultations.models import AccessLog, Consultation, InformationRequest, IntakeReview, SentMessage
from consultations.notify.tasks import send_message
from tests.factories import (
    make_consultation,
    make_intake,
    make_location,
    make_submitted_intake,
    make_surgeon_user,
    make_user,
    sign_in,
)


class ReviewTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user, cls.surgeon = make_surgeon_user()
        cls.location = make_location()
        cls.consultation = make_consultation(cls.surgeon, cls.location, timezone.now() + timedelta(days=4))
        cls.url = reverse("consultations:surgeon-review", args=[cls.consultation.public_id])
        cls.summary = reverse("consultations:surgeon-summary", args=[cls.consultation.public_id])

    def setUp(self) -> None:
        sign_in(self.client, self.user)

    def test_marking_reviewed_keeps_who_when_priority_and_notes(self) -> None:
        intake = make_submitted_intake(self.consultation)

        response = self.client.post(
            self.url, {"priority": "urgent", "notes": "Fictional: check the L4 screw on the CT."}, follow=True
        )

        self.assertRedirects(response, self.summary + "#review")
        self.assertContains(response, "Marked as reviewed.")
        review = IntakeReview.objects.get(intake=intake)
        assert (review.reviewed_by, review.priority) == (self.user, "urgent")
        assert review.notes == "Fictional: check the L4 screw on the CT."
        assert timezone.now() - review.reviewed_at < timedelta(minutes=1)
        self.assertContains(response, "✓</span> Reviewed")

    def test_the_patient_can_no_longer_change_a_reviewed_history(self) -> None:
        make_submitted_intake(self.consultation)
        self.client.post(self.url, {"priority": "routine", "notes": ""})
        token = patient_token(self.consultation)

        response = self.client.get(reverse("consultations:intake-step", args=[token, "about"]))

        self.assertRedirects(
            response, reverse("consultations:intake-review", args=[token]), fetch_redirect_response=False
        )

    def test_saving_again_changes_notes_and_priority_but_not_the_first_review(self) -> None:
        intake = make_submitted_intake(self.consultation)
        first = IntakeReview.objects.create(
            intake=intake, reviewed_by=self.user, reviewed_at=timezone.now() - timedelta(days=1)
        )
        colleague = make_user(role="surgeon")
        self.consultation.surgeon.user = colleague  # the same surgeon's account changed hands
        self.consultation.surgeon.save(update_fields=["user"])
        sign_in(self.client, colleague)

        response = self.client.post(self.url, {"priority": "soon", "notes": "Fictional: second look."}, follow=True)

        self.assertContains(response, "Review saved.")
        review = IntakeReview.objects.get(pk=first.pk)
        assert (review.priority, review.notes) == ("soon", "Fictional: second look.")
        assert (review.reviewed_by, review.reviewed_at) == (self.user, first.reviewed_at)

    def test_a_history_not_sent_yet_cannot_be_reviewed(self) -> None:
        make_intake(self.consultation)

        response = self.client.post(self.url, {"priority": "routine"})

        self.assertContains(response, "The patient has not sent this history yet.", status_code=400)
        assert not IntakeReview.objects.exists()

    def test_without_a_history_there_is_nothing_to_review(self) -> None:
        response = self.client.post(self.url, {"priority": "routine"})

        self.assertContains(response, "nothing to review", status_code=400)

    def test_an_unknown_priority_is_a_400_with_a_message(self) -> None:
        make_submitted_intake(self.consultation)

        response = self.client.post(self.url, {"priority": "yesterday"})

        self.assertContains(response, "Select a valid choice", status_code=400)
        assert not IntakeReview.objects.exists()

    def test_the_front_desk_sees_the_priority_but_not_the_notes(self) -> None:
        intake = make_submitted_intake(self.consultation)
        IntakeReview.objects.create(
            intake=intake,
            reviewed_by=self.user,
            reviewed_at=timezone.now(),
            priority=IntakeReview.Priority.URGENT,
            notes="Fictional private note",
        )
        sign_in(self.client, make_user(role="front_desk"))

        queue = self.client.get(reverse("consultations:desk-queue"))
        page = self.client.get(reverse("consultations:desk-consultation", args=[self.consultation.public_id]))

        self.assertContains(queue, "Surgeon: urgent")
        self.assertNotContains(queue, "Fictional private note")
        assert page.status_code == 200
        self.assertNotContains(page, "Fictional private note")

    def test_the_notes_are_not_on_the_patients_own_page(self) -> None:
        intake = make_submitted_intake(self.consultation)
        IntakeReview.objects.create(
            intake=intake, reviewed_by=self.user, reviewed_at=timezone.now(), notes="Fictional private note"
        )
        self.client.logout()

        response = self.client.get(reverse("consultations:intake-review", args=[patient_token(self.consultation)]))

        assert response.status_code == 200
        self.assertNotContains(response, "Fictional private note")


class AskThePatientTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user, cls.surgeon = make_surgeon_user()
        cls.consultation = make_consultation(cls.surgeon, make_location(), timezone.now() + timedelta(days=4))
        cls.url = reverse("consultations:surgeon-ask", args=[cls.consultation.public_id])
        cls.question_text = "Fictional: which level was the second operation at, and was a cage used?"

    def setUp(self) -> None:
        sign_in(self.client, self.user)

    def ask(self, **data) -> object:
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, {"section": "operations", "message": self.question_text} | data)

    def test_the_question_is_kept_and_the_patient_gets_a_link_without_it(self) -> None:
        intake = make_submitted_intake(self.consultation)

        response = self.ask()

        self.assertRedirects(
            response,
            reverse("consultations:surgeon-summary", args=[self.consultation.public_id]) + "#questions",
            fetch_redirect_response=False,
        )
        question = InformationRequest.objects.get()
        assert (question.intake, question.section, question.message) == (intake, "operations", self.question_text)
        assert question.asked_by == self.user
        assert question.emailed_at is not None
        assert not question.is_answered
        [email] = mail.outbox
        assert email.to == [self.consultation.patient.email]
        assert email.subject == "A question about your consultation"
        token, public_id = re.search(r"/my-consultation/([^/\s]+)/questions/([0-9a-f-]+)/", email.body).groups()
        assert public_id_from_token(token) == str(self.consultation.public_id)
        assert public_id == str(question.public_id)
        assert "Fictional" not in email.body
        assert "cage" not in email.body
        assert "operation" not in email.subject.lower()
        logged = SentMessage.objects.get(consultation=self.consultation)
        assert (logged.kind, logged.state, logged.attempts) == ("information_request", "sent", 1)

    def test_a_question_to_a_cancelled_consultation_waiting_for_a_retry_is_not_sent(self) -> None:
        question = InformationRequest.objects.create(
            intake=make_submitted_intake(self.consultation),
            section="operations",
            message=self.question_text,
            asked_by=self.user,
            asked_at=timezone.now(),
        )
        # Queued as `ask_patient` queues it; its first attempt failed.
        sent = SentMessage.objects.create(
            consultation=self.consultation,
            question=question,
            kind=SentMessage.Kind.INFORMATION_REQUEST,
            to=self.consultation.patient.email,
            regarding_start=self.consultation.start,
        )
        Consultation.objects.filter(pk=self.consultation.pk).update(status=Consultation.Status.CANCELLED)

        send_message.call(sent.pk, 1)

        assert mail.outbox == []
        assert SentMessage.objects.get(consultation=self.consultation).state == "skipped"

    def test_the_question_shows_on_the_summary_waiting_for_an_answer(self) -> None:
        make_submitted_intake(self.consultation)
        self.ask()

        response = self.client.get(reverse("consultations:surgeon-summary", args=[self.consultation.public_id]))

        self.assertContains(response, self.question_text)
        self.assertContains(response, "Waiting for the patient")

    def test_a_section_that_does_not_exist_is_a_400(self) -> None:
        make_submitted_intake(self.consultation)

        response = self.ask(section="secrets")

        self.assertContains(response, "Select a valid choice", status_code=400)
        assert not InformationRequest.objects.exists()
        assert not mail.outbox

    def test_an_empty_question_is_a_400(self) -> None:
        make_submitted_intake(self.consultation)

        response = self.ask(message="")

        self.assertContains(response, "Please write what you would like the patient to add.", status_code=400)

    def test_no_question_for_a_cancelled_consultation(self) -> None:
        make_submitted_intake(self.consultation)
        Consultation.objects.filter(pk=self.consultation.pk).update(status=Consultation.Status.CANCELLED)

        response = self.ask()

        self.assertContains(response, "link has expired", status_code=400)
        assert not InformationRequest.objects.exists()

    def test_no_question_before_the_history_is_started(self) -> None:
        response = self.ask()

        self.assertContains(response, "has not started the history yet", status_code=400)
        assert not InformationRequest.objects.exists()


class PatientReplyTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user, surgeon = make_surgeon_user()
        cls.consultation = make_consultation(surgeon, make_location(), timezone.now() + timedelta(days=4))
        cls.question = InformationRequest.objects.create(
            intake=make_submitted_intake(cls.consultation),
            section="medications",
            message="Fictional: how many oxycodone tablets a day?",
            asked_by=cls.user,
            asked_at=timezone.now(),
        )
        cls.url = reverse(
            "consultations:patient-question", args=[patient_token(cls.consultation), cls.question.public_id]
        )

    def test_the_patient_reads_the_question_and_the_visit_is_logged(self) -> None:
        response = self.client.get(self.url)

        self.assertContains(response, "Fictional: how many oxycodone tablets a day?")
        self.assertContains(response, "Medicines and allergies")
        assert "no-store" in response["Cache-Control"]
        log = AccessLog.objects.get()
        assert (log.role, log.action, log.consultation, log.user) == ("patient", "view_intake", self.consultation, None)

    def test_the_reply_is_kept_beside_the_question_and_the_surgeon_sees_both(self) -> None:
        response = self.client.post(self.url, {"reply": "Fictional: two a day."}, follow=True)

        self.assertContains(response, "Your answer is saved")
        self.assertContains(response, "Fictional: two a day.")
        self.question.refresh_from_db()
        assert self.question.reply == "Fictional: two a day."
        assert self.question.message == "Fictional: how many oxycodone tablets a day?"
        assert timezone.now() - self.question.replied_at < timedelta(minutes=1)
        sign_in(self.client, self.user)
        summary = self.client.get(reverse("consultations:surgeon-summary", args=[self.consultation.public_id]))
        self.assertContains(summary, "Fictional: how many oxycodone tablets a day?")
        self.assertContains(summary, "Fictional: two a day.")

    def test_a_scan_report_can_come_with_the_answer_even_after_the_review(self) -> None:
        question = InformationRequest.objects.create(
            intake=self.question.intake,
            section="imaging",
            message="Fictional: please send the report of your last MRI.",
            asked_by=self.user,
            asked_at=timezone.now(),
        )
        IntakeReview.objects.create(intake=question.intake, reviewed_by=self.user, reviewed_at=timezone.now())
        url = reverse("consultations:patient-question", args=[patient_token(self.consultation), question.public_id])
        report = SimpleUploadedFile("mri.pdf", b"%PDF-1.4 fictional report\n%%EOF\n", content_type="application/pdf")

        with tempfile.TemporaryDirectory() as media, override_settings(PRIVATE_MEDIA_ROOT=media):
            response = self.client.post(url, {"reply": "Fictional: attached.", "report": report}, follow=True)

        self.assertContains(response, "Your answer is saved")
        upload = question.intake.uploads.get()
        assert (upload.kind, upload.content_type) == ("imaging_report", "application/pdf")
        question.refresh_from_db()
        assert question.reply == "Fictional: attached."

    def test_a_file_that_is_not_a_report_keeps_the_answer_unsent_and_says_why(self) -> None:
        report = SimpleUploadedFile("mri.pdf", b"MZ not a pdf at all", content_type="application/pdf")

        with tempfile.TemporaryDirectory() as media, override_settings(PRIVATE_MEDIA_ROOT=media):
            response = self.client.post(self.url, {"reply": "Fictional: attached.", "report": report})

        self.assertContains(response, "We can only accept PDF, JPEG or PNG files", status_code=400)
        self.assertContains(response, "Fictional: attached.", status_code=400)
        self.question.refresh_from_db()
        assert self.question.reply == "" and not self.question.intake.uploads.exists()

    def test_a_second_reply_does_not_overwrite_the_first(self) -> None:
        self.client.post(self.url, {"reply": "Fictional: two a day."})

        response = self.client.post(self.url, {"reply": "Fictional: changed my mind."})

        assert response.status_code == 409
        self.question.refresh_from_db()
        assert self.question.reply == "Fictional: two a day."

    def test_after_the_visit_the_link_still_shows_the_question_but_takes_no_answer(self) -> None:
        with time_machine.travel(self.consultation.end + timedelta(days=1)):
            page = self.client.get(self.url)
            response = self.client.post(self.url, {"reply": "Fictional: too late."})
            own_page = self.client.get(
                reverse("consultations:my-consultation", args=[patient_token(self.consultation)])
            )

        self.assertContains(page, "can no longer be answered here")
        self.assertNotContains(page, "Send my answer")
        assert response.status_code == 409
        self.question.refresh_from_db()
        assert self.question.reply == ""
        self.assertNotContains(own_page, "Questions from your surgeon")

    def test_the_patients_page_links_the_questions_still_to_answer(self) -> None:
        answered = InformationRequest.objects.create(
            intake=self.question.intake,
            section="work",
            message="Fictional: what is your job?",
            asked_by=self.user,
            asked_at=timezone.now(),
            reply="Fictional: a baker.",
            replied_at=timezone.now(),
        )
        page = reverse("consultations:my-consultation", args=[patient_token(self.consultation)])

        response = self.client.get(page)

        self.assertContains(response, "Questions from your surgeon")
        # The links carry a fresh signature, so they are found by the question's id.
        self.assertContains(response, f'/questions/{self.question.public_id}/"', count=1)
        self.assertContains(response, "Medicines and allergies")
        self.assertNotContains(response, f"/questions/{answered.public_id}/")
        self.assertNotContains(response, "oxycodone")  # the question itself stays on its own page
        link = re.search(r'href="([^"]+/questions/[^"]+)"', response.content.decode()).group(1)
        self.assertContains(self.client.get(link), "Fictional: how many oxycodone tablets a day?")
        self.client.post(self.url, {"reply": "Fictional: two a day."})
        self.assertNotContains(self.client.get(page), "Questions from your surgeon")

    def test_an_empty_reply_is_a_400(self) -> None:
        response = self.client.post(self.url, {"reply": "  "})

        self.assertContains(response, "Please write your answer", status_code=400)
        self.question.refresh_from_db()
        assert not self.question.is_answered

    def test_another_patients_link_cannot_open_the_question(self) -> None:
        other = make_consultation(self.consultation.surgeon, make_location(), timezone.now() + timedelta(days=9))
        url = reverse("consultations:patient-question", args=[patient_token(other), self.question.public_id])

        response = self.client.get(url)

        assert response.status_code == 404
        self.assertNotContains(response, "oxycodone", status_code=404)
        assert self.client.post(url, {"reply": "x"}).status_code == 404
        self.question.refresh_from_db()
        assert not self.question.is_answered

    def test_a_tampered_link_is_a_404(self) -> None:
        url = reverse("consultations:patient-question", args=["not-a-signed-token", self.question.public_id])

        assert self.client.get(url).status_code == 404
