"""django-tasks-db's `db_worker`, with task leases: when it starts, and every little while as it runs, a task left
RUNNING past `TASK_LEASE` (its worker was killed) is put back in the queue, so no e-mail is lost with a worker.
Same options as the original; it takes the name because consultations comes first in INSTALLED_APPS."""

import logging
import threading
from datetime import timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, connections
from django_tasks_db.management.commands import db_worker

from consultations.notify.leases import reclaim_expired_tasks

logger = logging.getLogger(__name__)


def check_every(lease: timedelta) -> float:
    """Seconds between lease checks: often enough that a lost task waits little past its lease."""
    return max(1.0, min(60.0, lease.total_seconds() / 2))


def _keep_reclaiming(stop: threading.Event, *, backend_name: str) -> None:
    try:
        while not stop.wait(check_every(settings.TASK_LEASE)):
            try:
                reclaim_expired_tasks(backend_name=backend_name)
            except DatabaseError:
                logger.warning("Could not check task leases (database unavailable); trying again shortly")
    finally:
        connections.close_all()  # this thread's own connection


class Command(db_worker.Command):
    help = "Run a database background worker that also takes back tasks left running past their lease"

    def handle(self, *args: Any, **options: Any) -> None:
        backend_name = options["backend_name"]
        reclaim_expired_tasks(backend_name=backend_name)
        if options["batch"]:
            super().handle(*args, **options)
            return
        stop = threading.Event()
        keeper = threading.Thread(
            target=_keep_reclaiming, args=(stop,), kwargs={"backend_name": backend_name}, daemon=True
        )
        keeper.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            keeper.join(timeout=10)
