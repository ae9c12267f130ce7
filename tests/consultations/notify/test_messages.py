import socket
from datetime import UTC, datetime, timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, TransactionTestCase, override_settings
from django_tasks_db.models import DBTaskResult
from icalendar import Calendar

from consultations.models import Consultation, SentMessage
from consultations.notify import tasks
from consultations.notify.emails import calendar_file
from tests.factories import make_consultation, make_location, make_surgeon

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
DB_TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend", "QUEUES": ["default"]}}


def event_of(ics: bytes):
    calendar = Calendar.from_ical(ics)
    return calendar, next(iter(calendar.walk("VEVENT")))


@time_machine.travel(NOW, tick=False)
class CalendarFileTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(timezone="America/New_York")
        cls.consultation = make_consultation(make_surgeon(locations=[cls.albany]), cls.albany, NINE)

    def test_a_request_in_the_locations_time_zone(self) -> None:
        calendar, event = event_of(calendar_file(self.consultation))

        assert calendar["METHOD"] == "REQUEST"
        assert event["DTSTART"].params["TZID"] == "America/New_York"
        assert event.decoded("DTSTART") == NINE
        assert event.decoded("DTEND") == NINE + timedelta(minutes=30)
        assert [tz["TZID"] for tz in calendar.walk("VTIMEZONE")] == ["America/New_York"]
        assert event["SEQUENCE"] == 0

    def test_the_uid_stays_and_the_sequence_rises_with_each_change(self) -> None:
        _, before = event_of(calendar_file(self.consultation))
        self.consultation.sequence = 2
        calendar, after = event_of(calendar_file(self.consultation, cancelled=True))

        assert before["UID"] == after["UID"] == f"{self.consultation.public_id}@127.0.0.1"
        assert after["SEQUENCE"] == 2
        assert calendar["METHOD"] == "CANCEL"
        assert after["STATUS"] == "CANCELLED"


def closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@time_machine.travel(NOW, tick=False)
class MailServerDownTests(TransactionTestCase):
    """A request made while the mail server is down keeps its consultation and sends the e-mail later.

    The worker closes database connections between tasks, as in production, so this test commits for real."""

    def test_the_email_waits_in_the_queue_and_goes_when_the_server_is_back(self) -> None:
        albany = make_location()
        consultation = make_consultation(make_surgeon(locations=[albany]), albany, NINE)

        with override_settings(
            TASKS=DB_TASKS,
            EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
            EMAIL_HOST="127.0.0.1",
            EMAIL_PORT=closed_port(),
            EMAIL_USE_TLS=False,
        ):
            with transaction.atomic():
                sent = tasks.queue_message(consultation=consultation, kind=SentMessage.Kind.REQUEST_RECEIVED)
            call_command("db_worker", batch=True, verbosity=0)
            waiting = DBTaskResult.objects.filter(status="READY").get()
            assert waiting.run_after == NOW + tasks.RETRY_DELAYS[0]
            assert waiting.args_kwargs["args"] == [sent.pk, 1]
            assert not mail.outbox

        with override_settings(TASKS=DB_TASKS), time_machine.travel(NOW + timedelta(minutes=2), tick=False):
            call_command("db_worker", batch=True, verbosity=0)

        assert [message.subject for message in mail.outbox] == ["We received your consultation request"]
        assert Consultation.objects.filter(pk=consultation.pk).exists()
