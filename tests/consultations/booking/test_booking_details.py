"""The booking details of a request (sex, language and interpreter, state, primary care clinician, emergency
contact) and the consent a video visit needs: saved with the request, checked with clear messages, kept on a form
that comes back with an error, shown to the surgeon and the desk, and never put in an e-mail."""

import re
from datetime import UTC, datetime, time, timedelta

import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import roles
from consultations.booking.details import VIDEO_CONSENT, VIDEO_CONSENT_READ_TO_CALLER
from consultations.models import BookingDetails, Consultation
from tests.factories import (
    make_booking_details,
    make_consultation,
    make_location,
    make_rule,
    make_surgeon_user,
    make_user,
    request_form,
    screened,
    sign_in,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # the next Monday, 09:00 EDT in Albany
TOMORROW_NINE = datetime(2026, 3, 3, 14, 0, tzinfo=UTC)
DETAILS = {
    "sex": "female",
    "gender_identity": "woman",
    "preferred_language": "Spanish",
    "interpreter_needed": "on",
    "state": "NY",
    "primary_care_name": "Dr. Robin Primary (fictional)",
    "primary_care_practice": "Example Family Practice",
    "primary_care_phone": "(518) 555-0101",
    "emergency_contact_name": "Sam Example",
    "emergency_contact_relationship": "brother",
    "emergency_contact_phone": "(518) 555-0102",
}


@time_machine.travel(NOW, tick=False)
class RequestDetailsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon_user, cls.surgeon = make_surgeon_user(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(10))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def send(self, **overrides: str):
        screened(self.client)
        data = request_form(f"{NINE.isoformat()}|albany") | overrides
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("consultations:request-details", args=["ana"]), data)

    def test_every_detail_is_saved_with_the_request(self) -> None:
        response = self.send(**DETAILS)

        assert response.status_code == 302, response.content.decode()
        details = BookingDetails.objects.get()
        assert details.consultation == Consultation.objects.get()
        assert (details.sex, details.gender_identity, details.state) == ("female", "woman", "NY")
        assert (details.preferred_language, details.interpreter_needed) == ("Spanish", True)
        assert (details.primary_care_name, details.primary_care_practice, details.primary_care_phone) == (
            "Dr. Robin Primary (fictional)",
            "Example Family Practice",
            "(518) 555-0101",
        )
        assert (
            details.emergency_contact_name,
            details.emergency_contact_relationship,
            details.emergency_contact_phone,
        ) == ("Sam Example", "brother", "(518) 555-0102")
        assert (details.video_consent, details.video_consent_at) == ("", None)
        # A new patient's row starts with the language given.
        assert Consultation.objects.get().patient.preferred_language == "Spanish"

    def test_everything_but_the_language_may_be_left_empty(self) -> None:
        response = self.send()

        assert response.status_code == 302
        details = BookingDetails.objects.get()
        assert (details.sex, details.state, details.emergency_contact_name, details.preferred_language) == (
            "",
            "",
            "",
            "English",
        )

    def test_bad_details_get_clear_messages_and_every_answer_comes_back(self) -> None:
        bad = DETAILS | {
            "emergency_contact_phone": "call me",
            "primary_care_phone": "12",
            "preferred_language": " ",
            "state": "ZZ",
        }

        response = self.send(**bad)

        assert response.status_code == 400
        self.assertContains(response, "Enter a phone number we can call", status_code=400, count=2)
        self.assertContains(response, "Tell us the language you would like to use", status_code=400)
        self.assertContains(response, "Select a valid choice", status_code=400)
        html = response.content.decode()
        for name in ("gender_identity", "primary_care_name", "primary_care_practice", "emergency_contact_name"):
            assert f'value="{bad[name]}"' in html, name
        assert 'value="call me"' in html and 'value="12"' in html
        assert re.search(r'value="female"[^>]*checked', html)
        assert re.search(r'name="interpreter_needed"[^>]*checked', html)
        assert not Consultation.objects.exists()

    def test_an_emergency_contact_needs_both_a_name_and_a_phone(self) -> None:
        response = self.send(emergency_contact_name="Sam Example")
        self.assertContains(response, "Enter a phone number for Sam Example, or leave both empty.", status_code=400)

        response = self.send(emergency_contact_phone="(518) 555-0102")
        self.assertContains(response, "Enter the name of the person to call at this number.", status_code=400)
        assert not Consultation.objects.exists()

    def test_a_video_visit_needs_the_consent_and_the_state(self) -> None:
        response = self.send(visit_type="video")

        self.assertContains(response, "To have a video visit, tick the box to agree to it", status_code=400)
        self.assertContains(response, "For a video visit, choose the state where you live.", status_code=400)
        assert not Consultation.objects.exists()

    def test_a_video_visit_with_the_consent_records_its_words_and_time(self) -> None:
        response = self.send(visit_type="video", video_consent="on", state="VT")

        assert response.status_code == 302
        details = BookingDetails.objects.get()
        assert details.video_consent == VIDEO_CONSENT
        assert details.video_consent_at == NOW == Consultation.objects.get().created_at

    def test_an_in_person_visit_needs_no_consent_and_keeps_none_ticked_by_mistake(self) -> None:
        response = self.send(video_consent="on")

        assert response.status_code == 302
        assert BookingDetails.objects.get().video_consent_at is None

    def test_the_surgeon_and_the_desk_see_the_details_and_no_e_mail_holds_them(self) -> None:
        self.send(**DETAILS)
        consultation = Consultation.objects.get()

        sign_in(self.client, self.surgeon_user)
        summary = self.client.get(reverse("consultations:surgeon-summary", args=[consultation.public_id]))
        header = re.search(r'id="booking-details">(.*?)</p>', summary.content.decode(), re.S)
        assert header
        line = " ".join(header.group(1).split())
        for part in ("Female (gender identity: woman)", "Spanish, needs an interpreter", "New York"):
            assert part in line, part
        assert "Primary care: Dr. Robin Primary (fictional), Example Family Practice · (518) 555-0101" in line

        self.client.logout()
        sign_in(self.client, self.desk)
        page = " ".join(
            re.sub(
                r"<[^>]+>",
                " ",
                self.client.get(
                    reverse("consultations:desk-consultation", args=[consultation.public_id])
                ).content.decode(),
            ).split()
        )
        assert "Interpreter Needed (Spanish)" in page
        assert "State of residence New York" in page
        assert "Emergency contact Sam Example (brother) · (518) 555-0102" in page
        assert "woman" not in page  # the desk is not shown sex or gender identity

        assert mail.outbox
        for message in mail.outbox:
            for value in ("Spanish", "Sam Example", "Robin Primary", "555-0102", "New York", "interpreter"):
                assert value not in message.subject and value not in message.body, value


@time_machine.travel(NOW, tick=False)
class DeskDetailsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany Spine Clinic")
        _, cls.surgeon = make_surgeon_user(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=1, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def book(self, **overrides: str):
        sign_in(self.client, self.desk)
        data = {
            "recent_surgery": "no",
            "first_name": "Jordan",
            "last_name": "Caller",
            "date_of_birth": "1966-05-14",
            "phone": "(518) 555-0142",
            "surgeon": self.surgeon.pk,
            "slot": f"{TOMORROW_NINE.isoformat()}|albany",
            "visit_type": "in_person",
            "reason": "Leg pain again after my fusion",
            "channel": "phone",
            "preferred_language": "English",
        } | overrides
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(reverse("consultations:desk-book"), data)

    def test_the_desk_records_language_interpreter_and_emergency_contact(self) -> None:
        response = self.book(
            preferred_language="Vietnamese",
            interpreter_needed="on",
            emergency_contact_name="Lee Caller",
            emergency_contact_phone="(518) 555-0199",
        )

        assert response.status_code == 302, response.content.decode()
        details = BookingDetails.objects.get()
        assert (details.preferred_language, details.interpreter_needed) == ("Vietnamese", True)
        assert (details.emergency_contact_name, details.emergency_contact_phone) == ("Lee Caller", "(518) 555-0199")

    def test_a_video_visit_booked_by_the_desk_records_the_consent_read_to_the_caller(self) -> None:
        refused = self.book(visit_type="video", state="NY")
        self.assertContains(refused, "To have a video visit, tick the box", status_code=400)

        response = self.book(visit_type="video", state="NY", video_consent="on")

        assert response.status_code == 302
        details = BookingDetails.objects.get()
        assert details.video_consent == VIDEO_CONSENT_READ_TO_CALLER and details.video_consent_at == NOW


class SummaryCostTests(TestCase):
    def test_the_details_cost_the_summary_no_query_of_their_own(self) -> None:
        user, surgeon = make_surgeon_user()
        location = make_location()
        consultation = make_consultation(surgeon, location, NOW + timedelta(days=3))
        sign_in(self.client, user)
        url = reverse("consultations:surgeon-summary", args=[consultation.public_id])
        self.client.get(url)

        with CaptureQueriesContext(connection) as without:
            self.client.get(url)
        make_booking_details(consultation)

        with self.assertNumQueries(len(without)):
            response = self.client.get(url)
        self.assertContains(response, "Spanish, needs an interpreter")
