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
from consultations.booking import services as booking_services
from consultations.booking.availability import SlotUnavailable, is_overlap
from consultations.booking.services import FormAlreadyUsed, PatientDetails, request_consultation
from consultations.models import Consultation, Patient, TimeOff
from tests.factories import (
    make_consultation,
    make_location,
    make_rule,
    make_surgeon,
    make_user,
    request_form,
    screened,
    sign_in,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
MONDAY = date(2026, 3, 9)
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany


def details(**overrides) -> PatientDetails:
    values = {
        "first_name": "Robin",
        "last_name": "Fictional",
        "date_of_birth": date(1968, 4, 2),
        "email": "robin@example.com",
        "phone": "(518) 555-0123",
    }
    return PatientDetails(**values | overrides)


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
            return request_consultation(**values | overrides)

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

        with pytest.raises(SlotUnavailable):
            self.request(details=details(email="other@example.com"))
        assert Consultation.objects.count() == 1

    def test_a_time_the_surgeon_does_not_offer_is_refused(self) -> None:
        for start in (NINE + timedelta(minutes=10), NINE + timedelta(hours=5), NINE - timedelta(days=7)):
            with self.subTest(start=start), pytest.raises(SlotUnavailable):
                self.request(start=start)
        TimeOff.objects.create(surgeon=self.surgeon, start=NINE, end=NINE + timedelta(hours=1))
        with pytest.raises(SlotUnavailable):
            self.request()

    def test_an_email_that_lowercases_differently_in_python_still_finds_the_patient(self) -> None:
        email = "x@\u1e9etra\u0130e.example"  # capital sharp s and dotted capital I
        first = self.request(details=details(email=email))
        second = self.request(start=NINE + timedelta(minutes=30), details=details(email=email))

        assert first.patient_id == second.patient_id

    def test_a_used_form_sent_again_by_someone_else_is_refused(self) -> None:
        key = uuid.uuid4()
        self.request(idempotency_key=key)

        with pytest.raises(FormAlreadyUsed):
            self.request(idempotency_key=key, details=details(email="next.person@example.com"))
        with pytest.raises(FormAlreadyUsed):
            self.request(idempotency_key=key, start=NINE + timedelta(minutes=30))
        assert Consultation.objects.count() == 1

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
            start=NINE + timedelta(minutes=30),
            details=details(email="ROBIN@example.com", first_name="Someone", phone="(518) 555-0999"),
        )

        assert first.patient_id == second.patient_id
        assert Patient.objects.count() == 1
        # A form anyone can fill in never rewrites the stored patient; what was typed stays with the request.
        patient = Patient.objects.get()
        assert (patient.first_name, patient.phone) == ("Robin", "(518) 555-0123")
        assert (second.contact_name, second.contact_phone) == ("Someone Fictional", "(518) 555-0999")
        third = self.request(start=NINE + timedelta(hours=1), details=details(date_of_birth=date(1990, 1, 1)))
        assert third.patient_id != first.patient_id

    def test_a_cancelled_consultation_frees_its_time(self) -> None:
        consultation = self.request()
        with self.captureOnCommitCallbacks(execute=True):
            booking_services.cancel_consultation(consultation=consultation, reason="Feeling better")

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
        assert is_overlap(caught.value)

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
                # Practice time (New York): 09:15 EDT overlaps the 09:00 consultation.
                "start_0": "2026-03-09",
                "start_1": "09:15:00",
                "end_0": "2026-03-09",
                "end_1": "09:45:00",
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

    def setUp(self) -> None:
        screened(self.client)

    def form_data(self, **overrides) -> dict:
        values = request_form(f"{NINE.isoformat()}|albany")
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
            # The second click's POST left the browser with the screen cookie before the first answer cleared it.
            screened(self.client)
            second = self.client.post(url, data)

        assert first["Location"] == second["Location"]
        assert Consultation.objects.count() == 1

    def test_bad_details_get_clear_messages_and_keep_what_was_typed(self) -> None:
        response = self.client.post(
            reverse("consultations:request-details", args=["ana"]),
            self.form_data(date_of_birth="2030-01-01", email="not-an-email", phone="12"),
        )

        self.assertContains(response, "Your date of birth must be in the past.", status_code=400)
        self.assertContains(response, "Enter a valid email address.", status_code=400)
        self.assertContains(response, "Enter a phone number we can call", status_code=400)
        self.assertContains(response, 'value="Robin"', status_code=400)
        assert not Consultation.objects.exists()

    def test_a_slot_taken_meanwhile_offers_other_times_and_keeps_the_details(self) -> None:
        make_consultation(self.surgeon, self.albany, NINE)

        response = self.client.post(reverse("consultations:request-details", args=["ana"]), self.form_data())

        self.assertContains(response, "That time was just taken, please choose another.", status_code=409)
        self.assertContains(response, "9:30 AM EDT", status_code=409)
        self.assertContains(response, 'value="Leg pain came back after my fusion."', status_code=409)

    def test_a_mangled_slot_is_a_message_not_an_error(self) -> None:
        response = self.client.post(
            reverse("consultations:request-details", args=["ana"]), self.form_data(slot="yesterday|nowhere")
        )

        self.assertContains(response, "Please choose a time from the list.", status_code=400)

    def test_times_at_the_ends_of_the_calendar_are_messages_not_errors(self) -> None:
        details_url = reverse("consultations:request-details", args=["ana"])
        far = "9999-12-31T23:00:00-05:00|albany"

        assert (
            self.client.get(reverse("consultations:pick-slot", args=["ana"]), {"week": "9999-12-31"}).status_code == 200
        )
        assert self.client.get(details_url, {"slot": far}).status_code == 200
        for slot in (far, "0001-01-01T00:00:00+05:00|albany", f"{NINE.isoformat()}|no-such-place"):
            with self.subTest(slot=slot):
                response = self.client.post(details_url, self.form_data(slot=slot))
                self.assertContains(response, "Please choose a time from the list.", status_code=400)
                self.assertContains(response, 'value="Robin"', status_code=400)

    def test_someone_using_anothers_email_and_birth_date_sees_only_their_own_words(self) -> None:
        url = reverse("consultations:request-details", args=["ana"])
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, self.form_data(first_name="Victoria", last_name="Realname"))
            screened(self.client)
            response = self.client.post(
                url,
                self.form_data(slot=f"{(NINE + timedelta(minutes=30)).isoformat()}|albany", first_name="Mallory"),
                follow=True,
            )

        self.assertContains(response, "Thank you, Mallory Fictional.")
        self.assertNotContains(response, "Victoria")
        link = response.redirect_chain[0][0].replace("/sent/", "/")
        self.assertNotContains(self.client.get(link), "Realname")

    def test_a_nul_byte_in_the_chosen_time_is_a_message(self) -> None:
        url = reverse("consultations:request-details", args=["ana"])
        slot = f"{NINE.isoformat()}|\x00"

        assert self.client.get(url, {"slot": slot}).status_code == 200
        self.assertContains(self.client.post(url, self.form_data(slot=slot)), "alert-danger", status_code=400)

    def test_a_form_sent_again_by_someone_else_starts_over(self) -> None:
        url = reverse("consultations:request-details", args=["ana"])
        data = self.form_data()
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, data)

        # The next person at this computer passes the screen, then goes back to the sent form.
        screened(self.client)
        response = self.client.post(url, data | {"email": "next.person@example.com"}, follow=True)

        self.assertContains(response, "This form was already sent.")
        self.assertNotContains(response, "Leg pain came back")
        assert Consultation.objects.count() == 1

    def test_week_view_keeps_every_zones_slots_on_their_local_day(self) -> None:
        phoenix = make_location(slug="phoenix", timezone="America/Phoenix")
        # Monday 21:30 MST is Tuesday 04:30 UTC, which sorts before Tuesday's 09:00 in Albany.
        make_rule(self.surgeon, phoenix, weekday=0, start_time=time(21, 30), end_time=time(22))
        make_rule(self.surgeon, self.albany, weekday=1, start_time=time(9), end_time=time(9, 30))

        response = self.client.get(reverse("consultations:pick-slot", args=["ana"]), {"week": "2026-03-09"})

        html = response.content.decode()
        tuesday = html.split('aria-label="Tuesday, March 10"')[1].split("</section>")[0]
        monday = html.split('aria-label="Monday, March 9"')[1].split("</section>")[0]
        assert "9:00 AM EDT" in tuesday
        assert "9:30 PM MST" in monday

    def test_choosing_from_the_earliest_times_across_surgeons(self) -> None:
        response = self.client.get(reverse("consultations:request"), {"location": "albany"})

        self.assertContains(response, "Monday, March 9, 2026, 9:00 AM EDT")
        self.assertContains(response, "Dr. Test Lopez, MD")
        assert re.search(r'href="/request/ana/details/\?slot=[^"]+albany"', response.content.decode())


@time_machine.travel(NOW, tick=False)
@time_machine.travel(NOW, tick=False)
class ChoosingPagesTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=2, start_time=time(9), end_time=time(10))  # Wednesdays

    def setUp(self) -> None:
        screened(self.client)

    def test_the_week_starts_at_its_first_free_day_and_never_shows_past_days(self) -> None:
        response = self.client.get(reverse("consultations:pick-slot", args=["ana"]), {"week": "2026-03-09"})

        self.assertContains(response, "Wednesday, March 11")
        self.assertNotContains(response, "Monday, March 9")
        self.assertNotContains(response, "Tuesday, March 10")
        self.assertContains(response, "Thursday, March 12")

    def test_the_list_of_surgeons_names_each_ones_next_free_day(self) -> None:
        make_surgeon(slug="busy", locations=[self.albany], last_name="Busy")

        response = self.client.get(reverse("consultations:request"))

        html = response.content.decode()
        assert re.search(r"Lopez.*?Next free:.*?Wednesday, March 4, 2026", html, re.S)
        assert re.search(r"Busy.*?No free time online", html, re.S)

    def test_the_emails_write_the_address_on_one_line(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            request_consultation(
                surgeon=self.surgeon,
                location=self.albany,
                start=datetime(2026, 3, 4, 14, 0, tzinfo=UTC),
                details=PatientDetails(
                    first_name="Robin",
                    last_name="Fictional",
                    date_of_birth=date(1968, 4, 2),
                    email="robin@example.com",
                    phone="(518) 555-0123",
                ),
                visit_type="in_person",
                reason="Leg pain",
                idempotency_key=uuid.uuid4(),
            )

        patient_mail = next(message for message in mail.outbox if message.to == ["robin@example.com"])
        assert f"{self.albany.name}, 1 Test Street, Albany, NY 12207" in patient_mail.body


class AdminTimeZoneTests(TestCase):
    def test_time_off_typed_in_the_admin_is_practice_time_not_utc(self) -> None:
        surgeon = make_surgeon(locations=[make_location()])
        sign_in(self.client, make_user(role=roles.ADMIN))

        form = self.client.get(reverse("admin:consultations_timeoff_add"))
        self.assertContains(form, "Time in America/New_York.")
        self.client.post(
            reverse("admin:consultations_timeoff_add"),
            {
                "surgeon": surgeon.pk,
                "start_0": "2026-03-09",
                "start_1": "09:00:00",
                "end_0": "2026-03-09",
                "end_1": "12:00:00",
                "reason": "Fictional",
            },
        )

        off = TimeOff.objects.get()
        assert (off.start, off.end) == (NINE, NINE + timedelta(hours=3))
