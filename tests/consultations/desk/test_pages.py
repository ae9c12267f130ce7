"""The front desk's pages: today, the request queue, a consultation's page, its one-click actions and proposals."""

import re
from datetime import UTC, datetime, time, timedelta

import time_machine
from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import roles
from consultations.desk.services import propose_another_time
from consultations.models import Consultation, ConsultationEvent, Intake, IntakeReview, SentMessage
from consultations.models.scheduling import SafetyFlag
from tests.factories import (
    make_consultation,
    make_intake,
    make_location,
    make_rule,
    make_surgeon,
    make_user,
    sign_in,
)

Status = Consultation.Status
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
NINE_TODAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 EST
ELEVEN_TODAY = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 11:00 EST
NEXT_MONDAY = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT
AFTER_TODAYS_CLINIC = datetime(2026, 3, 2, 17, 0, tzinfo=UTC)  # 12:00 EST
COMPLAINT = "Zebra-striped burning down the left calf"
SURGEON_NOTES = "Private clinician note: consider revision"

TODAY = reverse("consultations:desk-today")
QUEUE = reverse("consultations:desk-queue")


def page(name: str, consultation: Consultation) -> str:
    return reverse(f"consultations:{name}", args=[consultation.public_id])


class DeskTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany Spine Clinic")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def post_action(self, consultation: Consultation, action: str, **data):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(page("desk-status", consultation), {"action": action, **data})


@time_machine.travel(NOW, tick=False)
class TodayTests(DeskTestCase):
    def test_todays_consultations_in_time_order_with_what_the_desk_needs(self) -> None:
        late = make_consultation(self.surgeon, self.albany, ELEVEN_TODAY, status=Status.CONFIRMED)
        early = make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.CONFIRMED)
        make_intake(early, status=Intake.Status.COMPLETED, submitted_at=NOW)
        make_consultation(self.surgeon, self.albany, NINE_TODAY + timedelta(minutes=30), status=Status.CANCELLED)
        tomorrow = make_consultation(self.surgeon, self.albany, NINE_TODAY + timedelta(days=1))

        response = self.client.get(TODAY)

        html = response.content.decode()
        assert html.index(early.reference) < html.index(late.reference)
        assert tomorrow.reference not in html
        self.assertContains(response, "9:00 AM EST")
        self.assertContains(response, "11:00 AM EST")
        self.assertContains(response, "Sent")  # the early patient's history
        self.assertContains(response, "Not started")
        assert html.count('value="check_in"') == 2
        # Only the patient whose time has come can be marked as a no-show.
        assert html.count('value="no_show"') == 1

    def test_counts_of_requests_waiting_and_flagged(self) -> None:
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(minutes=30), safety_flag=SafetyFlag.REVIEW)
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(hours=1), status=Status.CONFIRMED)

        response = self.client.get(TODAY)

        counts = re.findall(
            r'fs-2 fw-semibold[^"]*">(\d+)</span>\s*<span class="d-block">([a-z ]+)<', response.content.decode()
        )
        assert {label: int(number) for number, label in counts} == {
            "requests waiting": 2,
            "flagged request": 1,
            "consultations today": 0,
            "checked in now": 0,
            "still to arrive": 0,
        }

    def test_today_counts_as_flagged_what_the_queue_shows_flagged(self) -> None:
        reviewed_soon = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        intake = make_intake(reviewed_soon, status=Intake.Status.COMPLETED, submitted_at=NOW)
        IntakeReview.objects.create(
            intake=intake,
            reviewed_by=make_user(role=roles.SURGEON),
            reviewed_at=NOW,
            priority=IntakeReview.Priority.SOON,
        )

        self.assertContains(self.client.get(QUEUE), "<strong>1</strong> flagged")
        self.assertContains(self.client.get(QUEUE), "Surgeon: soon")
        today = re.search(r'">(\d+)</span>\s*<span class="d-block">flagged request', self.client.get(TODAY).text)
        assert today is not None and today.group(1) == "1"

    def test_check_in_with_one_click_returns_to_today(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.CONFIRMED)

        response = self.post_action(consultation, "check_in", back="today")

        self.assertRedirects(response, TODAY, fetch_redirect_response=False)
        consultation.refresh_from_db()
        assert (consultation.status, consultation.status_changed_by) == (Status.CHECKED_IN, self.desk)
        self.assertContains(self.client.get(TODAY), f"Checked in {consultation.name_as_typed} (Mon Mar 2, 9:00 AM).")

    def test_no_show_then_complete_from_the_list(self) -> None:
        missed = make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.CONFIRMED)
        seen = make_consultation(
            self.surgeon, self.albany, NINE_TODAY + timedelta(minutes=30), status=Status.CHECKED_IN
        )

        self.post_action(missed, "no_show", back="today")
        self.post_action(seen, "complete", back="today")

        assert Consultation.objects.get(pk=missed.pk).status == Status.NO_SHOW
        assert Consultation.objects.get(pk=seen.pk).status == Status.COMPLETED

    def test_the_week_chart_shows_each_surgeons_booked_share(self) -> None:
        # Monday clinics of six 30-minute slots: this week two are booked (one attended), next week one.
        make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.COMPLETED)
        make_consultation(self.surgeon, self.albany, ELEVEN_TODAY, status=Status.CONFIRMED)
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(hours=1), status=Status.CANCELLED)

        response = self.client.get(TODAY)

        self.assertContains(response, '<svg xmlns="http://www.w3.org/2000/svg"')
        self.assertContains(response, 'role="img"')
        self.assertContains(response, "Test Lopez, MD: this week, 2 of 6 booked (33%); next week, 1 of 6 booked (17%).")
        assert re.search(r'<rect x="280" y="\d+" width="73.3"', response.content.decode())  # a third of 220

    def test_a_busy_day_opens_on_the_page_where_the_day_has_got_to(self) -> None:
        surgeons = [self.surgeon, *(make_surgeon(locations=[self.albany]) for _ in range(3))]
        midnight = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 00:00 EST
        # Sixty consultations from midnight, four at a time: the first 56 are over, the last four (7:00) still to come.
        made = [
            make_consultation(
                surgeon,
                self.albany,
                midnight + timedelta(minutes=30 * half_hour),
                status=Status.COMPLETED if half_hour < 14 else Status.CONFIRMED,
            )
            for half_hour in range(15)
            for surgeon in surgeons
        ]

        opened = self.client.get(TODAY)

        self.assertContains(opened, "page 2 of 2, opening where the day has got to")
        assert all(consultation.reference in opened.text for consultation in made[50:])
        assert made[49].reference not in opened.text
        assert opened.text.count('value="check_in"') == 4
        assert re.search(r'">60</span>\s*<span class="d-block">consultations today', opened.text)
        first = self.client.get(TODAY, {"page": "1"})
        assert all(consultation.reference in first.text for consultation in made[:50])
        assert made[50].reference not in first.text

    def test_the_list_narrows_to_a_surgeon_or_a_location(self) -> None:
        other_place = make_location(slug="troy", name="Troy Spine Clinic")
        other = make_surgeon(slug="ben", locations=[other_place])
        mine = make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.CONFIRMED)
        theirs = make_consultation(other, other_place, NINE_TODAY, status=Status.CONFIRMED)

        by_surgeon = self.client.get(TODAY, {"surgeon": "ana"})
        by_place = self.client.get(TODAY, {"location": "troy"})

        assert mine.reference in by_surgeon.text and theirs.reference not in by_surgeon.text
        assert theirs.reference in by_place.text and mine.reference not in by_place.text
        unknown = self.client.get(TODAY, {"surgeon": "nobody"})
        assert unknown.status_code == 400
        self.assertContains(unknown, "Select a valid choice", status_code=400)

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.CONFIRMED)
        with CaptureQueriesContext(connection) as one_row:
            self.client.get(TODAY)
        others = [make_surgeon(locations=[self.albany]) for _ in range(3)]
        for index, surgeon in enumerate(others):
            make_rule(surgeon, self.albany, weekday=0, start_time=time(9), end_time=time(12))
            for minutes in (0, 30):
                consultation = make_consultation(
                    surgeon, make_location(), NINE_TODAY + timedelta(minutes=minutes), status=Status.CONFIRMED
                )
                make_intake(
                    consultation,
                    status=Intake.Status.COMPLETED if index else Intake.Status.IN_PROGRESS,
                    submitted_at=NOW,
                )

        with self.assertNumQueries(len(one_row)):
            response = self.client.get(TODAY)

        assert response.content.decode().count('value="check_in"') == 7


@time_machine.travel(NOW, tick=False)
class QueueTests(DeskTestCase):
    def review(self, consultation: Consultation, priority: str) -> None:
        intake = make_intake(consultation, status=Intake.Status.COMPLETED, submitted_at=NOW)
        IntakeReview.objects.create(
            intake=intake, reviewed_by=make_user(role=roles.SURGEON), reviewed_at=NOW, priority=priority
        )

    def test_urgent_flagged_first_then_oldest_first(self) -> None:
        with time_machine.travel(NOW - timedelta(days=3), tick=False):
            oldest = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        with time_machine.travel(NOW - timedelta(days=2), tick=False):
            reviewed_urgent = make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(minutes=30))
            self.review(reviewed_urgent, IntakeReview.Priority.URGENT)
        with time_machine.travel(NOW - timedelta(days=1), tick=False):
            flagged_for_review = make_consultation(
                self.surgeon, self.albany, NEXT_MONDAY + timedelta(hours=1), safety_flag=SafetyFlag.REVIEW
            )
        newest_urgent = make_consultation(
            self.surgeon, self.albany, NEXT_MONDAY + timedelta(hours=2), safety_flag=SafetyFlag.URGENT
        )
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(hours=3), status=Status.CONFIRMED)

        response = self.client.get(QUEUE)

        html = response.content.decode()
        order = sorted(
            [oldest, reviewed_urgent, flagged_for_review, newest_urgent], key=lambda c: html.index(c.reference)
        )
        assert order == [reviewed_urgent, newest_urgent, flagged_for_review, oldest]
        self.assertContains(response, "<strong>4</strong> requests waiting")
        self.assertContains(response, "<strong>3</strong> flagged")
        self.assertContains(response, "Surgeon: urgent")
        self.assertContains(response, "Urgent: emergency symptom reported")
        self.assertContains(response, "Red flag: staff review")

    def test_confirm_with_one_click_returns_to_the_queue(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)

        response = self.post_action(consultation, "confirm", back="queue")

        self.assertRedirects(response, QUEUE, fetch_redirect_response=False)
        consultation.refresh_from_db()
        assert consultation.status == Status.CONFIRMED
        assert [message.subject for message in mail.outbox] == ["Your consultation is confirmed"]
        response = self.client.get(QUEUE)
        self.assertContains(response, "Confirmed Pat Fictional")
        self.assertContains(response, "No requests are waiting.")

    def test_decline_needs_a_reason_the_patient_reads(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)

        response = self.post_action(consultation, "decline", back="queue", reason="")

        self.assertContains(response, "Give the patient a reason when declining a request.", status_code=400)
        assert Consultation.objects.get(pk=consultation.pk).status == Status.REQUESTED

        response = self.post_action(consultation, "decline", back="queue", reason="We do not treat neck pain.")

        self.assertRedirects(response, QUEUE)
        assert Consultation.objects.get(pk=consultation.pk).status == Status.DECLINED
        assert "Our reason: We do not treat neck pain." in mail.outbox[0].body

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        with CaptureQueriesContext(connection) as one_row:
            self.client.get(QUEUE)
        for minutes in (30, 60, 90, 120):
            consultation = make_consultation(
                self.surgeon, self.albany, NEXT_MONDAY + timedelta(minutes=minutes), safety_flag=SafetyFlag.REVIEW
            )
            self.review(consultation, IntakeReview.Priority.SOON)
        with self.captureOnCommitCallbacks(execute=True):
            propose_another_time(
                consultation=consultation,
                surgeon=self.surgeon,
                start=NEXT_MONDAY + timedelta(minutes=150),
                location=self.albany,
                by=self.desk,
            )

        with self.assertNumQueries(len(one_row)):
            response = self.client.get(QUEUE)

        assert response.content.decode().count('value="confirm"') == 5
        self.assertContains(response, "waiting for the patient's answer")


@time_machine.travel(NOW, tick=False)
class ConsultationPageTests(DeskTestCase):
    def test_who_when_history_and_messages(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY, contact_phone="(518) 555-0177")
        self.post_action(consultation, "confirm")

        response = self.client.get(page("desk-consultation", consultation))

        self.assertContains(response, f"<h1>{consultation.name_as_typed}</h1>", html=True)
        self.assertContains(response, "Monday, March 9, 2026, 9:00 AM EDT")
        self.assertContains(response, "(518) 555-0177")
        self.assertContains(response, consultation.patient.email)
        self.assertContains(response, "January")  # date of birth
        self.assertContains(response, "Requested → Confirmed")
        self.assertContains(response, "dana")
        self.assertContains(response, "Confirmation")
        self.assertContains(response, "Sent")
        self.assertContains(response, "Not on the waitlist")

    def test_a_failed_email_shows_its_state_and_error(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        SentMessage.objects.create(
            consultation=consultation,
            kind=SentMessage.Kind.REMINDER,
            to=consultation.patient.email,
            regarding_start=consultation.start,
            state=SentMessage.State.FAILED,
            attempts=6,
            last_error="SMTPServerDisconnected: Connection unexpectedly closed",
        )

        response = self.client.get(page("desk-consultation", consultation))

        self.assertContains(response, "Reminder two days before")
        self.assertContains(response, "Failed")
        self.assertContains(response, "SMTPServerDisconnected: Connection unexpectedly closed")

    def test_a_refused_change_gets_a_clear_message_and_changes_nothing(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.COMPLETED)

        response = self.post_action(consultation, "decline", reason="Too late")

        self.assertContains(response, "A completed consultation cannot be declined.", status_code=409)
        assert Consultation.objects.get(pk=consultation.pk).status == Status.COMPLETED
        assert not ConsultationEvent.objects.exists()
        assert not mail.outbox

    def test_an_unknown_action_is_a_400(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)

        response = self.post_action(consultation, "teleport")

        self.assertContains(response, "Select a valid choice", status_code=400)

    def test_an_unknown_consultation_is_a_404(self) -> None:
        response = self.client.get(
            reverse("consultations:desk-consultation", args=["00000000-0000-4000-8000-000000000000"])
        )

        assert response.status_code == 404

    def test_the_desk_never_sees_what_the_history_says(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.CONFIRMED)
        intake = make_intake(
            consultation,
            status=Intake.Status.COMPLETED,
            submitted_at=NOW,
            chief_complaint=COMPLAINT,
            goals="Walk the dog again without stopping",
            allergies="Penicillin-zebra",
        )
        IntakeReview.objects.create(
            intake=intake, reviewed_by=make_user(role=roles.SURGEON), reviewed_at=NOW, notes=SURGEON_NOTES
        )
        requested = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        make_intake(requested, chief_complaint=COMPLAINT)

        for url in (
            TODAY,
            QUEUE,
            page("desk-consultation", consultation),
            page("desk-consultation", requested),
            page("desk-propose", requested),
        ):
            with self.subTest(url=url):
                response = self.client.get(url)
                assert response.status_code == 200
                for secret in (COMPLAINT, "Walk the dog", "Penicillin-zebra", SURGEON_NOTES):
                    self.assertNotContains(response, secret)
        self.assertContains(self.client.get(page("desk-consultation", consultation)), "Sent")


@time_machine.travel(NOW, tick=False)
class ProposePageTests(DeskTestCase):
    def setUp(self) -> None:
        super().setUp()
        self.consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)

    # After today's clinic: the desk is offered times within the patient's minimum notice too (test_propose.py).
    @time_machine.travel(AFTER_TODAYS_CLINIC, tick=False)
    def test_lists_free_times_without_the_current_one(self) -> None:
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(minutes=30))

        response = self.client.get(page("desk-propose", self.consultation))

        slots = re.findall(r'name="slot"\s+value="([^"]+)"', response.content.decode())
        assert slots[0] == f"{(NEXT_MONDAY + timedelta(hours=1)).isoformat()}|albany"
        assert f"{NEXT_MONDAY.isoformat()}|albany" not in slots
        assert f"{(NEXT_MONDAY + timedelta(minutes=30)).isoformat()}|albany" not in slots
        assert len(slots) == 4  # the rest of next Monday; two weeks from today end before the Monday after

    def test_another_surgeons_times_on_request(self) -> None:
        other = make_surgeon(slug="ben", locations=[self.albany], last_name="Okafor")
        make_rule(other, self.albany, weekday=2, start_time=time(14), end_time=time(15))

        response = self.client.get(page("desk-propose", self.consultation), {"surgeon": "ben"})

        self.assertContains(response, "Free times with Dr. Test Okafor, MD")
        self.assertContains(response, "Wednesday, March 4")
        self.assertContains(response, "2:00 PM EST")

    def test_choosing_a_time_moves_the_consultation_and_emails_the_patient(self) -> None:
        new_start = NEXT_MONDAY + timedelta(hours=2)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(
                page("desk-propose", self.consultation),
                {
                    "surgeon": "ana",
                    "slot": f"{new_start.isoformat()}|albany",
                    "note": "Surgeon in theatre",
                    "confirm": "1",
                },
            )

        self.assertRedirects(response, page("desk-consultation", self.consultation), fetch_redirect_response=False)
        self.consultation.refresh_from_db()
        assert (self.consultation.start, self.consultation.sequence) == (new_start, 1)
        assert [m.subject for m in mail.outbox] == ["We suggest another time for your consultation"]
        response = self.client.get(page("desk-consultation", self.consultation))
        self.assertContains(response, "Proposed Mon Mar 9, 11:00 AM")
        self.assertContains(response, "Surgeon in theatre")
        self.assertContains(response, "the patient has not answered yet")

    def test_a_time_taken_meanwhile_is_a_409_and_the_list_again(self) -> None:
        taken = NEXT_MONDAY + timedelta(hours=2)
        make_consultation(self.surgeon, self.albany, taken)

        response = self.client.post(
            page("desk-propose", self.consultation), {"surgeon": "ana", "slot": f"{taken.isoformat()}|albany"}
        )

        self.assertContains(response, "That time was just taken; choose another.", status_code=409)
        assert Consultation.objects.get(pk=self.consultation.pk).start == NEXT_MONDAY

    def test_a_malformed_slot_is_a_400(self) -> None:
        response = self.client.post(page("desk-propose", self.consultation), {"surgeon": "ana", "slot": "soon"})

        self.assertContains(response, "Choose one of the free times listed.", status_code=400)

    def test_a_finished_consultation_cannot_be_moved(self) -> None:
        done = make_consultation(self.surgeon, self.albany, NINE_TODAY, status=Status.COMPLETED)

        response = self.client.get(page("desk-propose", done))

        self.assertContains(response, "A completed consultation cannot be moved to another time.")
        assert 'name="slot"' not in response.content.decode()


@time_machine.travel(NOW, tick=False)
class DeskAccessTests(TestCase):
    """Only the front desk and admins: a surgeon is refused, an anonymous visitor sent to sign in."""

    @classmethod
    def setUpTestData(cls) -> None:
        location = make_location()
        surgeon = make_surgeon(locations=[location])
        cls.consultation = make_consultation(surgeon, location, NEXT_MONDAY)
        cls.urls = [TODAY, QUEUE, page("desk-consultation", cls.consultation), page("desk-propose", cls.consultation)]

    def test_a_surgeon_is_refused_everywhere(self) -> None:
        sign_in(self.client, make_user(role=roles.SURGEON))

        for url in self.urls:
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 403
        response = self.client.post(page("desk-status", self.consultation), {"action": "confirm"})
        assert response.status_code == 403
        response = self.client.post(page("desk-propose", self.consultation), {"surgeon": "x", "slot": "y"})
        assert response.status_code == 403
        assert Consultation.objects.get(pk=self.consultation.pk).status == Status.REQUESTED

    def test_an_anonymous_visitor_is_sent_to_sign_in(self) -> None:
        for url in [*self.urls, page("desk-status", self.consultation)]:
            with self.subTest(url=url):
                response = self.client.post(url, {"action": "confirm"}) if "status" in url else self.client.get(url)
                assert response.status_code == 302
                assert response["Location"].startswith(reverse("clinic:sign-in"))
        assert Consultation.objects.get(pk=self.consultation.pk).status == Status.REQUESTED

    def test_an_admin_may(self) -> None:
        sign_in(self.client, make_user(role=roles.ADMIN))

        for url in self.urls:
            with self.subTest(url=url):
                assert self.client.get(url).status_code == 200
