"""Rate limits counted in PostgreSQL, so that they hold across gunicorn workers and app hosts: who the client
is (`client_address`), keyed hashes that name an address or a contact without storing it, one atomic count per
write (`count`), and the view decorator that answers 429 to anonymous visitors over a limit.

Windows are fixed (each bucket's clock starts at whole multiples of its length, in the database's time). Rows of
ended windows are deleted on the fly, a few at a time, whenever a new window's row is created: no command to run.
"""

import hashlib
import hmac
import ipaddress
import math
import re
from collections.abc import Callable
from dataclasses import dataclass
from functools import wraps
from typing import Any

from django.conf import settings
from django.db import connection
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from clinic.models import Location, RateCount

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# Rows of ended windows removed per new window, so that the clean-up never holds up a request for long.
CLEAN_UP_BATCH = 200

View = Callable[..., HttpResponse]

_TABLE = RateCount._meta.db_table
_COUNT_SQL = f"""
    INSERT INTO {_TABLE} (bucket, key, window_start, count)
    VALUES (%(bucket)s, %(key)s, to_timestamp(floor(extract(epoch FROM now()) / %(seconds)s) * %(seconds)s), 1)
    ON CONFLICT (bucket, key, window_start) DO UPDATE SET count = {_TABLE}.count + 1
    RETURNING count, window_start, ceil(extract(epoch FROM window_start - now())) + %(seconds)s
"""
# SKIP LOCKED: two requests cleaning up at once neither wait for nor deadlock on each other.
_CLEAN_UP_SQL = f"""
    DELETE FROM {_TABLE} WHERE id IN (
        SELECT id FROM {_TABLE} WHERE bucket = %(bucket)s AND window_start < %(window_start)s
        LIMIT {CLEAN_UP_BATCH} FOR UPDATE SKIP LOCKED
    )
"""


@dataclass(frozen=True)
class Hit:
    """One write counted: the count so far in this window, the bucket's limit, and the whole seconds until the
    window ends (by the database's clock, which every app host shares)."""

    count: int
    limit: int
    seconds_left: int

    @property
    def exceeded(self) -> bool:
        return self.count > self.limit

    @property
    def retry_after(self) -> int:
        return max(1, self.seconds_left)


class RateLimited(Exception):
    """A limit was reached; `retry_after` says in how many seconds the next window opens."""

    def __init__(self, retry_after: int) -> None:
        super().__init__(f"Rate limit reached; try again in {retry_after} s.")
        self.retry_after = retry_after


def _ip(value: str) -> str:
    try:
        return str(ipaddress.ip_address(value.strip()))
    except ValueError:
        return ""


def client_address(request: HttpRequest) -> str:
    """The client's address: the connecting address, or behind DJANGO_PROXY_COUNT proxies of ours (each appending
    the address it saw to X-Forwarded-For), the address our outermost proxy saw. Entries further left were written
    by the client and are never trusted. "" when there is no valid address (a misconfigured proxy)."""
    remote = _ip(request.META.get("REMOTE_ADDR", ""))
    proxies = settings.PROXY_COUNT
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
    if proxies <= 0 or len(forwarded) < proxies:
        return remote
    return _ip(forwarded[-proxies]) or remote


def client_address_for_axes(request: HttpRequest) -> str | None:
    """The same address for django-axes' sign-in lockout, which stores it in an inet column (None: unknown)."""
    return client_address(request) or None


def keyed_hash(kind: str, value: str) -> str:
    """An HMAC of `value` with the secret key: the same input gives the same key, and the key does not give the
    input back. `kind` keeps an address and a contact that read alike apart."""
    message = f"{kind}:{value}".encode()
    return hmac.new(settings.SECRET_KEY.encode(), message, hashlib.sha256).hexdigest()


def address_key(request: HttpRequest) -> str:
    return keyed_hash("address", client_address(request))


def email_key(email: str) -> str:
    return keyed_hash("email", email.strip().lower())


def phone_key(phone: str) -> str:
    """The digits only, without a leading US country code: (518) 555-0142 and +1 518-555-0142 are one number."""
    digits = re.sub(r"\D", "", phone)
    if len(digits) == 11 and digits.startswith("1"):
        digits = digits[1:]
    return keyed_hash("phone", digits)


def count(*, bucket: str, key: str) -> Hit:
    """Count one write in the bucket's current window, in one statement (an INSERT … ON CONFLICT … DO UPDATE), so
    that simultaneous writes on any number of workers are each counted once. Inside a transaction, the count is
    undone with it and holds the row until commit, so the same client's next count waits for the outcome."""
    limit, seconds = settings.RATE_LIMITS[bucket]
    with connection.cursor() as cursor:
        cursor.execute(_COUNT_SQL, {"bucket": bucket, "key": key, "seconds": seconds})
        hits, window_start, seconds_left = cursor.fetchone()
        if hits == 1:
            cursor.execute(_CLEAN_UP_SQL, {"bucket": bucket, "window_start": window_start})
    return Hit(count=hits, limit=limit, seconds_left=int(seconds_left))


def check(*, bucket: str, key: str) -> Hit:
    """Count one write and raise RateLimited if it goes over the bucket's limit."""
    hit = count(bucket=bucket, key=key)
    if hit.exceeded:
        raise RateLimited(hit.retry_after)
    return hit


def too_many_requests(request: HttpRequest, *, retry_after: int, contact: bool = False) -> HttpResponse:
    """The 429 page: what happened, when to try again, and the practice's numbers to call instead. `contact`: the
    limit was on open requests per e-mail or phone, not on what came from one address."""
    minutes = max(1, math.ceil(retry_after / 60))
    locations = Location.objects.order_by("name").only("name", "phone")
    context = {"minutes": minutes, "contact": contact, "locations": locations}
    response = render(request, "429.html", context, status=429)
    response["Retry-After"] = str(retry_after)
    return response


def limit_anonymous_writes(bucket: str) -> Callable[[View], View]:
    """Count every POST (any method that can change something) by a visitor who is not signed in, per client
    address, in `bucket` of settings.RATE_LIMITS; over the limit, the 429 page instead of the view. Staff who are
    signed in are not counted."""
    return _limit(bucket, uploads_only=False)


def limit_anonymous_uploads(bucket: str) -> Callable[[View], View]:
    """As `limit_anonymous_writes`, counting only the writes that carry files."""
    return _limit(bucket, uploads_only=True)


def _limit(bucket: str, *, uploads_only: bool) -> Callable[[View], View]:
    def decorator(view: View) -> View:
        @wraps(view)
        def limited(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            anonymous_write = request.method not in SAFE_METHODS and not request.user.is_authenticated
            if anonymous_write and (not uploads_only or request.FILES):
                try:
                    check(bucket=bucket, key=address_key(request))
                except RateLimited as limited_error:
                    return too_many_requests(request, retry_after=limited_error.retry_after)
            return view(request, *args, **kwargs)

        return limited

    return decorator
