import re
from datetime import UTC, datetime, time, timedelta
from urllib.parse import quote

import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from consultations.links import patient_token
from consultations.models import Consultation, ConsultationEvent, SentMessage
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_user

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Monday 09:00 EDT


@time_machine.travel(NOW, tick=False)
class PatientLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        make_user(role=roles.FRONT_DESK)

    def setUp(self) -> None:
        self.consultation = make_consultation(self.surgeon, self.albany, NINE, reason="My own words about my pain.")
        self.token = patient_token(self.consultation)

    def url(self, name: str = "my-consultation", token: str | None = None) -> str:
        return reverse(f"consultations:{name}", args=[token or self.token])

    def test_the_link_shows_the_request_and_only_what_the_patient_entered(self) -> None:
        other = make_consultation(
            self.surgeon, self.albany, NINE + timedelta(hours=1), patient=self.consultation.patient
        )
        other.reason = "Another visit about numbness"
        other.save()

        response = self.client.get(self.url())

        self.assertContains(response, "My own words about my pain.")
        self.assertContains(response, "Monday, March 9, 2026 at 9:00 AM EDT")
        self.assertContains(response, "Requested")
        self.assertNotContains(response, "Another visit about numbness")
        assert "no-store" in response["Cache-Control"]

    def test_a_tampered_or_unknown_link_gets_a_friendly_page(self) -> None:
        for token in (self.token[:-2] + "xx", "nonsense", "a:b:c"):
            with self.subTest(token=token):
                response = self.client.get(self.url(token=token))
                self.assertContains(response, "We could not open that link", status_code=404)

    def test_a_finished_consultation_link_shows_it_but_changes_nothing(self) -> None:
        with time_machine.travel(NINE + timedelta(hours=1), tick=False):
            self.assertContains(self.client.get(self.url()), "This consultation is over")
            for name in ("cancel", "reschedule"):
                response = self.client.get(self.url(name), follow=True)
                self.assertRedirects(response, self.url())
                self.assertContains(response, "can no longer be")

    def test_cancel_with_a_reason(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url("cancel"), {"reason": "Feeling better"}, follow=True)

        self.assertContains(response, "Your consultation is cancelled.")
        self.consultation.refresh_from_db()
        assert self.consultation.status == Consultation.Status.CANCELLED
        assert self.consultation.cancellation_reason == "Feeling better"
        assert self.consultation.sequence == 1
        assert [m.subject for m in mail.outbox] == [
            "Your consultation is cancelled",
            "A patient changed a consultation",
        ]
        self.assertNotContains(self.client.get(self.url()), "Choose another time")

    def test_reschedule_to_a_free_slot_moves_it_and_frees_the_old_time(self) -> None:
        new_start = NINE + timedelta(hours=2)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                self.url("reschedule"), {"slot": f"{new_start.isoformat()}|albany", "confirm": "1"}, follow=True
            )

        self.assertContains(response, "Your consultation has a new time.")
        self.consultation.refresh_from_db()
        assert self.consultation.start == new_start
        assert self.consultation.sequence == 1
        assert [m.subject for m in mail.outbox] == [
            "Your consultation has a new time",
            "A patient changed a consultation",
        ]
        page = self.client.get(self.url("reschedule"), {"week": "2026-03-09"})
        self.assertContains(page, "9:00 AM EDT")  # the old time is free again

    def test_reschedule_into_a_taken_slot_changes_nothing(self) -> None:
        taken = make_consultation(self.surgeon, self.albany, NINE + timedelta(hours=1))

        response = self.client.post(self.url("reschedule"), {"slot": f"{taken.start.isoformat()}|albany"})

        self.assertContains(response, "That time was just taken, please choose another.", status_code=409)
        self.consultation.refresh_from_db()
        assert (self.consultation.start, self.consultation.sequence) == (NINE, 0)
        assert not mail.outbox

    def test_the_current_time_is_not_offered_and_choosing_it_changes_nothing(self) -> None:
        page = self.client.get(self.url("reschedule"), {"week": "2026-03-09"})
        assert f"{NINE.isoformat()}|albany" not in page.content.decode()
        self.assertContains(page, "9:30 AM EDT")

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url("reschedule"), {"slot": f"{NINE.isoformat()}|albany"}, follow=True)

        self.assertContains(response, "That is already your consultation")
        self.consultation.refresh_from_db()
        assert (self.consultation.start, self.consultation.sequence) == (NINE, 0)
        assert not mail.outbox

    def test_an_overlong_cancellation_reason_is_a_400_with_the_form_kept(self) -> None:
        response = self.client.post(self.url("cancel"), {"reason": "x" * 301})

        assert response.status_code == 400
        self.consultation.refresh_from_db()
        assert self.consultation.status == Consultation.Status.REQUESTED

    def test_a_mangled_reschedule_choice_is_a_message(self) -> None:
        response = self.client.post(self.url("reschedule"), {"slot": "soon"})

        self.assertContains(response, "Please choose a time from the list.", status_code=400)
        self.consultation.refresh_from_db()
        assert self.consultation.start == NINE


@time_machine.travel(NOW, tick=False)
class ConfirmingAMoveTests(TestCase):
    """Choosing another time shows the move from where to where; only the confirmation makes it."""

    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany Spine Clinic")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        make_user(role=roles.FRONT_DESK)

    def setUp(self) -> None:
        self.consultation = make_consultation(self.surgeon, self.albany, NINE)
        self.url = reverse("consultations:reschedule", args=[patient_token(self.consultation)])
        self.new_slot = f"{(NINE + timedelta(hours=2)).isoformat()}|albany"

    def assert_unchanged(self) -> None:
        consultation = Consultation.objects.get(pk=self.consultation.pk)
        assert (consultation.start, consultation.status, consultation.sequence) == (
            NINE,
            Consultation.Status.REQUESTED,
            0,
        )
        assert consultation.updated_at == self.consultation.updated_at
        assert not ConsultationEvent.objects.exists()
        assert not SentMessage.objects.exists()
        assert not mail.outbox

    def test_the_free_times_are_links_that_change_nothing(self) -> None:
        page = self.client.get(self.url, {"week": "2026-03-09"})

        self.assertContains(page, f'href="{self.url}?slot={quote(self.new_slot)}"')
        assert 'name="slot"' not in page.content.decode()

    def test_choosing_a_time_shows_from_where_to_where_and_changes_nothing(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.get(self.url, {"slot": self.new_slot})

        self.assertContains(response, "<h1>Move your consultation?</h1>", html=True)
        text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
        assert (
            "From Monday, March 9, 2026 at 9:00 AM EDT Dr. Test Lopez, MD, Albany Spine Clinic "
            "To Monday, March 9, 2026 at 11:00 AM EDT Dr. Test Lopez, MD, Albany Spine Clinic"
        ) in text
        self.assertContains(response, "Confirm the move")
        self.assertContains(response, f'<input type="hidden" name="slot" value="{self.new_slot}">', html=True)
        self.assertContains(response, f'href="{self.url}?week=2026-03-09"')
        self.assertContains(response, "Keep my current time")
        self.assert_unchanged()

    def test_a_time_sent_without_the_confirmation_shows_the_move_too(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"slot": self.new_slot})

        self.assertContains(response, "Move your consultation?")
        self.assertContains(response, "Monday, March 9, 2026 at 11:00 AM EDT")
        self.assert_unchanged()

    def test_confirming_the_move_shown_makes_it(self) -> None:
        shown = self.client.get(self.url, {"slot": self.new_slot})
        slot = re.search(r'name="slot" value="([^"]+)"', shown.content.decode())[1]

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"slot": slot, "confirm": "1"}, follow=True)

        self.assertContains(response, "Your consultation has a new time.")
        self.assertContains(response, "Monday, March 9, 2026 at 11:00 AM EDT")
        self.consultation.refresh_from_db()
        assert (self.consultation.start, self.consultation.sequence) == (NINE + timedelta(hours=2), 1)
        event = ConsultationEvent.objects.get()
        assert event.action == "reschedule"
        assert event.note == (
            "From Mon Mar 9, 2026 9:00 AM EDT, Dr. Test Lopez, MD at Albany Spine Clinic "
            "to Mon Mar 9, 2026 11:00 AM EDT, Dr. Test Lopez, MD at Albany Spine Clinic"
        )
        assert [m.subject for m in mail.outbox] == [
            "Your consultation has a new time",
            "A patient changed a consultation",
        ]

    def test_a_time_taken_between_showing_and_confirming_the_move_changes_nothing_and_says_so(self) -> None:
        self.assertContains(self.client.get(self.url, {"slot": self.new_slot}), "Confirm the move")
        make_consultation(self.surgeon, self.albany, NINE + timedelta(hours=2))

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, {"slot": self.new_slot, "confirm": "1"})

        self.assertContains(response, "That time was just taken, please choose another.", status_code=409)
        self.assertContains(response, "Choose another time", status_code=409)
        self.assert_unchanged()

    def test_a_time_taken_before_it_is_shown_is_said_at_once(self) -> None:
        make_consultation(self.surgeon, self.albany, NINE + timedelta(hours=2))

        response = self.client.get(self.url, {"slot": self.new_slot})

        self.assertContains(response, "That time was just taken, please choose another.", status_code=409)
        self.assertNotContains(response, "Confirm the move", status_code=409)
        self.assert_unchanged()
