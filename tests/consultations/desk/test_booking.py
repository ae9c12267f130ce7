"""The desk books for a caller, a walk-in or a referral: inside the patient's notice, at a typed time, never over
another consultation, and never for an emergency."""

from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse
from icalendar import Calendar

from clinic import roles
from consultations.booking import red_flags
from consultations.desk.booking import READ_TO_CALLER
from consultations.models import Consultation, ConsultationEvent, Patient, RedFlagScreen
from tests.factories import make_consultation, make_location, make_patient, make_rule, make_surgeon, make_user, sign_in

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
TOMORROW_NINE = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)  # Tuesday 09:00 EST: 23 hours ahead
BOOK = reverse("consultations:desk-book")


@time_machine.travel(NOW, tick=False)
class DeskBookingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany Spine Clinic")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=1, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def answers(self, **overrides) -> dict:
        return {
            "recent_surgery": "no",
            "preferred_language": "English",
            "first_name": "Jordan",
            "last_name": "Caller",
            "date_of_birth": "1966-05-14",
            "phone": "(518) 555-0142",
            "email": "jordan.caller@example.com",
            "surgeon": self.surgeon.pk,
            "slot": f"{TOMORROW_NINE.isoformat()}|albany",
            "visit_type": "in_person",
            "reason": "Leg pain again after my fusion",
            "channel": "phone",
            "note": "Called on Monday morning",
            **overrides,
        }

    def book(self, **overrides):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(BOOK, self.answers(**overrides))

    def test_the_page_offers_tomorrow_morning_inside_the_patients_notice(self) -> None:
        response = self.client.get(BOOK, {"surgeon": "ana"})

        self.assertContains(response, f'value="{TOMORROW_NINE.isoformat()}|albany"')
        self.assertContains(response, "First ask")

    def test_a_caller_is_booked_for_tomorrow_morning_and_confirmed_at_once(self) -> None:
        response = self.book()

        consultation = Consultation.objects.get()
        self.assertRedirects(
            response,
            reverse("consultations:desk-consultation", args=[consultation.public_id]),
            fetch_redirect_response=False,
        )
        assert (consultation.start, consultation.end) == (TOMORROW_NINE, TOMORROW_NINE + timedelta(minutes=30))
        assert (consultation.status, consultation.channel) == ("confirmed", "phone")
        assert (consultation.booked_by, consultation.status_changed_by) == (self.desk, self.desk)
        assert consultation.desk_note == "Called on Monday morning"
        event = ConsultationEvent.objects.get(consultation=consultation)
        assert (event.action, event.by, event.to_status) == ("book", self.desk, "confirmed")
        screen = RedFlagScreen.objects.get(consultation=consultation)
        assert (screen.items, screen.urgency, screen.recent_surgery) == ([], 0, False)
        (message,) = mail.outbox
        assert message.to == ["jordan.caller@example.com"]
        assert message.subject == "Your consultation is booked"
        assert "please fill in your health history" in message.body
        assert consultation.reference in message.body
        ics = Calendar.from_ical(message.attachments[0][1])
        assert next(iter(ics.walk("VEVENT")))["STATUS"] == "CONFIRMED"
        page = self.client.get(response.url)
        self.assertContains(page, f"Reference {consultation.reference}")

    def test_a_walk_in_is_booked_at_a_typed_time_outside_the_clinics(self) -> None:
        self.book(
            slot="typed",
            channel="walk_in",
            typed_location=self.albany.pk,
            typed_day="2026-03-02",
            typed_time="14:15",
            typed_minutes="45",
        )

        consultation = Consultation.objects.get()
        start = datetime(2026, 3, 2, 19, 15, tzinfo=UTC)  # 14:15 EST
        assert (consultation.start, consultation.end) == (start, start + timedelta(minutes=45))
        assert (consultation.status, consultation.channel) == ("confirmed", "walk_in")

    def test_a_typed_time_over_another_consultation_is_refused_and_nothing_is_stored(self) -> None:
        make_consultation(self.surgeon, self.albany, TOMORROW_NINE)

        response = self.book(
            slot="typed", typed_location=self.albany.pk, typed_day="2026-03-03", typed_time="09:15", typed_minutes="30"
        )

        self.assertContains(response, "overlaps another consultation with this surgeon", status_code=409)
        assert Consultation.objects.count() == 1
        assert not Patient.objects.filter(last_name="Caller").exists()
        assert not mail.outbox

    def test_a_time_that_does_not_exist_on_the_spring_forward_day_is_refused(self) -> None:
        response = self.book(
            slot="typed", typed_location=self.albany.pk, typed_day="2026-03-08", typed_time="02:30", typed_minutes="30"
        )

        self.assertContains(response, "That time does not exist that day", status_code=400)
        assert not Consultation.objects.exists()

    def test_an_emergency_answer_tells_the_desk_what_to_say_and_books_nothing(self) -> None:
        # Even with the rest of the form left empty: the emergency is read first.
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(BOOK, {"surgeon": self.surgeon.pk, "flags_nerves": ["bladder"]})

        self.assertContains(response, "Do not book. Tell the caller now", status_code=400)
        self.assertContains(response, red_flags.EMERGENCY_ACTION, status_code=400)
        assert not Consultation.objects.exists()
        assert not Patient.objects.exists()
        assert not mail.outbox

        response = self.book(flags_nerves=["bladder"], read_to_caller="on")

        self.assertContains(response, "Do not book", status_code=400)
        assert not Consultation.objects.exists()

    def test_same_day_advice_is_read_to_the_caller_before_booking(self) -> None:
        response = self.book(flags_other=["night_pain"])

        self.assertContains(response, "Read the advice to the caller", status_code=400)
        assert not Consultation.objects.exists()

        self.book(flags_other=["night_pain"], read_to_caller="on")

        consultation = Consultation.objects.get()
        assert consultation.safety_flag == "review"
        screen = consultation.red_flag_screen
        assert (screen.items, screen.urgency, screen.acknowledgement) == (["night_pain"], 1, READ_TO_CALLER)

    def test_a_caller_without_e_mail_gets_the_reference_read_out_and_is_found_again_next_time(self) -> None:
        response = self.book(email="")

        assert not mail.outbox
        consultation = Consultation.objects.get()
        page = self.client.get(response.url)
        self.assertContains(page, "The patient gets no e-mail: read the reference out.")

        self.book(email="", slot=f"{(TOMORROW_NINE + timedelta(minutes=30)).isoformat()}|albany", last_name="CALLER")

        assert Patient.objects.count() == 1
        assert Consultation.objects.exclude(pk=consultation.pk).get().patient == consultation.patient

    def test_a_patient_who_booked_online_before_is_the_same_patient(self) -> None:
        known = make_patient(email="Jordan.Caller@Example.com", date_of_birth=date(1966, 5, 14))

        self.book()

        assert Consultation.objects.get().patient == known

    def test_bad_answers_are_explained_and_nothing_is_stored(self) -> None:
        response = self.book(phone="call me", date_of_birth="2030-01-01", slot="")

        self.assertContains(response, "Enter a phone number we can call", status_code=400)
        self.assertContains(response, "must be in the past", status_code=400)
        self.assertContains(response, "Choose one of the free times", status_code=400)
        assert not Consultation.objects.exists()

    def test_only_the_desk_and_admins_book(self) -> None:
        self.client.logout()
        sign_in(self.client, make_user(role=roles.SURGEON))

        assert self.client.get(BOOK).status_code == 403
        assert self.client.post(BOOK, self.answers()).status_code == 403
        assert not Consultation.objects.exists()
