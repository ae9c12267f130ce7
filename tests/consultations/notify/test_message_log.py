"""The record behind the desk's messages panel: every e-mail, with its attempts and how it went."""

from datetime import timedelta

import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TestCase, TransactionTestCase, override_settings

from clinic import roles
from consultations.models import SentMessage
from consultations.notify import tasks
from tests.consultations.notify.test_messages import DB_TASKS, NINE, NOW, closed_port
from tests.factories import make_consultation, make_location, make_surgeon, make_user


@time_machine.travel(NOW, tick=False)
class MessageLogTests(TestCase):
    def test_the_existing_emails_are_logged_with_their_recipients(self) -> None:
        desk = make_user(role=roles.FRONT_DESK)
        albany = make_location()
        consultation = make_consultation(make_surgeon(locations=[albany]), albany, NINE)

        with self.captureOnCommitCallbacks(execute=True):
            tasks.queue_message(consultation=consultation, kind=SentMessage.Kind.REQUEST_RECEIVED)
            tasks.queue_message(consultation=consultation, kind=SentMessage.Kind.NEW_REQUEST_TO_DESK)

        assert len(mail.outbox) == 2
        logged = {sent.kind: sent for sent in SentMessage.objects.all()}
        assert set(logged) == {"request_received", "new_request_to_desk"}
        assert logged["request_received"].to == consultation.patient.email
        assert logged["new_request_to_desk"].to == desk.email
        assert all((sent.state, sent.attempts, sent.sent_at) == ("sent", 1, NOW) for sent in logged.values())


@time_machine.travel(NOW, tick=False)
class MailServerDownLogTests(TransactionTestCase):
    def test_a_failed_attempt_shows_as_queued_with_its_error_then_as_sent(self) -> None:
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
                tasks.queue_message(consultation=consultation, kind=SentMessage.Kind.CANCELLED)
            call_command("db_worker", batch=True, verbosity=0)

        sent = SentMessage.objects.get()
        assert (sent.kind, sent.state, sent.attempts) == ("cancelled", "queued", 1)
        assert sent.last_error.startswith("ConnectionRefusedError")

        with override_settings(TASKS=DB_TASKS), time_machine.travel(NOW + timedelta(minutes=2), tick=False):
            call_command("db_worker", batch=True, verbosity=0)

        sent.refresh_from_db()
        assert (sent.state, sent.attempts, sent.sent_at) == ("sent", 2, NOW + timedelta(minutes=2))
        assert SentMessage.objects.count() == 1
        assert [message.subject for message in mail.outbox] == ["Your consultation is cancelled"]
