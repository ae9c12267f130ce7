"""While PostgreSQL cannot be reached, every page answers 503 with a plain page that needs no database: the
middleware answers for a view that failed, the site's 500 handler for a middleware that did (the session, the
signed-in user). `/healthz` answers for itself, in JSON."""

import logging
import sys
from collections.abc import Callable

from django.conf import settings
from django.db import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.template.loader import render_to_string
from django.utils.cache import patch_cache_control

logger = logging.getLogger(__name__)

# What a lost or refused connection raises; other database errors (a bad query, a broken constraint) are bugs.
DATABASE_DOWN = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 60


def unavailable_response() -> HttpResponse:
    """The 503 page, from settings alone: no request context, so no context processor can reach the database."""
    context = {"PRACTICE_NAME": settings.PRACTICE_NAME, "PRACTICE_PHONE": settings.PRACTICE_PHONE}
    response = HttpResponse(render_to_string("503.html", context), status=503)
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    patch_cache_control(response, no_store=True)
    return response


def database_is_down() -> bool:
    """Whether the exception being handled now is a lost database."""
    return isinstance(sys.exc_info()[1], DATABASE_DOWN)


class DatabaseUnavailableMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if not isinstance(exception, DATABASE_DOWN):
            return None
        # No path: a patient's link must not reach the logs.
        logger.error("Database unavailable (%s); answered 503", type(exception).__name__)
        return unavailable_response()
