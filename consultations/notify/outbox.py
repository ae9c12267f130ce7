"""Messages that are not on their way: given up after every retry, or queued with no task left to send them (its
worker died, or the process stopped between the commit and the enqueue). The desk and `manage.py stuck_messages`
list them, and either can send one again."""

import logging
from functools import partial

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import BigIntegerField, Exists, OuterRef, Q, QuerySet
from django.db.models.fields.json import KT
from django.db.models.functions import Cast
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from consultations.models import SentMessage
from consultations.notify.tasks import send_message

logger = logging.getLogger(__name__)


class NotStuck(Exception):
    """The message was sent, or is on its way: sending it again would only send it twice."""


def _live_task() -> Exists:
    """A send task for the outer message that a worker will still run: waiting, or running within its lease."""
    within_lease = timezone.now() - settings.TASK_LEASE
    return Exists(
        DBTaskResult.objects.annotate(message_id=Cast(KT("args_kwargs__args__0"), BigIntegerField()))
        .filter(task_path=send_message.module_path, message_id=OuterRef("pk"))
        .filter(Q(status=TaskResultStatus.READY) | Q(status=TaskResultStatus.RUNNING, started_at__gte=within_lease))
    )


def with_stuck(messages: QuerySet[SentMessage]) -> QuerySet[SentMessage]:
    """`messages`, each with `is_stuck`: failed, or queued longer than a lease with no task to send it."""
    waited_long_enough = timezone.now() - settings.TASK_LEASE
    return messages.annotate(
        is_stuck=Q(state=SentMessage.State.FAILED)
        | (Q(state=SentMessage.State.QUEUED, created_at__lt=waited_long_enough) & ~_live_task())
    )


def stuck_messages() -> QuerySet[SentMessage]:
    return (
        with_stuck(SentMessage.objects.filter(state__in=[SentMessage.State.FAILED, SentMessage.State.QUEUED]))
        .filter(is_stuck=True)
        .select_related("consultation")
        .order_by("created_at", "pk")
    )


@transaction.atomic
def send_again(*, message: SentMessage, by: AbstractBaseUser | None) -> SentMessage:
    """Queue a stuck message once more, with the full round of retries; `by` is None from the command line."""
    locked = with_stuck(SentMessage.objects.select_for_update(of=("self",))).get(pk=message.pk)
    if not locked.is_stuck:
        raise NotStuck
    locked.state = SentMessage.State.QUEUED
    locked.save(update_fields=["state"])
    transaction.on_commit(partial(send_message.enqueue, locked.pk))
    logger.info("E-mail %s queued again by %s", locked.pk, f"user {by.pk}" if by else "the command line")
    return locked
