"""The desk and a patient's insurance and referral: shown on the consultation's page (logged), checked as verified
or a problem, documents downloaded (logged), a badge in the queue while insurance waits, and booking with them."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import roles
from consultations.booking.coverage import add_document
from consultations.models import AccessLog, Consultation, Coverage, Upload
from tests.consultations.desk.test_pages import NEXT_MONDAY, NOW, QUEUE, DeskTestCase, page
from tests.consultations.intake.test_uploads import ELF, PrivateMediaMixin, image_bytes, pdf_bytes
from tests.factories import (
    make_consultation,
    make_coverage,
    make_location,
    make_referral,
    make_surgeon_user,
    make_user,
    sign_in,
)

Status = Consultation.Status


def document_url(consultation: Consultation, upload: Upload) -> str:
    return reverse("consultations:desk-document", args=[consultation.public_id, upload.token])


@time_machine.travel(NOW, tick=False)
class ConsultationPageTests(PrivateMediaMixin, DeskTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.consultation = make_consultation(cls.surgeon, cls.albany, NEXT_MONDAY)
        cls.coverage = make_coverage(
            cls.consultation, plan="Silver PPO", subscriber_relationship="parent", subscriber_name="Sam Fictional"
        )
        make_referral(cls.consultation)

    def add_card(self, consultation: Consultation | None = None) -> Upload:
        card = SimpleUploadedFile("card.png", image_bytes("PNG"), content_type="image/png")
        return add_document(
            consultation=consultation or self.consultation, file=card, kind=Upload.Kind.INSURANCE_CARD_FRONT
        )

    def test_the_page_shows_insurance_referral_and_documents_and_logs_the_view(self) -> None:
        card = self.add_card()

        response = self.client.get(page("desk-consultation", self.consultation))

        for text in (
            "Fictional Health Mutual",
            "FHM-000-TEST-1",
            "Silver PPO",
            "Sam Fictional (parent or guardian)",
            "Insurance not verified",
            "Dr. Pat Referrer (fictional)",
            "Example Family Practice",
            "1234567893",
        ):
            self.assertContains(response, text)
        self.assertContains(response, document_url(self.consultation, card))
        entry = AccessLog.objects.get()
        assert (entry.action, entry.user, entry.role, entry.consultation) == (
            AccessLog.Action.VIEW_COVERAGE,
            self.desk,
            AccessLog.Role.FRONT_DESK,
            self.consultation,
        )

    def test_a_page_with_no_insurance_or_referral_logs_nothing(self) -> None:
        other = make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(hours=1))

        response = self.client.get(page("desk-consultation", other))

        self.assertContains(response, "No insurance details were given with this request.")
        assert not AccessLog.objects.exists()

    def test_verified_is_recorded_with_who_and_when(self) -> None:
        response = self.client.post(page("desk-coverage", self.consultation), {"verification": "verified"})

        self.assertRedirects(response, page("desk-consultation", self.consultation))
        self.coverage.refresh_from_db()
        assert (self.coverage.verification, self.coverage.verified_by, self.coverage.verified_at) == (
            Coverage.Verification.VERIFIED,
            self.desk,
            NOW,
        )
        response = self.client.get(page("desk-consultation", self.consultation))
        self.assertContains(response, "Verified</span>")
        self.assertNotContains(response, "Insurance not verified")

    def test_a_problem_is_recorded_with_its_note(self) -> None:
        self.client.post(
            page("desk-coverage", self.consultation),
            {"verification": "problem", "note": "Member ID not found; patient to call the insurer."},
        )

        self.coverage.refresh_from_db()
        assert self.coverage.verification == Coverage.Verification.PROBLEM
        assert self.coverage.verification_note == "Member ID not found; patient to call the insurer."
        assert (self.coverage.verified_by, self.coverage.verified_at) == (self.desk, NOW)

    def test_a_problem_without_a_note_is_refused(self) -> None:
        response = self.client.post(page("desk-coverage", self.consultation), {"verification": "problem"})

        self.assertContains(response, "Say what the problem is", status_code=400)
        self.coverage.refresh_from_db()
        assert self.coverage.verification == Coverage.Verification.UNVERIFIED
        assert self.coverage.verified_by is None

    def test_a_consultation_without_insurance_has_nothing_to_check(self) -> None:
        other = make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(hours=1))

        response = self.client.post(page("desk-coverage", other), {"verification": "verified"})

        assert response.status_code == 404

    def test_a_document_downloads_for_the_desk_and_is_logged(self) -> None:
        card = self.add_card()

        response = self.client.get(document_url(self.consultation, card))

        assert response.status_code == 200
        assert response["Content-Type"] == "image/png"
        assert f'filename="insurance-card-front-{card.token.hex[:8]}.png"' in response["Content-Disposition"]
        assert "no-store" in response["Cache-Control"] and "private" in response["Cache-Control"]
        entry = AccessLog.objects.get()
        assert (entry.action, entry.user, entry.consultation) == (
            AccessLog.Action.DOWNLOAD_DOCUMENT,
            self.desk,
            self.consultation,
        )

    def test_the_admin_may_download_and_is_logged_as_admin(self) -> None:
        card = self.add_card()
        admin = make_user(username="ada")
        admin.is_superuser = admin.is_staff = True
        admin.save()
        sign_in(self.client, admin)

        response = self.client.get(document_url(self.consultation, card))

        assert response.status_code == 200
        assert AccessLog.objects.get().role == AccessLog.Role.ADMIN

    def test_a_surgeon_or_a_patient_cannot_download(self) -> None:
        card = self.add_card()
        surgeon_user, _ = make_surgeon_user()
        sign_in(self.client, surgeon_user)

        assert self.client.get(document_url(self.consultation, card)).status_code == 403
        self.client.logout()
        response = self.client.get(document_url(self.consultation, card))
        assert response.status_code == 302 and "next=" in response["Location"]
        assert not AccessLog.objects.exists()

    def test_another_consultations_document_is_not_found(self) -> None:
        other = make_consultation(self.surgeon, make_location(), NEXT_MONDAY + timedelta(hours=2))
        card = self.add_card(other)

        response = self.client.get(document_url(self.consultation, card))

        assert response.status_code == 404
        assert not AccessLog.objects.exists()


@time_machine.travel(NOW, tick=False)
class QueueBadgeTests(DeskTestCase):
    def test_only_insurance_waiting_for_a_check_gets_a_badge(self) -> None:
        hours = iter(range(10))

        def request(name: str):
            start = NEXT_MONDAY + timedelta(hours=next(hours))
            return make_consultation(self.surgeon, self.albany, start, contact_name=name)

        make_coverage(request("Una Unverified"))
        make_coverage(request("Vera Verified"), verification="verified", verified_by=self.desk, verified_at=NOW)
        make_coverage(
            request("Pru Problem"),
            verification="problem",
            verification_note="Lapsed",
            verified_by=self.desk,
            verified_at=NOW,
        )
        make_coverage(request("Sal Selfpay"), kind="self_pay", payer="", member_id="")
        make_coverage(request("Nia Notsure"), kind="not_sure", payer="", member_id="")
        request("Nol Nothing")

        response = self.client.get(QUEUE)

        rows = {
            name: row
            for row in response.content.decode().split("<tr>")[2:]
            for name in ["Una", "Vera", "Pru", "Sal", "Nia", "Nol"]
            if name in row
        }
        assert "Insurance not verified" in rows["Una"]
        assert "Insurance problem" in rows["Pru"]
        for name in ("Vera", "Sal", "Nia", "Nol"):
            assert "Insurance" not in rows[name], name

    def test_the_badge_costs_no_query_per_row(self) -> None:
        make_coverage(make_consultation(self.surgeon, self.albany, NEXT_MONDAY))
        with CaptureQueriesContext(connection) as one_row:
            self.client.get(QUEUE)
        for minutes in (30, 60, 90):
            make_coverage(make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(minutes=minutes)))

        with self.assertNumQueries(len(one_row)):
            response = self.client.get(QUEUE)

        # Four row badges (the queue's filter form names the same words once, as a label).
        assert response.content.decode().count(">Insurance not verified</span>") == 4


@time_machine.travel(NOW, tick=False)
class DeskBookingTests(PrivateMediaMixin, DeskTestCase):
    def book(self, **overrides):
        data = {
            "recent_surgery": "no",
            "preferred_language": "English",
            "surgeon": self.surgeon.pk,
            "slot": f"{NEXT_MONDAY.isoformat()}|albany",
            "first_name": "Casey",
            "last_name": "Caller",
            "date_of_birth": "1961-07-14",
            "phone": "(518) 555-0177",
            "email": "casey@example.com",
            "visit_type": "in_person",
            "reason": "Back pain since the fusion (fictional).",
            "channel": "referral",
        }
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("consultations:desk-book"), data | overrides, follow=True)

    def test_the_form_asks_for_insurance_and_the_referring_clinician(self) -> None:
        response = self.client.get(reverse("consultations:desk-book"), {"surgeon": "ana"})

        self.assertContains(response, "How will the patient pay?")
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, 'name="referral_letter"')

    def test_the_desk_books_with_insurance_referral_and_letter(self) -> None:
        letter = SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="application/pdf")

        response = self.book(
            payment="insurance",
            payer="Fictional Health Mutual",
            member_id="FHM-000-TEST-9",
            referral_name="Dr. Pat Referrer",
            referral_npi="1234567893",
            referral_letter=letter,
        )

        consultation = Consultation.objects.get()
        self.assertContains(response, "Booked and confirmed")
        self.assertContains(response, "FHM-000-TEST-9")
        assert consultation.coverage.member_id == "FHM-000-TEST-9"
        assert consultation.referral.npi == "1234567893"
        assert consultation.documents.get().kind == Upload.Kind.REFERRAL_LETTER
        # The patient's confirmation says nothing of the insurance or the referral.
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        for text in (message.subject, message.body, *(content for content, _ in message.alternatives)):
            assert "Fictional Health Mutual" not in text and "FHM-000-TEST-9" not in text
            assert "Pat Referrer" not in text

    def test_a_refused_card_photo_keeps_the_booking(self) -> None:
        card = SimpleUploadedFile("card.png", ELF, content_type="image/png")

        response = self.book(payment="insurance", payer="Fictional Health Mutual", member_id="M-1", card_back=card)

        self.assertContains(response, "Booked and confirmed")
        self.assertContains(response, "The booking stands, but not every document was added.")
        self.assertContains(response, "Insurance card, back: We can only accept PDF, JPEG or PNG files")
        assert Consultation.objects.get().status == Status.CONFIRMED
        assert not Upload.objects.exists() and self.stored_files() == []

    def test_insurance_without_a_member_id_books_nothing(self) -> None:
        response = self.book(payment="insurance", payer="Fictional Health Mutual")

        self.assertContains(response, "Enter the member ID printed on the card.", status_code=400)
        assert not Consultation.objects.exists()


class RolesTests(DeskTestCase):
    def test_the_surgeon_cannot_check_insurance(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        coverage = make_coverage(consultation)
        surgeon_user = make_user(role=roles.SURGEON)
        sign_in(self.client, surgeon_user)

        response = self.client.post(page("desk-coverage", consultation), {"verification": "verified"})

        assert response.status_code == 403
        coverage.refresh_from_db()
        assert coverage.verification == Coverage.Verification.UNVERIFIED
