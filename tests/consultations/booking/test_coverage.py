"""The insurance and referral given with a request: checked by the form, kept with the consultation, card photos
and letters stored privately, and none of it in an e-mail."""

import uuid
from datetime import UTC, date, datetime, time

import time_machine
from django.conf import settings
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse

from clinic import roles
from consultations.booking.coverage_forms import CoverageForm
from consultations.models import Consultation, Coverage, Referral, Upload
from tests.consultations.intake.test_uploads import ELF, PrivateMediaMixin, image_bytes, pdf_bytes, pdf_of_size
from tests.factories import (
    make_location,
    make_rule,
    make_surgeon,
    make_user,
    request_form,
    screened,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany
# A fictional NPI with a correct check digit (the number CMS uses in its own examples).
VALID_NPI = "1234567893"

INSURANCE = {
    "payment": "insurance",
    "payer": "Fictional Health Mutual",
    "plan": "Silver PPO",
    "member_id": "FHM-000-TEST-42",
    "group_number": "GRP-77",
}


def coverage_form(**data) -> CoverageForm:
    form = CoverageForm(data)
    form.is_valid()
    return form


class CoverageFormTests(SimpleTestCase):
    def test_insurance_needs_the_company_and_the_member_id(self) -> None:
        form = coverage_form(payment="insurance")

        assert form.errors["payer"] == ["Enter the insurance company's name, as on the card."]
        assert form.errors["member_id"] == ["Enter the member ID printed on the card."]

    def test_insurance_with_company_and_member_id_is_enough(self) -> None:
        form = coverage_form(payment="insurance", payer="Fictional Health Mutual", member_id="FHM-1")

        assert form.is_valid(), form.errors
        assert form.coverage().kind == Coverage.Kind.INSURANCE
        assert form.coverage().subscriber_relationship == Coverage.Relationship.SELF

    def test_someone_elses_insurance_needs_their_name(self) -> None:
        form = coverage_form(**INSURANCE, subscriber_relationship="spouse")

        assert form.errors["subscriber_name"] == ["Enter the name of the person whose insurance it is."]

        form = coverage_form(**INSURANCE, subscriber_relationship="spouse", subscriber_name="Sam Fictional")
        assert form.is_valid(), form.errors
        assert form.coverage().subscriber_name == "Sam Fictional"

    def test_self_pay_and_not_sure_need_nothing_else(self) -> None:
        for payment in ("self_pay", "not_sure"):
            with self.subTest(payment):
                form = coverage_form(payment=payment)

                assert form.is_valid(), form.errors
                assert form.coverage().kind == payment
                assert form.referral() is None
                assert form.documents() == []

    def test_no_answer_is_not_sure(self) -> None:
        form = coverage_form()

        assert form.is_valid(), form.errors
        assert form.coverage().kind == Coverage.Kind.NOT_SURE

    def test_an_npi_is_checked_when_given(self) -> None:
        wrong = coverage_form(referral_name="Dr. Pat Example", referral_npi="1234567890")
        short = coverage_form(referral_name="Dr. Pat Example", referral_npi="12345")
        right = coverage_form(referral_name="Dr. Pat Example", referral_npi=VALID_NPI)
        none = coverage_form(referral_name="Dr. Pat Example")

        assert wrong.errors["referral_npi"] == [
            "This NPI's last digit does not match the others: check it for a typing mistake."
        ]
        assert short.errors["referral_npi"] == ["An NPI is exactly ten digits, for example 1234567893."]
        assert right.is_valid() and right.referral().npi == VALID_NPI
        assert none.is_valid() and none.referral().npi == ""

    def test_referral_details_without_the_clinicians_name_are_refused(self) -> None:
        form = coverage_form(referral_practice="Example Family Practice", referral_phone="(518) 555-0100")

        assert form.errors["referral_name"] == ["Enter the name of the clinician who referred you."]

    def test_a_referring_phone_number_is_checked(self) -> None:
        form = coverage_form(referral_name="Dr. Pat Example", referral_phone="12")

        assert form.errors["referral_phone"][0].startswith("Enter a phone number we can call")

    def test_the_insured_persons_date_of_birth_is_in_the_past(self) -> None:
        form = coverage_form(
            **INSURANCE, subscriber_relationship="parent", subscriber_name="Sam", subscriber_date_of_birth="2999-01-01"
        )

        assert form.errors["subscriber_date_of_birth"] == ["Enter a date of birth in the past."]

    def test_card_photos_are_kept_only_for_insurance(self) -> None:
        card = SimpleUploadedFile("card.png", image_bytes("PNG"), content_type="image/png")
        form = CoverageForm({"payment": "self_pay"}, {"card_front": card})

        assert form.is_valid(), form.errors
        assert form.documents() == []


@time_machine.travel(NOW, tick=False)
class RequestWithCoverageTests(PrivateMediaMixin, TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        # Told of every new request by e-mail.
        make_user(role=roles.FRONT_DESK)

    def setUp(self) -> None:
        super().setUp()
        screened(self.client)

    def send(self, **overrides):
        data = request_form(f"{NINE.isoformat()}|albany")
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(
                reverse("consultations:request-details", args=["ana"]), data | overrides, follow=True
            )

    def test_the_form_asks_how_the_patient_pays_and_takes_files(self) -> None:
        response = self.client.get(
            reverse("consultations:request-details", args=["ana"]), {"slot": f"{NINE.isoformat()}|albany"}
        )

        self.assertContains(response, "How will you pay?")
        self.assertContains(response, 'enctype="multipart/form-data"')
        self.assertContains(response, 'name="card_front"')
        self.assertContains(response, 'name="referral_npi"')

    def test_insurance_referral_and_documents_are_kept_with_the_request(self) -> None:
        front = SimpleUploadedFile("Robin card front.jpg", image_bytes("JPEG"), content_type="image/jpeg")
        letter = SimpleUploadedFile("letter.pdf", pdf_bytes(), content_type="application/pdf")

        response = self.send(
            **INSURANCE,
            subscriber_relationship="spouse",
            subscriber_name="Sam Fictional",
            subscriber_date_of_birth="1966-01-31",
            card_front=front,
            referral_name="Dr. Pat Example",
            referral_practice="Example Family Practice",
            referral_phone="(518) 555-0100",
            referral_npi=VALID_NPI,
            referral_letter=letter,
        )

        self.assertContains(response, "Request sent")
        consultation = Consultation.objects.get()
        coverage = consultation.coverage
        assert (coverage.kind, coverage.payer, coverage.plan, coverage.member_id, coverage.group_number) == (
            "insurance",
            "Fictional Health Mutual",
            "Silver PPO",
            "FHM-000-TEST-42",
            "GRP-77",
        )
        assert (coverage.subscriber_relationship, coverage.subscriber_name) == ("spouse", "Sam Fictional")
        assert coverage.subscriber_date_of_birth == date(1966, 1, 31)
        assert coverage.verification == Coverage.Verification.UNVERIFIED
        referral = consultation.referral
        assert (referral.clinician_name, referral.practice, referral.phone, referral.npi) == (
            "Dr. Pat Example",
            "Example Family Practice",
            "(518) 555-0100",
            VALID_NPI,
        )
        documents = {upload.kind: upload for upload in consultation.documents.all()}
        assert set(documents) == {Upload.Kind.INSURANCE_CARD_FRONT, Upload.Kind.REFERRAL_LETTER}
        assert documents[Upload.Kind.REFERRAL_LETTER].content_type == "application/pdf"

    def test_card_photos_are_stored_privately_under_names_of_their_own(self) -> None:
        front = SimpleUploadedFile("Robin Fictional card.png", image_bytes("PNG"), content_type="image/png")

        self.send(**INSURANCE, card_front=front)

        upload = Upload.objects.get()
        assert upload.consultation is not None and upload.intake is None
        assert self.stored_files() == [self.root / upload.file.name]
        assert "Robin" not in upload.file.name
        for public in (settings.MEDIA_ROOT, settings.STATIC_ROOT):
            assert not str(self.root).startswith(str(public))
        with self.assertRaises(ValueError):
            upload.file.url  # noqa: B018 - a private file has no public address

    def test_self_pay_keeps_no_insurance_details(self) -> None:
        self.send(payment="self_pay", payer="Typed before changing my mind", member_id="X1")

        coverage = Consultation.objects.get().coverage
        assert (coverage.kind, coverage.payer, coverage.member_id) == ("self_pay", "", "")
        assert not Referral.objects.exists()

    def test_insurance_without_its_member_id_is_refused_and_nothing_is_booked(self) -> None:
        response = self.send(payment="insurance", payer="Fictional Health Mutual")

        self.assertContains(response, "Enter the member ID printed on the card.", status_code=400)
        self.assertContains(response, 'value="Fictional Health Mutual"', status_code=400)
        assert not Consultation.objects.exists()

    def test_a_file_that_is_not_a_pdf_or_picture_is_refused_but_the_request_stands(self) -> None:
        program = SimpleUploadedFile("card.jpg", ELF, content_type="image/jpeg")

        response = self.send(**INSURANCE, card_front=program)

        self.assertContains(response, "Request sent")
        self.assertContains(response, "Your request is sent, but not every document was added.")
        self.assertContains(response, "Insurance card, front: We can only accept PDF, JPEG or PNG files")
        assert Consultation.objects.get().coverage.member_id == "FHM-000-TEST-42"
        assert not Upload.objects.exists() and self.stored_files() == []

    @override_settings(INTAKE_UPLOAD_MAX_BYTES=2048)
    def test_a_file_too_large_is_refused_but_the_request_stands(self) -> None:
        letter = SimpleUploadedFile("letter.pdf", pdf_of_size(4096), content_type="application/pdf")

        response = self.send(referral_name="Dr. Pat Example", referral_letter=letter)

        self.assertContains(response, "Request sent")
        self.assertContains(response, "Referral letter: This file is larger than 2 KB.")
        assert Consultation.objects.get().referral.clinician_name == "Dr. Pat Example"
        assert not Upload.objects.exists() and self.stored_files() == []

    def test_no_insurance_detail_goes_into_an_email(self) -> None:
        self.send(
            **INSURANCE,
            subscriber_relationship="spouse",
            subscriber_name="Sam Insured-Person",
            referral_name="Dr. Pat Referrer",
            referral_npi=VALID_NPI,
        )

        # The patient's receipt and the desk's notice.
        assert len(mail.outbox) == 2
        for message in mail.outbox:
            texts = [message.subject, message.body, *(content for content, _ in message.alternatives)]
            for secret in ("Fictional Health Mutual", "FHM-000-TEST-42", "GRP-77", "Silver PPO", "Sam Insured"):
                assert not any(secret in text for text in texts), (secret, message.subject)

    def test_the_same_form_sent_twice_keeps_one_request_and_one_card(self) -> None:
        key = str(uuid.uuid4())
        for _ in range(2):
            card = SimpleUploadedFile("card.png", image_bytes("PNG"), content_type="image/png")
            self.send(**INSURANCE, idempotency_key=key, card_front=card)
            # The second click's POST left the browser with the screen cookie before the first answer cleared it.
            screened(self.client)

        consultation = Consultation.objects.get()
        assert consultation.documents.count() == 1 and len(self.stored_files()) == 1
        assert Coverage.objects.get().consultation == consultation
