"""Who gets what at every URL the site knows.

The table below is the access policy. The test walks every URL pattern the resolver knows; a pattern
missing from the table fails, so no page can be added without deciding who may see it.
"""

import re
from urllib.parse import urljoin

from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from clinic import roles
from consultations.links import patient_token
from tests.sitewide import SAMPLE_SLUG, VISITORS, SitewideTestCase

OK = "200"
SIGN_IN = "sent to sign in"
REDIRECT = "redirected elsewhere"
FORBIDDEN = "403"
NOT_FOUND = "404"
BAD_REQUEST = "400"
NOT_ALLOWED = "405 (POST only)"
# Read-only admin pages (audit logs, task results) may refuse adding or deleting, even to admins.
ADMIN_OPEN = "admin lets the admin in (not sent to sign in)"

WHO = VISITORS
EVERYONE = (OK, OK, OK, OK)

EXPECTED: dict[str, tuple[str, str, str, str]] = {
    # name: (anonymous, front desk, surgeon, admin)
    "clinic:home": EVERYONE,
    "clinic:privacy": EVERYONE,
    "clinic:surgeon-list": EVERYONE,
    "clinic:surgeon-detail": EVERYONE,
    # The sample surgeon has no photo; a photo, when there is one, is public like the profile.
    "clinic:surgeon-photo": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "clinic:credentials-reverify": (SIGN_IN, OK, FORBIDDEN, OK),
    "education:index": EVERYONE,
    "education:search": EVERYONE,
    "education:self-check": EVERYONE,
    # The sample article takes the same slug as the sample surgeon (URL parameters are sampled by name).
    "education:article": EVERYONE,
    "sitemap": EVERYONE,
    "robots": EVERYONE,
    # The red-flag screen comes before any free time; every client below has passed it (see visitors).
    "consultations:screen": EVERYONE,
    "consultations:request": EVERYONE,
    "consultations:pick-slot": EVERYONE,
    # Without a chosen time, the details page sends the patient back to choose one.
    "consultations:request-details": (REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # The signed link is the patient's key: whoever holds it sees that one request, and nobody else can guess it.
    "consultations:my-consultation": EVERYONE,
    "consultations:request-sent": EVERYONE,
    # The way back to a lost or expired link: anyone may ask, and everyone gets the same answer.
    "consultations:resend-link": EVERYONE,
    "consultations:resend-link-sent": EVERYONE,
    "consultations:cancel": EVERYONE,
    "consultations:reschedule": EVERYONE,
    # The intake history from the same link: it opens at the first step not yet saved.
    "consultations:intake": (REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    "consultations:intake-step": EVERYONE,
    "consultations:intake-review": EVERYONE,
    # A report's id is a second key beside the signed link; the sample one does not exist.
    "consultations:intake-upload": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "consultations:intake-upload-remove": (NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    # Public like the pages that show the same free times; without parameters it is a 400 naming them.
    "consultations:api-slots": (BAD_REQUEST, BAD_REQUEST, BAD_REQUEST, BAD_REQUEST),
    "healthz": EVERYONE,
    "clinic:sign-in": EVERYONE,
    "clinic:sign-out": (NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED, NOT_ALLOWED),
    "clinic:second-factor": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT),
    # An admin's one-time enrolment invitation is its own key, whoever is signed in; the sample one does not exist.
    "clinic:enrol": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "clinic:start": (SIGN_IN, REDIRECT, REDIRECT, REDIRECT),
    "consultations:desk-today": (SIGN_IN, OK, FORBIDDEN, OK),
    # Booking for a caller or a walk-in.
    "consultations:desk-book": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-queue": (SIGN_IN, OK, FORBIDDEN, OK),
    # Open requests grouped by where they came from; its one POST cancels a group.
    "consultations:desk-spam": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-consultation": (SIGN_IN, OK, FORBIDDEN, OK),
    # The desk's status buttons post here; the role is checked before the method, so others learn nothing.
    "consultations:desk-status": (SIGN_IN, NOT_ALLOWED, FORBIDDEN, NOT_ALLOWED),
    "consultations:desk-propose": (SIGN_IN, OK, FORBIDDEN, OK),
    # "Send again" for a stuck e-mail is posted from the messages panel; the role is checked first.
    "consultations:desk-message-resend": (SIGN_IN, NOT_ALLOWED, FORBIDDEN, NOT_ALLOWED),
    # The desk's check of the insurance is posted from the consultation's page; the role is checked first.
    "consultations:desk-coverage": (SIGN_IN, NOT_ALLOWED, FORBIDDEN, NOT_ALLOWED),
    # A card photo or referral letter: the desk's and the admin's, logged; the sample one does not exist.
    "consultations:desk-document": (SIGN_IN, NOT_FOUND, FORBIDDEN, NOT_FOUND),
    # With no proposed time waiting, the patient is sent back to their consultation's page.
    "consultations:proposal": (REDIRECT, REDIRECT, REDIRECT, REDIRECT),
    # The offer's id is a second key beside the signed link; the sample one does not exist.
    "consultations:waitlist-offer": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "consultations:desk-schedule": (SIGN_IN, OK, FORBIDDEN, OK),
    # Without the day to download, a 400 naming it.
    "consultations:desk-schedule-csv": (SIGN_IN, BAD_REQUEST, FORBIDDEN, BAD_REQUEST),
    "consultations:desk-availability": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-availability-surgeon": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-rule-add": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-rule-edit": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-rule-end": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-time-off-add": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-time-off": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-time-off-remove": (SIGN_IN, OK, FORBIDDEN, OK),
    # The search is posted (names stay out of URLs); a GET shows the empty form.
    "consultations:desk-patients": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:desk-patient": (SIGN_IN, OK, FORBIDDEN, OK),
    "consultations:surgeon-home": (SIGN_IN, FORBIDDEN, OK, FORBIDDEN),
    # The sample consultation is another surgeon's: the surgeon gets the 404 of a patient who is not theirs.
    "consultations:surgeon-summary": (SIGN_IN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    "consultations:surgeon-print": (SIGN_IN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    # The review is posted from the summary; as everywhere, the role is checked before the method.
    "consultations:surgeon-review": (SIGN_IN, FORBIDDEN, NOT_ALLOWED, FORBIDDEN),
    "consultations:surgeon-ask": (SIGN_IN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    "consultations:surgeon-upload": (SIGN_IN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    "consultations:surgeon-earlier": (SIGN_IN, FORBIDDEN, NOT_FOUND, FORBIDDEN),
    # The question's own id is a second key beside the signed link; the sample one does not exist.
    "consultations:patient-question": (NOT_FOUND, NOT_FOUND, NOT_FOUND, NOT_FOUND),
    "consultations:access-log": (SIGN_IN, FORBIDDEN, FORBIDDEN, OK),
    "consultations:access-log-csv": (SIGN_IN, FORBIDDEN, FORBIDDEN, OK),
    # All of one patient's data in a zip, for their right of access: practice admins only, logged.
    "consultations:patient-export": (SIGN_IN, FORBIDDEN, FORBIDDEN, OK),
}
# The Django admin guards every one of its pages the same way: practice admins only.
ADMIN_NAMESPACE = (SIGN_IN, SIGN_IN, SIGN_IN, ADMIN_OPEN)
ADMIN_EXCEPTIONS = {
    "admin:index": (SIGN_IN, SIGN_IN, SIGN_IN, OK),
    # Without the model and field to complete, the admin refuses even an admin.
    "admin:autocomplete": (SIGN_IN, SIGN_IN, SIGN_IN, FORBIDDEN),
}

# Values for URL parameters, by parameter name; `pk` (the authenticator admin's own pages) is set per test
# to a device that exists.
SAMPLE_KWARGS = {
    "slug": SAMPLE_SLUG,
    "object_id": "1",
    "id": "1",
    "app_label": "auth",
    "content_type_id": "1",
    "url": "missing/",
    "report": "00000000-0000-4000-8000-000000000001",
    "earlier_id": "00000000-0000-4000-8000-000000000002",
    "question": "00000000-0000-4000-8000-000000000003",
    "offer_id": "00000000-0000-4000-8000-000000000004",
    "upload": "00000000-0000-4000-8000-000000000005",
    "document": "00000000-0000-4000-8000-000000000006",
    "step": "about",
    "invitation": "not-a-real-invitation",
    "message_id": "1",
}


def all_patterns(resolver: URLResolver = None, namespace: str = "", prefix: str = "", params=()):
    """(name or route, namespace, parameter names) of every pattern, includes walked."""
    resolver = resolver or get_resolver()
    for pattern in resolver.url_patterns:
        names = (*params, *pattern.pattern.converters, *pattern.pattern.regex.groupindex)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}:{pattern.namespace}".strip(":") if pattern.namespace else namespace
            yield from all_patterns(pattern, inner, prefix + str(pattern.pattern), names)
        elif isinstance(pattern, URLPattern):
            name = f"{namespace}:{pattern.name}".strip(":") if pattern.name else None
            yield name, namespace, prefix + str(pattern.pattern), dict.fromkeys(names)


def url_for(name: str | None, route: str, params: dict, samples: dict[str, str]) -> str:
    if name:
        return reverse(name, kwargs={key: samples[key] for key in params})
    # Unnamed patterns (the admin's redirects and catch-all): fill the route in by hand.
    route = re.sub(r"<(?:\w+:)?(\w+)>", lambda m: samples[m[1]], route)
    return "/" + re.sub(r"\(\?P<(\w+)>[^)]*\)\$?", lambda m: samples[m[1]], route)


def outcome(client: Client, url: str) -> str:
    response = client.get(url)
    if response.status_code in (301, 302):
        # On from where the first answer points, rather than asking for `url` a second time.
        final = client.get(urljoin(url, response.url), follow=True)
        return SIGN_IN if final.request["PATH_INFO"] == reverse("clinic:sign-in") else REDIRECT
    return {200: OK, 400: BAD_REQUEST, 403: FORBIDDEN, 404: NOT_FOUND, 405: NOT_ALLOWED}.get(
        response.status_code, str(response.status_code)
    )


class AccessMatrixTests(SitewideTestCase):
    def test_every_url_pattern_has_an_access_rule(self) -> None:
        patterns = list(all_patterns())
        missing = [
            name or route for name, namespace, route, _ in patterns if namespace != "admin" and name not in EXPECTED
        ]
        stale = set(EXPECTED) - {name for name, *_ in patterns}

        assert not missing, f"Decide who may see these and add them to EXPECTED: {missing}"
        assert not stale, f"These are in EXPECTED but no longer exist: {stale}"

    def test_each_role_gets_what_the_table_says(self) -> None:
        clients = self.visitors()
        samples = SAMPLE_KWARGS | {
            "pk": str(TOTPDevice.objects.get(user=self.users[roles.ADMIN]).pk),
            "token": patient_token(self.consultation),
            "rule_id": str(self.rule.pk),
            "time_off_id": str(self.time_off.pk),
            "patient_id": str(self.consultation.patient_id),
            "public_id": str(self.consultation.public_id),
        }
        checked = 0
        for name, namespace, route, params in all_patterns():
            expected = ADMIN_EXCEPTIONS.get(name, ADMIN_NAMESPACE) if namespace == "admin" else EXPECTED.get(name)
            if expected is None:
                continue  # reported by the test above
            url = url_for(name, route, params, samples)
            for who, want in zip(WHO, expected, strict=True):
                with self.subTest(url=url, who=who):
                    got = outcome(clients[who], url)
                    if want == ADMIN_OPEN:
                        assert got != SIGN_IN, f"{who} at {url}: {got}"
                    else:
                        assert got == want, f"{who} at {url}: expected {want}, got {got}"
                checked += 1
        assert checked > 4 * len(EXPECTED)
