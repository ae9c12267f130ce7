"""How many requests one client may make: where a request came from (keyed hashes of the address, e-mail and
phone), and the limits checked inside the request's own transaction, so that simultaneous requests cannot
both slip past them."""

from dataclasses import dataclass

from django.conf import settings
from django.db import connection
from django.db.models import Count, Q
from django.http import HttpRequest
from django.utils import timezone

from clinic import ratelimit
from clinic.models import Surgeon
from consultations.models import Consultation


class TooManyRequests(Exception):
    """The address made too many requests lately (`by_address`), or the contact holds too many open ones; nothing
    was stored."""

    def __init__(self, retry_after: int, *, by_address: bool) -> None:
        super().__init__(f"Too many requests; try again in {retry_after} s.")
        self.retry_after = retry_after
        self.by_address = by_address


# An open request frees up when the desk or the patient ends it or its time passes; until then, an hour is a
# fair answer to "when may I try again".
OPEN_REQUESTS_RETRY_AFTER = 3600


@dataclass(frozen=True)
class RequestOrigin:
    """Where an online request came from: keyed hashes only, never the address, e-mail or phone themselves."""

    address_hash: str
    email_hash: str
    phone_hash: str

    @classmethod
    def of(cls, request: HttpRequest, *, email: str, phone: str) -> "RequestOrigin":
        return cls(
            address_hash=ratelimit.address_key(request),
            email_hash=ratelimit.email_key(email),
            phone_hash=ratelimit.phone_key(phone),
        )


def _lock_id(key: str) -> int:
    """A signed 64-bit number for pg_advisory_xact_lock, from the first 16 hex digits of a keyed hash."""
    return int.from_bytes(bytes.fromhex(key[:16]), "big", signed=True)


def open_requests(origin: RequestOrigin) -> Q:
    """Requests still ahead (requested, confirmed or checked in) made with the same e-mail or phone."""
    return Q(status__in=Consultation.OCCUPYING, start__gt=timezone.now()) & (
        Q(email_hash=origin.email_hash) | Q(phone_hash=origin.phone_hash)
    )


def check_request_limits(*, origin: RequestOrigin, surgeon: Surgeon) -> None:
    """Within the caller's transaction: hold the contact's locks until commit (so that a second request from the
    same e-mail or phone waits for this one's outcome), count the request against its address, and refuse it if
    the contact already holds too many open requests, with this surgeon or in all."""
    with connection.cursor() as cursor:
        # Always in the same order, so that two requests sharing one contact of two never wait on each other.
        for lock in sorted({_lock_id(origin.email_hash), _lock_id(origin.phone_hash)}):
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [lock])
    try:
        ratelimit.check(bucket="request", key=origin.address_hash)
    except ratelimit.RateLimited as error:
        raise TooManyRequests(error.retry_after, by_address=True) from error
    held = Consultation.objects.filter(open_requests(origin)).aggregate(
        total=Count("pk"), with_surgeon=Count("pk", filter=Q(surgeon=surgeon))
    )
    if (
        held["with_surgeon"] >= settings.OPEN_REQUESTS_PER_CONTACT_PER_SURGEON
        or held["total"] >= settings.OPEN_REQUESTS_PER_CONTACT
    ):
        raise TooManyRequests(OPEN_REQUESTS_RETRY_AFTER, by_address=False)
