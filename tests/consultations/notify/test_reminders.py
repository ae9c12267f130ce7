"""Reminders: 48 hours before a confirmed consultation, 72 hours before a history still not sent; never twice."""

from datetime import UTC, datetime, timedelta
from io import StringIO

import time_machine
from django.core import mail
from django.core.management import call_command
from django.test import TestCase, TransactionTestCase

from consultations.models import Consultation, Intake, SentMessage
from consultations.notify import tasks
from consultations.notify.reminders import send_due_reminders
from tests.consultations.booking.test_concurrency import run_at_once
from tests.factories import make_consultation, make_intake, make_location, make_surgeon

Status = Consultation.Status
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
REMINDER = "A reminder about your consultation"
NUDGE = "One thing to do before your consultation"


def subjects() -> list[str]:
    return [message.subject for message in mail.outbox]


@time_machine.travel(NOW, tick=False)
class SendRemindersTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(name="Albany Spine Clinic", address="12 Pine Street\nAlbany, NY 12207")
        cls.surgeon = make_surgeon(locations=[cls.albany])

    def consultation(self, hours_ahead: float, *, status: str = Status.CONFIRMED, intake: str | None = "completed"):
        consultation = make_consultation(self.surgeon, self.albany, NOW + timedelta(hours=hours_ahead), status=status)
        if intake is not None:
            make_intake(consultation, status=intake, submitted_at=None if intake == "in_progress" else NOW)
        return consultation

    def run_command(self) -> str:
        out = StringIO()
        with self.captureOnCommitCallbacks(execute=True):
            call_command("send_reminders", stdout=out)
        return out.getvalue()

    def test_a_confirmed_consultation_is_reminded_once_two_days_before(self) -> None:
        consultation = self.consultation(47)

        assert self.run_command() == "Queued 1 reminder.\n"
        assert self.run_command() == "Queued 0 reminders.\n"

        assert subjects() == [REMINDER]
        (message,) = mail.outbox
        assert message.to == [consultation.patient.email]
        assert "Wednesday March 4, 2026 at 9:00 AM EST" in message.body
        assert "12 Pine Street" in message.body and "What to bring" in message.body
        assert "A photo ID and your insurance card." in message.body
        assert "/my-consultation/" in message.body and "change or cancel it here" in message.body
        sent = SentMessage.objects.get()
        assert (sent.kind, sent.state, sent.regarding_start) == ("reminder", "sent", consultation.start)

    def test_not_before_48_hours(self) -> None:
        self.consultation(49)

        self.run_command()
        assert subjects() == []

        with time_machine.travel(NOW + timedelta(hours=1, minutes=5), tick=False):
            self.run_command()
        assert subjects() == [REMINDER]

    def test_only_confirmed_consultations_get_the_48_hour_reminder(self) -> None:
        for status in (Status.REQUESTED, Status.CANCELLED, Status.DECLINED):
            self.consultation(24, status=status)
        self.consultation(-1)  # already started

        self.run_command()

        assert subjects() == []

    def test_a_history_not_sent_72_hours_before_gets_a_nudge_with_its_link(self) -> None:
        missing = self.consultation(71, status=Status.REQUESTED, intake=None)
        started = self.consultation(70, intake="in_progress")
        self.consultation(69, intake="completed")
        self.consultation(68, intake="amended")
        self.consultation(73, intake=None)  # not yet
        self.consultation(60, status=Status.CANCELLED, intake=None)

        self.run_command()
        self.run_command()

        assert subjects() == [NUDGE, NUDGE]
        assert sorted(message.to[0] for message in mail.outbox) == sorted(
            [missing.patient.email, started.patient.email]
        )
        assert all("/history/" in message.body for message in mail.outbox)
        assert "history" not in " ".join(subjects()).lower()

    def test_a_consultation_moved_after_its_reminder_gets_one_for_the_new_time(self) -> None:
        consultation = self.consultation(40)
        self.run_command()
        Consultation.objects.filter(pk=consultation.pk).update(
            start=consultation.start + timedelta(hours=2), end=consultation.end + timedelta(hours=2)
        )

        self.run_command()
        self.run_command()

        assert subjects() == [REMINDER, REMINDER]
        assert "at 4:00 AM EST" in mail.outbox[1].body  # 40 hours ahead, then two hours later

    def test_a_reminder_queued_before_a_cancellation_is_not_sent(self) -> None:
        consultation = self.consultation(40)
        sent = SentMessage.objects.create(
            consultation=consultation,
            kind=SentMessage.Kind.REMINDER,
            to=consultation.patient.email,
            regarding_start=consultation.start,
        )
        Consultation.objects.filter(pk=consultation.pk).update(status=Status.CANCELLED)

        tasks.send_message.enqueue(sent.pk)

        sent.refresh_from_db()
        assert sent.state == SentMessage.State.SKIPPED
        assert subjects() == []

    def test_a_nudge_queued_before_the_history_was_sent_is_not_sent(self) -> None:
        consultation = self.consultation(60, intake="in_progress")
        sent = SentMessage.objects.create(
            consultation=consultation,
            kind=SentMessage.Kind.INTAKE_NUDGE,
            to=consultation.patient.email,
            regarding_start=consultation.start,
        )
        Intake.objects.filter(consultation=consultation).update(status=Intake.Status.COMPLETED, submitted_at=NOW)

        tasks.send_message.enqueue(sent.pk)

        sent.refresh_from_db()
        assert sent.state == SentMessage.State.SKIPPED
        assert subjects() == []

    def test_a_message_sent_already_is_not_sent_again_by_a_repeated_task(self) -> None:
        self.consultation(40)
        self.run_command()
        sent = SentMessage.objects.get()

        tasks.send_message.enqueue(sent.pk)

        assert subjects() == [REMINDER]


@time_machine.travel(NOW, tick=False)
class SimultaneousReminderRunsTests(TransactionTestCase):
    def test_two_runs_at_the_same_moment_send_one_reminder(self) -> None:
        albany = make_location()
        consultation = make_consultation(
            make_surgeon(locations=[albany]), albany, NOW + timedelta(hours=30), status=Status.CONFIRMED
        )
        make_intake(consultation, status=Intake.Status.COMPLETED, submitted_at=NOW)

        results = run_at_once(lambda index: send_due_reminders(), 4)

        assert sorted(results) == [0, 0, 0, 1], results
        assert subjects() == [REMINDER]
        assert SentMessage.objects.get().state == SentMessage.State.SENT
