"""Task leases: a task left RUNNING longer than `TASK_LEASE` lost its worker (killed, or its host gone), so it is
put back to READY for the next worker to run again. Safe to run from every worker at once: rows are taken under
`FOR UPDATE SKIP LOCKED`, and only rows still RUNNING and still past the lease are changed."""

import logging

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django_tasks import DEFAULT_TASK_BACKEND_ALIAS, TaskResultStatus
from django_tasks_db.models import DBTaskResult

logger = logging.getLogger(__name__)


@transaction.atomic
def reclaim_expired_tasks(*, backend_name: str = DEFAULT_TASK_BACKEND_ALIAS) -> int:
    """Put every task RUNNING past its lease back in the queue; how many were taken back."""
    cutoff = timezone.now() - settings.TASK_LEASE
    expired = (
        DBTaskResult.objects.running()
        .filter(backend_name=backend_name, started_at__lt=cutoff)
        .order_by()
        .select_for_update(skip_locked=True)
    )
    ids = list(expired.values_list("id", flat=True))
    if not ids:
        return 0
    taken = DBTaskResult.objects.filter(id__in=ids, status=TaskResultStatus.RUNNING, started_at__lt=cutoff).update(
        status=TaskResultStatus.READY
    )
    logger.warning("Took back %d task(s) left running past their lease; they will run again", taken)
    return taken
