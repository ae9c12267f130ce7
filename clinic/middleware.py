import time
from collections.abc import Callable
from zoneinfo import ZoneInfo

from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.contrib.auth.views import redirect_to_login
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control

SIGNED_IN_AT = "signed_in_at"
LAST_SEEN = "last_seen"


class StaffSessionMiddleware:
    """Ends a signed-in session after a spell idle or a long day, keeps its pages out of caches, and shows
    staff times in the practice's own time zone.

    Only staff have accounts, so every signed-in session is a staff session.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = time.time()
            session = request.session
            signed_in_at = session.setdefault(SIGNED_IN_AT, now)
            idle = now - session.get(LAST_SEEN, now)
            if idle > settings.STAFF_SESSION_IDLE.total_seconds() or (
                now - signed_in_at > settings.STAFF_SESSION_MAX.total_seconds()
            ):
                logout(request)
                messages.info(request, "You were signed out to protect patient information. Please sign in again.")
                return redirect_to_login(request.get_full_path())
            session[LAST_SEEN] = now
            timezone.activate(ZoneInfo(settings.PRACTICE_TIME_ZONE))
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()
        if request.user.is_authenticated:
            patch_cache_control(response, no_store=True, private=True)
        return response
