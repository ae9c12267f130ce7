"""The result of the red-flag screen a patient passes before any free time is shown (DOMAIN.md §3).

Nothing about the screen is stored on the server until a consultation exists: until then the result
lives in a signed cookie on the patient's own browser, holding flag keys, the answer about recent
surgery, the urgency, which acknowledgement was given and when, and never free text. A tampered,
expired or malformed cookie reads as "not screened". No ORM here; only Django's signing and cookies.
"""

import json
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.urls import reverse

from consultations.booking.red_flags import FLAGS, Advice, Urgency, classify

COOKIE_NAME = "red_flag_screen"
SALT = "consultations.red-flag-screen"
MAX_AGE = timedelta(hours=2)

# How long a patient must have had an emergency symptom, unchanged and examined by a doctor, to book past the
# emergency advice. Our own choice, not a published cut-off: DOMAIN.md §3 treats these symptoms as an emergency
# when they are new or worsening (cauda equina is best decompressed within 24-48 hours, §3 A), and six weeks is
# the near end of §3 C's "surgery within the last ~6-12 weeks" window, well past anything that could be new. A
# practice confirms it before going live, with the other numbers of DOMAIN.md §8.
SETTLED_WEEKS = 6

# What the patient confirms to go on past advice, by urgency. The cookie carries the key; the
# consultation's record keeps the words. The emergency one never calls the symptoms "not new": the symptoms it
# lists (only the ticked emergency ones) are worded "new ..." on the screen, so it speaks of how long the patient
# has had exactly those, and of a doctor who examined them.
ACKNOWLEDGEMENTS: dict[Urgency, tuple[str, str]] = {
    Urgency.SAME_DAY: (
        "read_advice",
        "I have read this advice. I understand that requesting a consultation does not replace seeing a doctor today.",
    ),
    Urgency.EMERGENCY: (
        "examined",
        f"I have had exactly these symptoms, without change, for more than {SETTLED_WEEKS} weeks, "
        "and a doctor has examined me for them.",
    ),
}


class NotAcknowledged(ValueError):
    """Advice that needs a confirmation was not confirmed, so the screen is not passed."""


@dataclass(frozen=True)
class ScreenResult:
    """A passed screen: what was ticked, and for any red flag, the confirmation that let the patient go on."""

    items: tuple[str, ...]
    recent_surgery: bool
    urgency: Urgency
    acknowledgement: str
    screened_at: datetime
    # The emergency symptoms the acknowledgement vouched for (flag keys); empty below an emergency.
    acknowledged_items: tuple[str, ...] = ()

    @classmethod
    def passed(
        cls, items: tuple[str, ...] | list[str], *, recent_surgery: bool, acknowledged: bool, at: datetime
    ) -> "ScreenResult":
        """The result for these answers; raises `NotAcknowledged` for a red flag without the confirmation and
        `KeyError` for an unknown flag key (a programming error: forms only pass known keys)."""
        advice = classify(items, recent_surgery=recent_surgery)
        acknowledgement = ""
        if advice.is_urgent:
            if not acknowledged:
                raise NotAcknowledged
            acknowledgement = ACKNOWLEDGEMENTS[advice.urgency][1]
        return cls(
            items=tuple(flag.key for flag in advice.flags),
            recent_surgery=recent_surgery,
            urgency=advice.urgency,
            acknowledgement=acknowledgement,
            screened_at=at,
            acknowledged_items=tuple(flag.key for flag in advice.emergency_flags),
        )

    @property
    def advice(self) -> Advice:
        return classify(self.items, recent_surgery=self.recent_surgery)

    @property
    def message_shown(self) -> str:
        """The advice the screen showed, headline first, one instruction a line; empty when nothing was ticked."""
        advice = self.advice
        return "\n".join((advice.headline, *advice.instructions)) if advice.is_urgent else ""


def encode(result: ScreenResult) -> str:
    """The cookie's (unsigned) value: flag keys, flags and codes only."""
    return json.dumps(
        {
            "items": list(result.items),
            "recent_surgery": result.recent_surgery,
            "urgency": int(result.urgency),
            "acknowledgement": ACKNOWLEDGEMENTS[result.urgency][0] if result.acknowledgement else "",
            "at": int(result.screened_at.timestamp()),
        },
        separators=(",", ":"),
    )


def decode(value: str) -> ScreenResult | None:
    """The result in a cookie value, or None for anything that is not one we would have written today
    (also when the rules have changed since, so that the patient is asked again)."""
    try:
        data = json.loads(value)
        items, recent_surgery, at = data["items"], data["recent_surgery"], data["at"]
        if not (isinstance(items, list) and isinstance(recent_surgery, bool) and type(at) is int):
            return None
        if not all(isinstance(key, str) and key in FLAGS for key in items):
            return None
        result = ScreenResult.passed(
            items,
            recent_surgery=recent_surgery,
            acknowledged=bool(data["acknowledgement"]),
            at=datetime.fromtimestamp(at, tz=UTC),
        )
    except (ValueError, TypeError, KeyError, OverflowError, OSError):
        return None
    expected_key = ACKNOWLEDGEMENTS[result.urgency][0] if result.urgency else ""
    if data["urgency"] != result.urgency or data["acknowledgement"] != expected_key:
        return None
    return result


def read(request: HttpRequest) -> ScreenResult | None:
    """The screen this browser passed in the last two hours, if any."""
    value = request.get_signed_cookie(COOKIE_NAME, default=None, salt=SALT, max_age=MAX_AGE)
    if value is None:
        return None
    try:
        return decode(signing.b64_decode(value.encode()).decode())
    except ValueError:  # not base64, or not UTF-8
        return None


def remember(response: HttpResponse, result: ScreenResult) -> None:
    """Hand the result to the browser: signed, unreadable to scripts, sent only to the booking pages."""
    response.set_signed_cookie(
        COOKIE_NAME,
        # Base64, so that the JSON's quotes and commas need no cookie quoting.
        signing.b64_encode(encode(result).encode()).decode(),
        salt=SALT,
        max_age=int(MAX_AGE.total_seconds()),
        path=reverse("consultations:request"),
        secure=not settings.DEBUG,
        httponly=True,
        samesite="Lax",
    )


def forget(response: HttpResponse) -> None:
    """Clear the result once a request carries it, so the next person at this browser is asked again."""
    response.delete_cookie(COOKIE_NAME, path=reverse("consultations:request"), samesite="Lax")
