"""The set-up shared by the site-wide checks (test_access_matrix, test_no_foreign_hosts): one staff user per role
with a confirmed second factor, one of each thing a URL can name, and one client per visitor."""

from datetime import time, timedelta

from django.contrib.auth.models import User
from django.test import Client, TestCase
from django.utils import timezone

from clinic import roles
from consultations.models import AvailabilityRule, Consultation, TimeOff
from tests.factories import (
    make_article,
    make_consultation,
    make_location,
    make_rule,
    make_surgeon,
    make_time_off,
    make_user,
    screened,
    sign_in,
)

ANONYMOUS = "anonymous"
VISITORS = (ANONYMOUS, roles.FRONT_DESK, roles.SURGEON, roles.ADMIN)
# The sample article takes the same slug as the sample surgeon, so that one `slug` value opens both.
SAMPLE_SLUG = "sample-surgeon"


class SitewideTestCase(TestCase):
    users: dict[str, User]
    consultation: Consultation
    rule: AvailabilityRule
    time_off: TimeOff

    @classmethod
    def setUpTestData(cls) -> None:
        cls.users = {role: make_user(role=role) for role in VISITORS[1:]}
        location = make_location()
        surgeon = make_surgeon(slug=SAMPLE_SLUG, locations=[location])
        make_article(slug=SAMPLE_SLUG)
        cls.consultation = make_consultation(surgeon, location, timezone.now() + timedelta(days=10))
        # One half-hour clinic a week: every page of free times shows some, and the crawl has few same-page links
        # (a details page per free time) to follow.
        cls.rule = make_rule(surgeon, location, end_time=time(9, 30))
        cls.time_off = make_time_off(surgeon, timezone.now() + timedelta(days=30), timezone.now() + timedelta(days=31))

    def visitors(self) -> dict[str, Client]:
        """One client per visitor, anonymous first, each past the red-flag screen (so the free times behind it
        open) and, for a role, signed in with both factors."""
        clients = {}
        for who in VISITORS:
            clients[who] = Client()
            screened(clients[who])
            if who in self.users:
                sign_in(clients[who], self.users[who])
        return clients
