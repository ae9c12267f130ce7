"""Status changes the front desk makes: each allowed one and each refused one, with its history and e-mail."""

from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core import mail
from django.test import SimpleTestCase, TestCase
from icalendar import Calendar

from clinic import roles
from consultations.booking.availability import SlotUnavailable, free_slots_for
from consultations.desk import services as desk_services
from consultations.desk import transitions
from consultations.desk.services import (
    TransitionRefused,
    check_in_consultation,
    complete_consultation,
    confirm_consultation,
    decline_consultation,
    mark_no_show,
    propose_another_time,
)
from consultations.models import Consultation, ConsultationEvent, SentMessage
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_user

Status = Consultation.Status
NEW_YORK = ZoneInfo("America/New_York")
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
EARLIER_TODAY = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)  # 09:00 EST, an hour ago
LATER_TODAY = datetime(2026, 3, 2, 16, 0, tzinfo=UTC)  # 11:00 EST
NEXT_MONDAY = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT, a week ahead

# Where each action is possible at all by the clock: the desk settles requests before their time and records
# arrivals once the day has come.
WHEN = {
    transitions.CONFIRM: NEXT_MONDAY,
    transitions.DECLINE: NEXT_MONDAY,
    transitions.PROPOSE: NEXT_MONDAY,
    transitions.CANCEL: NEXT_MONDAY,
    transitions.CHECK_IN: EARLIER_TODAY,
    transitions.NO_SHOW: EARLIER_TODAY,
    transitions.COMPLETE: EARLIER_TODAY,
}
ALLOWED = {
    (transitions.CONFIRM, Status.REQUESTED),
    (transitions.DECLINE, Status.REQUESTED),
    (transitions.PROPOSE, Status.REQUESTED),
    (transitions.PROPOSE, Status.CONFIRMED),
    (transitions.CANCEL, Status.REQUESTED),
    (transitions.CANCEL, Status.CONFIRMED),
    (transitions.CHECK_IN, Status.CONFIRMED),
    (transitions.CHECK_IN, Status.NO_SHOW),
    (transitions.NO_SHOW, Status.CONFIRMED),
    (transitions.COMPLETE, Status.CHECKED_IN),
}


def event_of(ics: bytes):
    calendar = Calendar.from_ical(ics)
    return calendar, next(iter(calendar.walk("VEVENT")))


class TransitionTableTests(SimpleTestCase):
    def check(self, action: str, status: str, start: datetime, now: datetime = NOW) -> str | None:
        return transitions.refusal(action=action, status=status, start=start, now=now, zone=NEW_YORK)

    def test_the_table_reads_the_same_by_status(self) -> None:
        assert {
            Status.REQUESTED: {Status.CONFIRMED, Status.DECLINED, Status.CANCELLED, Status.REQUESTED},
            Status.CONFIRMED: {Status.CHECKED_IN, Status.NO_SHOW, Status.CANCELLED, Status.REQUESTED},
            Status.CHECKED_IN: {Status.COMPLETED},
            Status.NO_SHOW: {Status.CHECKED_IN},
            Status.COMPLETED: set(),
            Status.DECLINED: set(),
            Status.CANCELLED: set(),
        } == transitions.TRANSITIONS

    def test_a_refused_status_change_says_why_in_words(self) -> None:
        assert self.check("decline", Status.COMPLETED, NEXT_MONDAY) == "A completed consultation cannot be declined."
        assert self.check("confirm", Status.CANCELLED, NEXT_MONDAY) == "A cancelled consultation cannot be confirmed."
        assert self.check("complete", Status.REQUESTED, EARLIER_TODAY) == (
            "A requested consultation cannot be marked as completed."
        )
        assert self.check("teleport", Status.REQUESTED, NEXT_MONDAY) == (
            "That is not something the front desk can do to a consultation."
        )

    def test_requests_are_settled_before_their_time(self) -> None:
        for action in (transitions.CONFIRM, transitions.DECLINE, transitions.PROPOSE):
            with self.subTest(action=action):
                assert "time has passed" in self.check(action, Status.REQUESTED, EARLIER_TODAY)

    def test_a_stale_request_may_still_be_cancelled_but_a_confirmed_visit_whose_time_came_may_not(self) -> None:
        assert self.check(transitions.CANCEL, Status.REQUESTED, EARLIER_TODAY) is None
        assert "no-show" in self.check(transitions.CANCEL, Status.CONFIRMED, EARLIER_TODAY)

    def test_no_show_only_once_the_time_has_come(self) -> None:
        assert self.check(transitions.NO_SHOW, Status.CONFIRMED, LATER_TODAY) == (
            "A patient can be marked as a no-show only once the consultation's time has come."
        )
        assert self.check(transitions.NO_SHOW, Status.CONFIRMED, EARLIER_TODAY) is None

    def test_check_in_from_the_local_day_of_the_consultation(self) -> None:
        assert self.check(transitions.CHECK_IN, Status.CONFIRMED, LATER_TODAY) is None
        tomorrow = LATER_TODAY + timedelta(days=1)
        assert "on the day" in self.check(transitions.CHECK_IN, Status.CONFIRMED, tomorrow)
        # 23:30 in New York is already tomorrow in UTC: the location's day is what counts.
        late_evening = datetime(2026, 3, 3, 4, 30, tzinfo=UTC)
        assert self.check(transitions.CHECK_IN, Status.CONFIRMED, late_evening) is None

    def test_available_lists_the_buttons_in_order(self) -> None:
        assert transitions.available(status=Status.REQUESTED, start=NEXT_MONDAY, now=NOW, zone=NEW_YORK) == [
            transitions.CONFIRM,
            transitions.DECLINE,
            transitions.PROPOSE,
            transitions.CANCEL,
        ]
        assert transitions.available(status=Status.CONFIRMED, start=EARLIER_TODAY, now=NOW, zone=NEW_YORK) == [
            transitions.CHECK_IN,
            transitions.NO_SHOW,
        ]


@time_machine.travel(NOW, tick=False)
class StatusServiceTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK)

    def perform(self, action: str, consultation: Consultation) -> Consultation:
        by = {"consultation": consultation, "by": self.desk}
        with self.captureOnCommitCallbacks(execute=True):
            if action == transitions.PROPOSE:
                return propose_another_time(
                    **by, surgeon=self.surgeon, start=NEXT_MONDAY + timedelta(hours=1), location=self.albany
                )
            if action == transitions.DECLINE:
                return decline_consultation(**by, reason="The surgeon does not treat this condition.")
            return {
                transitions.CONFIRM: confirm_consultation,
                transitions.CANCEL: desk_services.cancel_consultation,
                transitions.CHECK_IN: check_in_consultation,
                transitions.NO_SHOW: mark_no_show,
                transitions.COMPLETE: complete_consultation,
            }[action](**by)

    def test_every_action_from_every_status(self) -> None:
        for action in transitions.ACTIONS:
            for status in Status.values:
                with self.subTest(action=action, status=status):
                    consultation = make_consultation(self.surgeon, self.albany, WHEN[action], status=status)
                    if (action, status) in ALLOWED:
                        changed = self.perform(action, consultation)
                        changed.refresh_from_db()
                        assert changed.status == transitions.target(action)
                        assert (changed.status_changed_by, changed.status_changed_at) == (self.desk, NOW)
                        event = ConsultationEvent.objects.get(consultation=consultation)
                        assert (event.action, event.from_status, event.to_status) == (action, status, changed.status)
                        assert (event.by, event.at) == (self.desk, NOW)
                    else:
                        with self.assertRaises(TransitionRefused) as refused:
                            self.perform(action, consultation)
                        assert "cannot be" in refused.exception.message
                        consultation.refresh_from_db()
                        assert consultation.status == status
                        assert not ConsultationEvent.objects.filter(consultation=consultation).exists()
                    consultation.delete()

    def test_a_refusal_by_the_clock_changes_nothing(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, LATER_TODAY, status=Status.CONFIRMED)

        with self.assertRaises(TransitionRefused):
            self.perform(transitions.NO_SHOW, consultation)

        consultation.refresh_from_db()
        assert consultation.status == Status.CONFIRMED
        assert not mail.outbox

    def test_a_no_show_cannot_be_checked_in_over_a_consultation_now_holding_its_time(self) -> None:
        missed = make_consultation(self.surgeon, self.albany, EARLIER_TODAY, status=Status.NO_SHOW)
        make_consultation(self.surgeon, self.albany, EARLIER_TODAY, status=Status.CHECKED_IN)

        with self.assertRaises(TransitionRefused) as refused:
            self.perform(transitions.CHECK_IN, missed)

        assert "Another consultation holds this time" in refused.exception.message
        missed.refresh_from_db()
        assert missed.status == Status.NO_SHOW


@time_machine.travel(NOW, tick=False)
class StatusEmailTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK)

    def setUp(self) -> None:
        self.consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)

    def test_confirming_sends_a_confirmation_whose_calendar_file_updates_the_entry(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            confirm_consultation(consultation=self.consultation, by=self.desk)

        (message,) = mail.outbox
        assert message.subject == "Your consultation is confirmed"
        assert message.to == [self.consultation.patient.email]
        assert "Monday March 9, 2026 at 9:00 AM EDT" in message.body
        filename, ics, mimetype = message.attachments[0]
        calendar, event = event_of(ics)
        assert (filename, mimetype) == ("consultation.ics", "text/calendar; charset=utf-8; method=REQUEST")
        assert calendar["METHOD"] == "REQUEST"
        assert (event["SEQUENCE"], event["STATUS"]) == (1, "CONFIRMED")
        assert event["UID"] == f"{self.consultation.public_id}@127.0.0.1"
        sent = SentMessage.objects.get()
        assert (sent.kind, sent.state, sent.attempts, sent.sent_at) == ("confirmed", "sent", 1, NOW)

    def test_declining_tells_the_patient_why_and_removes_the_calendar_entry(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            decline_consultation(
                consultation=self.consultation, by=self.desk, reason="Dr Test sees only patients over 18."
            )

        (message,) = mail.outbox
        assert message.subject == "About your consultation request"
        assert "Our reason: Dr Test sees only patients over 18." in message.body
        calendar, event = event_of(message.attachments[0][1])
        assert (calendar["METHOD"], event["STATUS"], event["SEQUENCE"]) == ("CANCEL", "CANCELLED", 1)
        self.consultation.refresh_from_db()
        assert self.consultation.cancellation_reason == "Dr Test sees only patients over 18."

    def test_a_decline_needs_a_reason(self) -> None:
        with self.assertRaises(ValueError):
            decline_consultation(consultation=self.consultation, by=self.desk, reason="  ")

        self.consultation.refresh_from_db()
        assert self.consultation.status == Status.REQUESTED

    def test_cancelling_for_the_desk_sends_a_cancellation_and_tells_no_desk(self) -> None:
        make_user(role=roles.FRONT_DESK)  # would receive "a patient changed" if the patient had cancelled
        with self.captureOnCommitCallbacks(execute=True):
            desk_services.cancel_consultation(
                consultation=self.consultation, by=self.desk, reason="The surgeon is ill."
            )

        (message,) = mail.outbox
        assert message.subject == "Your consultation is cancelled"
        assert "Our reason: The surgeon is ill." in message.body
        calendar, event = event_of(message.attachments[0][1])
        assert (calendar["METHOD"], event["SEQUENCE"]) == ("CANCEL", 1)
        assert SentMessage.objects.get().kind == "cancelled"

    def test_proposing_moves_the_consultation_and_asks_the_patient(self) -> None:
        other = make_surgeon(locations=[self.albany])
        make_rule(other, self.albany, weekday=0, start_time=time(13), end_time=time(15))
        new_start = NEXT_MONDAY + timedelta(hours=4)  # 13:00 EDT with the other surgeon

        with self.captureOnCommitCallbacks(execute=True):
            propose_another_time(
                consultation=self.consultation, surgeon=other, start=new_start, location=self.albany, by=self.desk
            )

        self.consultation.refresh_from_db()
        assert (self.consultation.surgeon, self.consultation.start) == (other, new_start)
        assert self.consultation.status == Status.REQUESTED
        (message,) = mail.outbox
        assert message.subject == "We suggest another time for your consultation"
        assert "Monday March 9, 2026 at 1:00 PM EDT" in message.body
        assert "/proposal/" in message.body
        calendar, event = event_of(message.attachments[0][1])
        assert (calendar["METHOD"], event["SEQUENCE"], event["STATUS"]) == ("REQUEST", 1, "TENTATIVE")
        event = ConsultationEvent.objects.get()
        assert event.action == "propose"
        assert "From Mon Mar 9, 2026 9:00 AM EDT" in event.note and "to Mon Mar 9, 2026 1:00 PM EDT" in event.note
        # The old time is free again.
        assert NEXT_MONDAY in [
            slot.start for slot in free_slots_for(self.surgeon, first_day=NEXT_MONDAY.date(), days=1)
        ]

    def test_a_proposal_into_a_taken_time_is_refused_and_changes_nothing(self) -> None:
        taken = NEXT_MONDAY + timedelta(hours=1)
        make_consultation(self.surgeon, self.albany, taken)

        with self.assertRaises(SlotUnavailable):
            propose_another_time(
                consultation=self.consultation, surgeon=self.surgeon, start=taken, location=self.albany, by=self.desk
            )

        self.consultation.refresh_from_db()
        assert (self.consultation.start, self.consultation.sequence) == (NEXT_MONDAY, 0)
        assert not ConsultationEvent.objects.exists()
