"""Hostile input on every public form and the sign-in: 1,000 examples each, and no answer is a 500.

Each form's fields are read from its own page (so a new field is fuzzed without touching this file), then filled
with realistic hostile values: any unicode, NULs, very long strings, impossible dates, numbers out of range,
fields missing, sent twice or unknown, posted as multipart or url-encoded. Every example runs in its own
savepoint, rolled back after it, so one example's request, cancel or answer never shapes the next.
Marked `slow`; `make test` runs it (deselect with `-m "not slow"` when iterating on something else).
"""

import os
import re
from datetime import time, timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from urllib.parse import unquote, urlencode

import pytest
from django.contrib.auth.models import User
from django.db import transaction
from django.test import Client, TestCase
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from clinic import roles, services
from consultations.links import patient_token
from consultations.models import Consultation, InformationRequest
from consultations.models.intake import STEP_SLUGS
from tests.factories import (
    PASSWORD,
    make_article,
    make_consultation,
    make_intake,
    make_location,
    make_rule,
    make_surgeon,
    make_user,
    screened,
)

pytestmark = pytest.mark.slow

EXAMPLES = hypothesis_settings(
    max_examples=1000,
    deadline=None,
    # Fixed examples where CI decides whether a change lands; new random ones on every run elsewhere.
    derandomize=bool(os.environ.get("CI")),
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much],
)


@pytest.fixture(autouse=True)
def lift_rate_limits_for_fuzzing(settings) -> None:
    """Fuzzing sends thousands of anonymous posts from one address and one contact, which the rate limits would stop
    at the first few with a 429 (not a failure, but nothing behind it would be fuzzed), and in less than a second,
    which the request form's minimum fill time would refuse: lift both, keeping every bucket (an unknown one is an
    error of ours, which fuzzing must still find)."""
    settings.RATE_LIMITS = {bucket: (10**9, seconds) for bucket, (_, seconds) in settings.RATE_LIMITS.items()}
    settings.OPEN_REQUESTS_PER_CONTACT_PER_SURGEON = settings.OPEN_REQUESTS_PER_CONTACT = 10**9
    settings.REQUEST_FORM_MIN_SECONDS = 0


ODD = [
    "",
    " ",
    "\x00",
    "a\x00b",
    "\r\n",
    "0",
    "-1",
    "1e309",
    "NaN",
    "-inf",
    "99999999999999999999999999",
    "-2147483649",
    "9223372036854775808",
    "\uff11\uff12",  # full-width digits
    "٣",
    "0x10",
    "1,5",
    "2026-02-30",
    "2026-13-01",
    "0000-01-01",
    "0001-01-01",
    "9999-12-31",
    "10000-01-01",
    "-0001-01-01",
    "1969-12-31T23:59:60",
    "2026-03-08T02:30:00-05:00",
    "2026-03-08T02:30:00+99:00",
    "9999-12-31T23:59:59-23:59|clinic-1",
    "0001-01-01T00:00:00+14:00|clinic-1",
    "2026-01-01T09:00:00|",
    "|",
    "||||",
    "not-a-slot",
    "00000000-0000-0000-0000-000000000000",
    "on",
    "true",
    "yes",
    "None",
    "null",
    "[]",
    "{}",
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%00",
    "%",
    "\\",
    "../../etc/passwd",
    "\U0001d518\U0001d52b\U0001d526",  # mathematical letters
    "e\u0301\u0301\u0301",
    "\u202etxt.exe",
    "\ufeff",
    "\uffff",
    "🙂" * 40,
]

# Built once: generating 20,000 characters per example would cost more than the request.
LONG = [chunk * times for chunk in ("a", "9", "é", "🙂", "\x00", " ", "<") for times in (151, 256, 1001, 20_000)]
hostile_text = st.one_of(st.sampled_from(ODD), st.text(max_size=40), st.sampled_from(LONG))


class FieldsOnPage(HTMLParser):
    """The names of a page's form fields, with the values the page itself offers (options, hidden values)."""

    def __init__(self) -> None:
        super().__init__()
        self.fields: dict[str, set[str]] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("input", "textarea", "select") and found.get("name"):
            self.fields.setdefault(found["name"], set())
            if tag == "input" and found.get("value"):
                self.fields[found["name"]].add(found["value"])
            self._select = found["name"] if tag == "select" else self._select
        elif tag == "option" and self._select and found.get("value") is not None:
            self.fields[self._select].add(found["value"])

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def fields_of(html: str, *, extra: dict[str, set[str]] | None = None) -> dict[str, list[str]]:
    parser = FieldsOnPage()
    parser.feed(html)
    fields = parser.fields | (extra or {})
    fields.pop("csrfmiddlewaretoken", None)
    assert fields, "the page shows no form fields"
    return {name: sorted(values) for name, values in sorted(fields.items())}


def form_data(fields: dict[str, list[str]]) -> st.SearchStrategy[dict[str, list[str]]]:
    """Each field missing, or sent once or more, with one of the page's own values or something hostile; and now
    and then a field no form has."""

    def values(offered: list[str]) -> st.SearchStrategy[list[str]]:
        one = st.one_of(st.sampled_from(offered), hostile_text) if offered else hostile_text
        return st.lists(one, min_size=1, max_size=3)

    known = st.fixed_dictionaries({}, optional={name: values(offered) for name, offered in fields.items()})
    unknown = st.dictionaries(
        st.text(min_size=1, max_size=20), st.lists(hostile_text, min_size=1, max_size=2), max_size=2
    )
    return st.builds(lambda a, b: b | a, known, unknown)


def send(client: Client, url: str, data: dict[str, list[str]], *, encoded: bool, method: str = "post"):
    if method == "get":
        return client.get(url, data)
    if encoded:
        return client.post(url, urlencode(data, doseq=True), content_type="application/x-www-form-urlencoded")
    return client.post(url, data)


class PublicFormFuzzTests(TestCase):
    """One test per form; each asks its page for the fields, then posts 1,000 hostile versions of it."""

    @classmethod
    def setUpTestData(cls) -> None:
        albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(slug="ana", locations=[albany])
        for weekday in range(7):
            make_rule(cls.surgeon, albany, weekday=weekday, start_time=time(9), end_time=time(11))
        make_article(slug="failed-back-surgery-syndrome", title="Failed back surgery syndrome")
        start = timezone.now().replace(hour=14, minute=0, second=0, microsecond=0) + timedelta(days=20)
        cls.consultation = make_consultation(cls.surgeon, albany, start, status=Consultation.Status.CONFIRMED)
        cls.token = patient_token(cls.consultation)
        cls.intake = make_intake(cls.consultation)
        cls.question = InformationRequest.objects.create(
            intake=cls.intake,
            section="medications",
            message="Fictional: which medicines do you take?",
            asked_by=make_user(role=roles.SURGEON),
            asked_at=timezone.now(),
        )
        cls.staff = make_user(role=roles.FRONT_DESK, username="desk-fuzz")
        cls.newcomer = make_user(role=roles.FRONT_DESK, username="new-desk-fuzz", enrolled=False)
        _, cls.invitation = services.invite_to_enrol(user=cls.newcomer, by=make_user(role=roles.ADMIN))

    def fields(self, url: str, *, screen: bool = False, extra: dict[str, set[str]] | None = None) -> dict:
        client = Client()
        if screen:
            screened(client)
        response = client.get(url)
        assert response.status_code == 200, url
        return fields_of(response.content.decode(), extra=extra)

    def check(self, forms: dict[str, dict], *, screen: bool = False, method: str = "post") -> None:
        """1,000 examples over `forms` (URL: its fields), each on one of them."""
        # One client for every example: each new one loads the middleware again, and WhiteNoise's start-up alone
        # costs more than a request. Its cookies are cleared instead.
        client = Client()

        @EXAMPLES
        @given(
            st.sampled_from(sorted(forms)).flatmap(lambda url: st.tuples(st.just(url), form_data(forms[url]))),
            st.booleans(),
        )
        def sends(form: tuple[str, dict], encoded: bool) -> None:
            url, data = form
            client.cookies = SimpleCookie()
            if screen:
                screened(client)
            savepoint = transaction.savepoint()
            try:
                response = send(client, url, data, encoded=encoded, method=method)
            finally:
                transaction.savepoint_rollback(savepoint)
            assert response.status_code < 500, (url, data, response.status_code)

        sends()

    def slot_tokens(self) -> set[str]:
        client = Client()
        screened(client)
        page = client.get(reverse("consultations:pick-slot", args=[self.surgeon.slug]), {"first": "1"})
        return set(re.findall(r"slot=([^\"&]+)", page.content.decode().replace("&amp;", "&"))[:3])

    def test_red_flag_screen(self) -> None:
        url = reverse("consultations:screen")
        extra = {"step": {"acknowledge"}, "confirmed": {"on"}, "surgeon": {self.surgeon.slug}}
        self.check({url: self.fields(url, extra=extra)})

    def test_request_details(self) -> None:
        tokens = {unquote(token) for token in self.slot_tokens()}
        url = reverse("consultations:request-details", args=[self.surgeon.slug])
        fields = self.fields(f"{url}?{urlencode({'slot': min(tokens)})}", screen=True, extra={"slot": tokens})
        self.check({url: fields}, screen=True)

    def test_reschedule(self) -> None:
        url = reverse("consultations:reschedule", args=[self.token])
        tokens = {unquote(token) for token in self.slot_tokens()}
        self.check({url: {"slot": sorted(tokens), "confirm": ["1"], "week": ["2026-03-02"]}})

    def test_cancel(self) -> None:
        url = reverse("consultations:cancel", args=[self.token])
        self.check({url: self.fields(url)})

    def test_intake_steps(self) -> None:
        # The steps together: 1,000 examples spread over them (each step's page has its own fields).
        urls = [reverse("consultations:intake-step", args=[self.token, step]) for step in STEP_SLUGS]
        self.check({url: self.fields(url) for url in urls})

    def test_answer_to_the_surgeons_question(self) -> None:
        url = reverse("consultations:patient-question", args=[self.token, self.question.public_id])
        self.check({url: self.fields(url)})

    def test_self_check(self) -> None:
        url = reverse("education:self-check")
        self.check({url: self.fields(url)})

    def test_education_search(self) -> None:
        url = reverse("education:search")
        self.check({url: self.fields(url)}, method="get")

    def test_send_me_my_link_again(self) -> None:
        url = reverse("consultations:resend-link")
        self.check({url: self.fields(url, extra={"email": {self.consultation.patient.email}})})

    def test_enrolment_by_invitation(self) -> None:
        # The password step; its authenticator step follows only in the browser that passed it.
        url = reverse("clinic:enrol", args=[self.invitation])
        self.check({url: self.fields(url)})

    def test_sign_in(self) -> None:
        url = reverse("clinic:sign-in")
        fields = self.fields(url, extra={"username": {self.staff.username}, "password": {PASSWORD}})
        self.check({url: fields})
        assert User.objects.filter(username="desk-fuzz").exists()
