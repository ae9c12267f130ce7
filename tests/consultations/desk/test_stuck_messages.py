"""The messages panel shows e-mails that failed or are stuck in the queue, and the desk sends them again."""

from datetime import timedelta
from io import StringIO

from django.core.management import call_command
from django.test import TestCase, override_settings
from django.urls import reverse
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from clinic import roles
from consultations.models import Consultation, SentMessage
from consultations.notify import tasks
from tests.consultations.notify.test_messages import DB_TASKS
from tests.factories import make_consultation, make_location, make_surgeon, make_user, sign_in

LEASE = timedelta(minutes=10)


def resend_url(message: SentMessage) -> str:
    return reverse("consultations:desk-message-resend", args=[message.consultation.public_id, message.pk])


def tasks_for(message: SentMessage) -> list[str]:
    return [
        task.status
        for task in DBTaskResult.objects.filter(task_path=tasks.send_message.module_path)
        if task.args_kwargs["args"][0] == message.pk
    ]


class StuckMessagesTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        albany = make_location()
        cls.consultation = make_consultation(
            make_surgeon(locations=[albany]), albany, timezone.now() + timedelta(days=7)
        )
        cls.desk = make_user(role=roles.FRONT_DESK)

    def setUp(self) -> None:
        self.enterContext(override_settings(TASKS=DB_TASKS, TASK_LEASE=LEASE))

    def message(
        self, state: str, *, minutes_ago: int = 30, queued_task: bool = False, consultation: Consultation | None = None
    ) -> SentMessage:
        with self.captureOnCommitCallbacks(execute=queued_task):
            sent = tasks.queue_message(
                consultation=consultation or self.consultation, kind=SentMessage.Kind.REQUEST_RECEIVED
            )
        SentMessage.objects.filter(pk=sent.pk).update(
            state=state,
            created_at=timezone.now() - timedelta(minutes=minutes_ago),
            attempts=6 if state == "failed" else 0,
        )
        sent.refresh_from_db()
        return sent


class DeskPanelTests(StuckMessagesTestCase):
    def setUp(self) -> None:
        super().setUp()
        sign_in(self.client, self.desk)

    def page(self):
        return self.client.get(reverse("consultations:desk-consultation", args=[self.consultation.public_id]))

    def test_failed_and_stuck_messages_offer_send_again_and_others_do_not(self) -> None:
        failed = self.message("failed")
        stuck = self.message("queued")
        self.message("queued", queued_task=True)  # on its way: a worker will send it
        self.message("queued", minutes_ago=2)  # just queued
        self.message("sent")

        response = self.page()

        self.assertContains(response, "Stuck in the queue", count=1)
        self.assertContains(response, "Send again<", count=2)
        self.assertContains(response, f'action="{resend_url(failed)}"')
        self.assertContains(response, f'action="{resend_url(stuck)}"')

    def test_send_again_queues_a_failed_message_with_its_task(self) -> None:
        failed = self.message("failed")

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(resend_url(failed))

        self.assertRedirects(
            response,
            reverse("consultations:desk-consultation", args=[self.consultation.public_id]),
            fetch_redirect_response=False,
        )
        failed.refresh_from_db()
        assert failed.state == "queued"
        assert tasks_for(failed) == [TaskResultStatus.READY]
        page = self.page()
        self.assertContains(page, "is queued to be sent again")
        self.assertNotContains(page, "Send again<")

    def test_a_message_on_its_way_is_not_queued_twice(self) -> None:
        waiting = self.message("queued", queued_task=True)
        sent = self.message("sent")

        for message in (waiting, sent):
            with self.subTest(state=message.state):
                response = self.client.post(resend_url(message))

                assert response.status_code == 409
                self.assertContains(response, "is sent or on its way already", status_code=409)
        assert tasks_for(waiting) == [TaskResultStatus.READY]
        assert tasks_for(sent) == []

    def test_another_consultations_message_is_not_found(self) -> None:
        other = make_consultation(
            self.consultation.surgeon, self.consultation.location, timezone.now() + timedelta(days=9)
        )
        failed = self.message("failed", consultation=other)
        url = reverse("consultations:desk-message-resend", args=[self.consultation.public_id, failed.pk])

        assert self.client.post(url).status_code == 404
        failed.refresh_from_db()
        assert failed.state == "failed"

    def test_a_surgeon_cannot_send_again(self) -> None:
        failed = self.message("failed")
        sign_in(self.client, make_user(role=roles.SURGEON))

        assert self.client.post(resend_url(failed)).status_code == 403
        failed.refresh_from_db()
        assert failed.state == "failed"


class StuckMessagesCommandTests(StuckMessagesTestCase):
    def test_lists_failed_and_stuck_messages_and_queues_them_again(self) -> None:
        failed = self.message("failed")
        stuck = self.message("queued")
        waiting = self.message("queued", queued_task=True)
        out = StringIO()

        call_command("stuck_messages", stdout=out)

        listed = out.getvalue()
        assert f"{failed.pk}\t{self.consultation.reference}\trequest_received\tfailed" in listed
        assert f"{stuck.pk}\t{self.consultation.reference}\trequest_received\tqueued" in listed
        assert f"{waiting.pk}\t" not in listed
        assert "2 stuck or failed e-mail(s)" in listed
        assert tasks_for(failed) == tasks_for(stuck) == []

        with self.captureOnCommitCallbacks(execute=True):
            call_command("stuck_messages", "--send-again", stdout=StringIO())

        assert tasks_for(failed) == tasks_for(stuck) == [TaskResultStatus.READY]
        out = StringIO()
        call_command("stuck_messages", stdout=out)
        assert out.getvalue() == "No stuck or failed e-mails.\n"
