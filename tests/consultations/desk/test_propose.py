"""Proposing another time: the desk sees the move from where to where before it is made, confirms it, and is
bound by the other consultations' times but not by the patient's minimum notice or booking horizon."""

import re
from datetime import UTC, datetime, time, timedelta

import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from consultations.booking.availability import SlotUnavailable
from consultations.desk.services import propose_another_time
from consultations.links import patient_token
from consultations.models import Consultation, ConsultationEvent, SentMessage
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_user, sign_in

Status = Consultation.Status
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
ELEVEN_TODAY = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 11:00 EST, within the patient's 24 hours' notice
NEXT_MONDAY = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT
ELEVEN_NEXT_MONDAY = NEXT_MONDAY + timedelta(hours=2)


def text_of(response) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def token(start: datetime, location: str = "albany") -> str:
    return f"{start.isoformat()}|{location}"


@time_machine.travel(NOW, tick=False)
class ProposeConfirmationTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany Spine Clinic")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def setUp(self) -> None:
        sign_in(self.client, self.desk)
        self.consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        self.url = reverse("consultations:desk-propose", args=[self.consultation.public_id])

    def post(self, **data):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(self.url, {"surgeon": "ana", **data})

    def assert_unchanged(self) -> None:
        consultation = Consultation.objects.get(pk=self.consultation.pk)
        assert (consultation.surgeon, consultation.start, consultation.status, consultation.sequence) == (
            self.surgeon,
            NEXT_MONDAY,
            Status.REQUESTED,
            0,
        )
        assert not ConsultationEvent.objects.exists()
        assert not SentMessage.objects.exists()
        assert not mail.outbox

    def test_choosing_a_time_shows_from_where_to_where_and_changes_nothing(self) -> None:
        response = self.post(slot=token(ELEVEN_NEXT_MONDAY), note="Surgeon in theatre")

        assert response.status_code == 200
        self.assertContains(response, "<h1>Propose this time?</h1>", html=True)
        assert (
            "From Monday, March 9, 2026 at 9:00 AM EDT Dr. Test Lopez, MD, Albany Spine Clinic "
            "To Monday, March 9, 2026 at 11:00 AM EDT Dr. Test Lopez, MD, Albany Spine Clinic"
        ) in text_of(response)
        self.assertContains(
            response, f'<input type="hidden" name="slot" value="{token(ELEVEN_NEXT_MONDAY)}">', html=True
        )
        self.assertContains(response, "Surgeon in theatre</textarea>")
        self.assertContains(response, "Confirm the move")
        self.assertContains(response, f'href="{self.url}?surgeon=ana&amp;from=2026-03-09"')
        self.assert_unchanged()

    def test_confirming_moves_the_consultation_and_asks_the_patient(self) -> None:
        response = self.post(slot=token(ELEVEN_NEXT_MONDAY), note="Surgeon in theatre", confirm="1")

        self.assertRedirects(
            response,
            reverse("consultations:desk-consultation", args=[self.consultation.public_id]),
            fetch_redirect_response=False,
        )
        self.consultation.refresh_from_db()
        assert (self.consultation.start, self.consultation.sequence) == (ELEVEN_NEXT_MONDAY, 1)
        event = ConsultationEvent.objects.get()
        assert (event.action, event.by) == ("propose", self.desk)
        assert event.note.endswith("Surgeon in theatre")
        assert [m.subject for m in mail.outbox] == ["We suggest another time for your consultation"]

    def test_a_move_to_another_surgeon_and_place_names_both(self) -> None:
        chicago = make_location(slug="chicago", name="Chicago Spine Clinic", timezone="America/Chicago")
        other = make_surgeon(slug="ben", locations=[chicago], last_name="Okafor")
        make_rule(other, chicago, weekday=2, start_time=time(14), end_time=time(15))
        wednesday_two_central = datetime(2026, 3, 4, 20, 0, tzinfo=UTC)

        response = self.post(surgeon="ben", slot=token(wednesday_two_central, "chicago"))

        assert (
            "From Monday, March 9, 2026 at 9:00 AM EDT Dr. Test Lopez, MD, Albany Spine Clinic "
            "To Wednesday, March 4, 2026 at 2:00 PM CST Dr. Test Okafor, MD, Chicago Spine Clinic"
        ) in text_of(response)
        self.assertContains(response, '<input type="hidden" name="surgeon" value="ben">', html=True)
        self.assert_unchanged()

    def test_a_time_taken_between_showing_and_confirming_the_move_changes_nothing_and_says_so(self) -> None:
        self.assertContains(self.post(slot=token(ELEVEN_NEXT_MONDAY)), "Confirm the move")
        make_consultation(self.surgeon, self.albany, ELEVEN_NEXT_MONDAY)

        response = self.post(slot=token(ELEVEN_NEXT_MONDAY), confirm="1")

        self.assertContains(response, "That time was just taken; choose another.", status_code=409)
        self.assertContains(response, "<h1>Propose another time</h1>", status_code=409, html=True)
        self.assert_unchanged()

    def test_a_consultation_that_cannot_be_moved_shows_no_confirmation(self) -> None:
        self.consultation.status = Status.CANCELLED
        self.consultation.save()

        response = self.post(slot=token(ELEVEN_NEXT_MONDAY))

        self.assertContains(response, "A cancelled consultation cannot be moved to another time.", status_code=409)
        self.assertNotContains(response, "Confirm the move", status_code=409)
        assert Consultation.objects.get(pk=self.consultation.pk).start == NEXT_MONDAY
        assert not ConsultationEvent.objects.exists()

    def test_the_propose_page_offers_times_within_the_patients_minimum_notice_and_can_move_there(self) -> None:
        patients_page = self.client.get(
            reverse("consultations:reschedule", args=[patient_token(self.consultation)]), {"week": "2026-03-02"}
        )
        assert token(ELEVEN_TODAY) not in patients_page.content.decode()

        response = self.client.get(self.url)

        slots = re.findall(r'name="slot"\s+value="([^"]+)"', response.content.decode())
        # Today from now on (a walk-in can be seen at once), then next Monday without the consultation's own time.
        today = [NOW + timedelta(minutes=30 * n) for n in range(4)]
        assert slots[:5] == [*map(token, today), token(NEXT_MONDAY + timedelta(minutes=30))]
        assert "To Monday, March 2, 2026 at 11:00 AM EST" in text_of(self.post(slot=token(ELEVEN_TODAY)))

        self.post(slot=token(ELEVEN_TODAY), confirm="1")

        self.consultation.refresh_from_db()
        assert (self.consultation.start, self.consultation.status) == (ELEVEN_TODAY, Status.REQUESTED)
        assert [m.subject for m in mail.outbox] == ["We suggest another time for your consultation"]

    def test_the_desk_can_propose_beyond_the_patients_booking_horizon(self) -> None:
        far = datetime(2026, 7, 6, 13, 0, tzinfo=UTC)  # a Monday, 09:00 EDT, 126 days ahead

        response = self.client.get(self.url, {"from": "2026-07-06"})

        self.assertContains(response, token(far))
        self.post(slot=token(far), confirm="1")
        self.consultation.refresh_from_db()
        assert self.consultation.start == far


@time_machine.travel(NOW, tick=False)
class ProposeAnotherTimeTests(TestCase):
    """The service itself, under the desk's policy."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK)

    def test_a_time_within_the_patients_minimum_notice_is_allowed(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)

        propose_another_time(
            consultation=consultation, surgeon=self.surgeon, start=ELEVEN_TODAY, location=self.albany, by=self.desk
        )

        consultation.refresh_from_db()
        assert consultation.start == ELEVEN_TODAY

    def test_a_time_already_past_or_outside_the_clinic_is_refused(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)

        for start in (NOW - timedelta(minutes=30), NEXT_MONDAY + timedelta(hours=5)):
            with self.subTest(start=start), self.assertRaises(SlotUnavailable):
                propose_another_time(
                    consultation=consultation, surgeon=self.surgeon, start=start, location=self.albany, by=self.desk
                )

        consultation.refresh_from_db()
        assert (consultation.start, consultation.sequence) == (NEXT_MONDAY, 0)
