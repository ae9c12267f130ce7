"""No e-mail is lost with a worker: a send task left RUNNING past its lease (the worker killed) is taken back by the
next worker and sent once; a task run twice never sends twice."""

import threading
import time
from datetime import timedelta

from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import TransactionTestCase, override_settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from consultations.management.commands import db_worker
from consultations.models import SentMessage
from consultations.notify import tasks
from consultations.notify.leases import reclaim_expired_tasks
from tests.consultations.notify.test_messages import DB_TASKS
from tests.factories import make_consultation, make_location, make_surgeon

LEASE = timedelta(minutes=10)


def run_worker(*options: str) -> None:
    """A worker started afresh (after a restart), run in this process until the queue is empty."""
    call_command("db_worker", "--batch", "--no-startup-delay", *options, verbosity=0)


class TaskLeaseTests(TransactionTestCase):
    """Committed rows, as a real worker sees them: the worker closes connections it finds inside a transaction."""

    def setUp(self) -> None:
        # In the test, not on the class: the conftest's per-test fixture would put the immediate backend back.
        self.enterContext(override_settings(TASKS=DB_TASKS, TASK_LEASE=LEASE))
        albany = make_location()
        self.consultation = make_consultation(
            make_surgeon(locations=[albany]), albany, timezone.now() + timedelta(days=7)
        )

    def queue(self) -> SentMessage:
        with transaction.atomic():
            return tasks.queue_message(consultation=self.consultation, kind=SentMessage.Kind.REQUEST_RECEIVED)

    def killed_while_running(self, *, minutes_ago: float) -> DBTaskResult:
        """The queued task as a worker killed mid-send leaves it: claimed, RUNNING, never finished."""
        task = DBTaskResult.objects.get(status=TaskResultStatus.READY)
        task.claim("killed-worker")
        DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(minutes=minutes_ago))
        return task

    def test_a_task_left_running_past_its_lease_is_sent_exactly_once_after_a_restart(self) -> None:
        sent = self.queue()
        task = self.killed_while_running(minutes_ago=11)

        run_worker()

        assert [message.subject for message in mail.outbox] == ["We received your consultation request"]
        task.refresh_from_db()
        assert task.status == TaskResultStatus.SUCCESSFUL
        assert task.worker_ids[0] == "killed-worker" and len(task.worker_ids) == 2
        sent.refresh_from_db()
        assert (sent.state, sent.attempts) == ("sent", 1)

        run_worker()

        assert len(mail.outbox) == 1

    def test_a_task_within_its_lease_is_left_to_its_worker(self) -> None:
        self.queue()
        task = self.killed_while_running(minutes_ago=9)

        run_worker()

        assert mail.outbox == []
        task.refresh_from_db()
        assert task.status == TaskResultStatus.RUNNING

    def test_a_worker_that_is_not_in_batch_mode_takes_it_back_too(self) -> None:
        self.queue()
        self.killed_while_running(minutes_ago=30)

        call_command("db_worker", "--max-tasks", "1", "--no-startup-delay", "--no-reload", verbosity=0)

        assert len(mail.outbox) == 1

    def test_a_task_killed_after_the_send_was_recorded_does_not_send_again(self) -> None:
        sent = self.queue()
        task = self.killed_while_running(minutes_ago=11)
        SentMessage.objects.filter(pk=sent.pk).update(state=SentMessage.State.SENT, attempts=1)

        run_worker()

        assert mail.outbox == []
        task.refresh_from_db()
        assert task.status == TaskResultStatus.SUCCESSFUL

    def test_the_same_message_queued_twice_is_sent_once(self) -> None:
        sent = self.queue()
        tasks.send_message.enqueue(sent.pk)

        run_worker()

        assert len(mail.outbox) == 1
        assert DBTaskResult.objects.filter(status=TaskResultStatus.SUCCESSFUL).count() == 2

    def test_reclaiming_counts_only_expired_running_tasks(self) -> None:
        self.queue()
        self.queue()
        first, second = DBTaskResult.objects.order_by("enqueued_at")
        for task, minutes in ((first, 11), (second, 5)):
            task.claim("killed-worker")
            DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(minutes=minutes))

        assert reclaim_expired_tasks() == 1
        assert reclaim_expired_tasks() == 0
        assert set(DBTaskResult.objects.values_list("status", flat=True)) == {"READY", "RUNNING"}


class RunningWorkerLeaseTests(TransactionTestCase):
    def test_a_running_worker_keeps_taking_back_expired_tasks(self) -> None:
        """The worker's lease keeper, on its own thread and connection, as beside a long-running worker."""
        albany = make_location()
        consultation = make_consultation(make_surgeon(locations=[albany]), albany, timezone.now() + timedelta(days=7))
        with override_settings(TASKS=DB_TASKS, TASK_LEASE=timedelta(seconds=2)):
            with transaction.atomic():
                tasks.queue_message(consultation=consultation, kind=SentMessage.Kind.REQUEST_RECEIVED)
            task = DBTaskResult.objects.get()
            task.claim("killed-worker")
            DBTaskResult.objects.filter(pk=task.pk).update(started_at=timezone.now() - timedelta(minutes=1))
            stop = threading.Event()
            keeper = threading.Thread(
                target=db_worker._keep_reclaiming, args=(stop,), kwargs={"backend_name": "default"}
            )
            keeper.start()
            try:
                # It checks every second with this lease; wait for it, up to a generous bound.
                for _ in range(100):
                    task.refresh_from_db()
                    if task.status == TaskResultStatus.READY:
                        break
                    time.sleep(0.1)
            finally:
                stop.set()
                keeper.join()

        assert task.status == TaskResultStatus.READY
        assert mail.outbox == []  # taken back, for the next worker to run; not run by the keeper itself
