import re
import uuid
from datetime import UTC, date, datetime, time, timedelta

import pytest
import time_machine
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME  # noqa: F401 - keeps admin helpers importable
from django.core import mail
from django.db import IntegrityError
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from consultations import services
from consultations.models import Consultation, Patient, TimeOff
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_user, sign_in

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
MONDAY = date(2026, 3, 9)
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany


def details(**overrides) -> services.PatientDetails:
    values = {
        "first_name": "Robin",
        "last_name": "Fictional",
        "date_of_birth": date(1968, 4, 2),
        "email": "robin@example.com",
        "phone": "(518) 555-0123",
    }
    return services.PatientDetails(**values | overrides)


@time_machine.travel(NOW, tick=False)
class RequestConsultationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK)

    def request(self, start=NINE, **overrides):
        values = {
            "surgeon": self.surgeon,
            "location": self.albany,
            "start": start,
            "details": details(),
            "visit_type": Consultation.VisitType.IN_PERSON,
            "reason": "Leg pain came back after my fusion.",
            "idempotency_key": uuid.uuid4(),
        }
        with self.captureOnCommitCallbacks(execute=True):
            return services.request_consultation(**values | overrides)

    def test_a_request_takes_the_slot_and_emails_patient_and_desk(self) -> None:
        consultation = self.request()

        assert (consultation.start, consultation.end) == (NINE, NINE + timedelta(minutes=30))
        assert consultation.status == Consultation.Status.REQUESTED
        assert [m.to for m in mail.outbox] == [["robin@example.com"], [self.desk.email]]
        patient_mail = mail.outbox[0]
        assert patient_mail.subject == "We received your consultation request"
        assert "Monday March 9, 2026 at 9:00 AM EDT" in patient_mail.body
        assert reverse("consultations:my-consultation", args=["x"])[:-2] in patient_mail.body
        filename, _, mimetype = patient_mail.attachments[0]
        assert filename == "consultation.ics" and "method=REQUEST" in mimetype

    def test_no_health_information_in_any_subject_or_the_desk_email(self) -> None:
        self.request(reason="Numbness in my left foot since the second discectomy")

        for message in mail.outbox:
            assert "numb" not in message.subject.lower() and "discectomy" not in message.subject.lower()
        assert "discectomy" not in mail.outbox[1].body

    def test_a_taken_slot_is_refused_with_the_clean_error(self) -> None:
        self.request()

        with pytest.raises(services.SlotUnavailable):
            self.request(details=details(email="other@example.com"))
        assert Consultation.objects.count() == 1

    def test_a_time_the_surgeon_does_not_offer_is_refused(self) -> None:
        for start in (NINE + timedelta(minutes=10), NINE + timedelta(hours=5), NINE - timedelta(days=7)):
            with self.subTest(start=start), pytest.raises(services.SlotUnavailable):
                self.request(start=start)
        TimeOff.objects.create(surgeon=self.surgeon, start=NINE, end=NINE + timedelta(hours=1))
        with pytest.raises(services.SlotUnavailable):
            self.request()

    def test_the_same_submission_twice_makes_one_consultation(self) -> None:
        key = uuid.uuid4()

        first = self.request(idempotency_key=key)
        second = self.request(idempotency_key=key)

        assert first.pk == second.pk
        assert Consultation.objects.count() == 1
        assert len(mail.outbox) == 2

    def test_the_same_person_booking_again_is_the_same_patient(self) -> None:
        first = self.request()
        second = self.request(
            start=NINE + timedelta(minutes=30), details=details(email="ROBIN@example.com", phone="555-0100 x")
        )

        assert first.patient_id == second.patient_id
        assert Patient.objects.count() == 1
        third = self.request(start=NINE + timedelta(hours=1), details=details(date_of_birth=date(1990, 1, 1)))
        assert third.patient_id != first.patient_id

    def test_a_cancelled_consultation_frees_its_time(self) -> None:
        consultation = self.request()
        with self.captureOnCommitCallbacks(execute=True):
            services.cancel_consultation(consultation=consultation, reason="Feeling better")

        assert self.request(details=details(email="next@example.com")).start == NINE
        cancel_mail = mail.outbox[2]
        assert cancel_mail.subject == "Your consultation is cancelled"
        assert "method=CANCEL" in cancel_mail.attachments[0][2]


@time_machine.travel(NOW, tick=False)
class ExclusionConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location()
        cls.surgeon = make_surgeon(locations=[cls.albany])

    def test_the_database_refuses_overlapping_consultations_on_any_path(self) -> None:
        make_consultation(self.surgeon, self.albany, NINE)

        with pytest.raises(IntegrityError) as caught:
            make_consultation(self.surgeon, self.albany, NINE + timedelta(minutes=15))
        assert services.is_overlap(caught.value)

    def test_finished_or_cancelled_consultations_do_not_hold_time(self) -> None:
        for status in ("cancelled", "declined", "completed", "no_show"):
            make_consultation(self.surgeon, self.albany, NINE, status=status)
        assert make_consultation(self.surgeon, self.albany, NINE).pk

    def test_other_surgeons_are_unaffected(self) -> None:
        make_consultation(self.surgeon, self.albany, NINE)
        assert make_consultation(make_surgeon(), self.albany, NINE).pk

    def test_end_must_be_after_start(self) -> None:
        with pytest.raises(IntegrityError, match="consultation_ends_after_start"):
            make_consultation(self.surgeon, self.albany, NINE, end=NINE)

    def test_the_admin_shows_an_overlap_as_a_form_error(self) -> None:
        existing = make_consultation(self.surgeon, self.albany, NINE)
        admin = make_user(role=roles.ADMIN)
        sign_in(self.client, admin)

        response = self.client.post(
            reverse("admin:consultations_consultation_add"),
            {
                "surgeon": self.surgeon.pk,
                "location": self.albany.pk,
                "patient": existing.patient.pk,
                "start_0": "2026-03-09",
                "start_1": "13:15:00",
                "end_0": "2026-03-09",
                "end_1": "13:45:00",
                "status": "confirmed",
                "visit_type": "in_person",
                "reason": "Fictional",
            },
        )

        self.assertContains(response, "That time overlaps another consultation with this surgeon.")
        assert Consultation.objects.count() == 1


@time_machine.travel(NOW, tick=False)
class RequestPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(10))

    def form_data(self, **overrides) -> dict:
        values = {
            "slot": f"{NINE.isoformat()}|albany",
            "idempotency_key": str(uuid.uuid4()),
            "first_name": "Robin",
            "last_name": "Fictional",
            "date_of_birth": "1968-04-02",
            "email": "robin@example.com",
            "phone": "(518) 555-0123",
            "preferred_contact": "email",
            "visit_type": "in_person",
            "reason": "Leg pain came back after my fusion.",
        }
        return values | overrides

    def test_week_view_lists_free_times_in_local_time(self) -> None:
        response = self.client.get(reverse("consultations:pick-slot", args=["ana"]), {"week": "2026-03-09"})

        self.assertContains(response, "9:00 AM EDT")
        self.assertContains(response, "9:30 AM EDT")
        self.assertContains(response, "Monday, March 9")

    def test_first_available_jumps_to_the_first_week_with_a_free_time(self) -> None:
        # This week's Monday clinic is within the 24-hour notice, so the first free time is next week.
        response = self.client.get(reverse("consultations:pick-slot", args=["ana"]))
        self.assertContains(response, "Week of March 2, 2026")
        self.assertContains(response, "No free times this week")

        response = self.client.get(reverse("consultations:pick-slot", args=["ana"]), {"first": "1"})

        self.assertContains(response, "Week of March 9, 2026")
        self.assertContains(response, "9:00 AM EDT")

    def test_htmx_gets_only_the_week(self) -> None:
        response = self.client.get(
            reverse("consultations:pick-slot", args=["ana"]), {"week": "2026-03-09"}, HTTP_HX_REQUEST="true"
        )

        assert response.content.decode().lstrip().startswith('<div id="week"')

    def test_sending_the_form_shows_the_confirmation(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                reverse("consultations:request-details", args=["ana"]), self.form_data(), follow=True
            )

        consultation = Consultation.objects.get()
        self.assertContains(response, "Request sent")
        self.assertContains(response, consultation.reference)
        self.assertContains(response, "Monday, March 9, 2026 at 9:00 AM EDT")
        self.assertContains(response, "What happens next")
        assert "Leg pain" not in response.redirect_chain[0][0]

    def test_a_double_submission_makes_one_request(self) -> None:
        data = self.form_data()
        url = reverse("consultations:request-details", args=["ana"])
        with self.captureOnCommitCallbacks(execute=True):
            first = self.client.post(url, data)
            second = self.client.post(url, data)

        assert first["Location"] == second["Location"]
        assert Consultation.objects.count() == 1

    def test_bad_details_get_clear_messages_and_keep_what_was_typed(self) -> None:
        response = self.client.post(
            reverse("consultations:request-details", args=["ana"]),
            self.form_data(date_of_birth="2030-01-01", email="not-an-email", phone="12"),
        )

        self.assertContains(response, "Your date of birth must be in the past.")
        self.assertContains(response, "Enter a valid email address.")
        self.assertContains(response, "Enter a phone number we can call")
        self.assertContains(response, 'value="Robin"')
        assert not Consultation.objects.exists()

    def test_a_slot_taken_meanwhile_offers_other_times_and_keeps_the_details(self) -> None:
        make_consultation(self.surgeon, self.albany, NINE)

        response = self.client.post(reverse("consultations:request-details", args=["ana"]), self.form_data())

        self.assertContains(response, "That time was just taken, please choose another.")
        self.assertContains(response, "9:30 AM EDT")
        self.assertContains(response, 'value="Leg pain came back after my fusion."')

    def test_a_mangled_slot_is_a_message_not_an_error(self) -> None:
        response = self.client.post(
            reverse("consultations:request-details", args=["ana"]), self.form_data(slot="yesterday|nowhere")
        )

        self.assertContains(response, "Please choose a time from the list.")

    def test_choosing_from_the_earliest_times_across_surgeons(self) -> None:
        response = self.client.get(reverse("consultations:request"), {"location": "albany"})

        self.assertContains(response, "Monday, March 9, 2026, 9:00 AM EDT")
        self.assertContains(response, "Dr. Test Lopez, MD")
        assert re.search(r'href="/request/ana/details/\?slot=[^"]+albany"', response.content.decode())
