"""Possible spam: open online requests grouped by the address, e-mail or phone they came from (as keyed hashes,
see `consultations.booking.limits`), and the desk's cancelling of a whole group at once."""

from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser
from django.db import transaction
from django.db.models import Count, Max, Q
from django.utils import timezone

from consultations.desk import services
from consultations.models import Consultation

# What a group shares, as the desk reads it, by the consultation field that holds its keyed hash.
KINDS = {
    "address_hash": "the same internet address",
    "email_hash": "the same e-mail address",
    "phone_hash": "the same phone number",
}


@dataclass
class SpamGroup:
    kind: str
    key: str
    count: int
    newest: datetime
    consultations: list[Consultation] = field(default_factory=list)

    @property
    def shares(self) -> str:
        return KINDS[self.kind]


def minimum_group_size() -> int:
    return settings.SPAM_GROUP_MIN_REQUESTS


def _open() -> Q:
    return Q(status__in=Consultation.OCCUPYING, start__gt=timezone.now())


def possible_spam() -> list[SpamGroup]:
    """Every address, e-mail or phone with at least SPAM_GROUP_MIN_REQUESTS open requests, the group with the newest
    request first, each with its requests (newest first). One query per kind and one for all the requests, however
    many groups there are."""
    groups: dict[tuple[str, str], SpamGroup] = {}
    for kind in KINDS:
        rows = (
            Consultation.objects.filter(_open())
            .exclude(**{kind: ""})
            .values(kind)
            .annotate(count=Count("pk"), newest=Max("created_at"))
            .filter(count__gte=settings.SPAM_GROUP_MIN_REQUESTS)
        )
        for row in rows:
            groups[kind, row[kind]] = SpamGroup(kind=kind, key=row[kind], count=row["count"], newest=row["newest"])
    if not groups:
        return []
    in_any = Q()
    for kind in KINDS:
        keys = [key for group_kind, key in groups if group_kind == kind]
        if keys:
            in_any |= Q(**{f"{kind}__in": keys})
    requests = Consultation.objects.filter(_open() & in_any).for_desk().order_by("-created_at", "-pk")
    for consultation in requests:
        for kind in KINDS:
            group = groups.get((kind, getattr(consultation, kind)))
            if group is not None:
                group.consultations.append(consultation)
    return sorted(groups.values(), key=lambda group: (group.newest, group.count), reverse=True)


@transaction.atomic
def cancel_group(
    *, kind: str, key: str, public_ids: list[UUID], by: AbstractBaseUser, as_spam: bool
) -> list[Consultation]:
    """Cancel the group's requests the desk was shown (`public_ids`) that are still open and still in the group,
    each as any desk cancel: the patient is e-mailed, unless the desk marked the group as spam. Requests that can no
    longer be cancelled are left as they are. Returns those cancelled."""
    if kind not in KINDS:
        raise ValueError(f"Unknown group kind {kind!r}.")
    found = Consultation.objects.filter(_open(), public_id__in=public_ids, **{kind: key}).order_by("pk")
    cancelled = []
    for consultation in found:
        try:
            cancelled.append(services.cancel_consultation(consultation=consultation, by=by, as_spam=as_spam))
        except services.TransitionRefused:
            continue
    return cancelled
