"""Booking past emergency advice: the patient vouches for exactly the emergency symptoms they ticked, in words that
never contradict them; the record keeps which symptoms, the database refuses any other scope, the desk sees the
request as urgent, and the surgeon sees what was vouched for. Same-day advice calls 911 with a tap as well."""

import re
from datetime import UTC, datetime, time, timedelta

import time_machine
from django.db import IntegrityError, transaction
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from consultations.booking import screening
from consultations.booking.red_flags import FLAGS, QUESTIONS, Urgency
from consultations.models import Consultation, RedFlagScreen
from tests.factories import (
    make_consultation,
    make_location,
    make_red_flag_screen,
    make_rule,
    make_surgeon,
    make_surgeon_user,
    make_user,
    request_form,
    sign_in,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # the next Monday, 09:00 EDT in Albany
SCREEN = reverse("consultations:screen")
EMERGENCY_KEYS = [key for key, flag in FLAGS.items() if flag.urgency == Urgency.EMERGENCY]
TAP_TO_CALL = '<a class="btn btn-dark" href="tel:911">Call 911 if it gets worse quickly</a>'
SAME_DAY_KEYS = [key for key, flag in FLAGS.items() if flag.urgency == Urgency.SAME_DAY]


def answers(*items: str, confirmed: bool = False) -> dict:
    data: dict = {"recent_surgery": "no", "surgeon": "ana"}
    for question in QUESTIONS:
        ticked = [flag.key for flag in question.flags if flag.key in items]
        if ticked:
            data[f"flags_{question.key}"] = ticked
    if confirmed:
        data |= {"step": "acknowledge", "confirmed": "on"}
    return data


def text(response) -> str:
    """The page's words, tags dropped and spaces collapsed."""
    return " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())


def covered_list(response) -> list[str]:
    """The symptoms listed beside the confirmation box."""
    html = response.content.decode()
    match = re.search(r'<ul aria-labelledby="covered-heading">(.*?)</ul>', html, re.S)
    assert match, "no list of the symptoms the confirmation covers"
    return [item.strip() for item in re.findall(r"<li>(.*?)</li>", match.group(1), re.S)]


@time_machine.travel(NOW, tick=False)
class OverrideWordingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(10))

    def test_the_confirmation_never_says_not_new_for_any_emergency_symptom(self) -> None:
        for key in EMERGENCY_KEYS:
            with self.subTest(key=key):
                shown = self.client.post(SCREEN, answers(key))
                refused = self.client.post(SCREEN, answers(key) | {"step": "acknowledge"})

                assert shown.status_code == 200 and refused.status_code == 400
                for page in (text(shown), text(refused)):
                    assert "not new" not in page.lower()
                    assert f"for more than {screening.SETTLED_WEEKS} weeks" in page
                    assert "a doctor has examined me for them" in page

    def test_the_confirmation_lists_only_the_emergency_symptoms_ticked(self) -> None:
        response = self.client.post(SCREEN, answers("night_pain", "fever", "bladder"))

        assert covered_list(response) == [FLAGS["bladder"].text, FLAGS["fever"].text]

    def test_same_day_advice_offers_no_override_list(self) -> None:
        response = self.client.post(SCREEN, answers("cancer"))

        assert 'aria-labelledby="covered-heading"' not in response.content.decode()
        assert screening.ACKNOWLEDGEMENTS[Urgency.EMERGENCY][1] not in response.content.decode()

    def test_the_same_day_advice_calls_911_with_a_tap(self) -> None:
        for key in SAME_DAY_KEYS:
            with self.subTest(key=key):
                response = self.client.post(SCREEN, answers(key))

                self.assertContains(response, TAP_TO_CALL, html=True)

    def test_the_self_check_gives_same_day_advice_a_tap_to_call_link_too(self) -> None:
        response = self.client.post(reverse("education:self-check"), {"flags_other": ["injury"]})

        self.assertContains(response, TAP_TO_CALL, html=True)


@time_machine.travel(NOW, tick=False)
class OverrideRecordTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon_user, cls.surgeon = make_surgeon_user(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(10))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def request_past_emergency(self, *items: str) -> Consultation:
        self.client.post(SCREEN, answers(*items, confirmed=True))
        data = request_form(f"{NINE.isoformat()}|albany")
        response = self.client.post(reverse("consultations:request-details", args=["ana"]), data)
        assert response.status_code == 302, response.content.decode()
        return Consultation.objects.get(idempotency_key=data["idempotency_key"])

    def test_the_request_reaches_the_desk_first_and_marked_urgent(self) -> None:
        older = make_consultation(self.surgeon, self.albany, NINE + timedelta(days=1))
        consultation = self.request_past_emergency("both_legs", "weight_loss")
        sign_in(self.client, self.desk)

        response = self.client.get(reverse("consultations:desk-queue"))

        assert consultation.safety_flag == "urgent"
        html = response.content.decode()
        assert html.index(consultation.reference) < html.index(older.reference)
        row = html[html.index(consultation.reference) :][:3000]
        assert "Urgent: emergency symptom reported" in row
        # The desk sees that it is urgent, never which symptoms.
        assert FLAGS["both_legs"].text not in html

    def test_the_surgeon_sees_the_confirmation_with_the_symptoms_it_covered(self) -> None:
        consultation = self.request_past_emergency("both_legs", "weight_loss")
        self.client.logout()
        sign_in(self.client, self.surgeon_user)

        html = self.client.get(reverse("consultations:surgeon-summary", args=[consultation.public_id])).content
        html = html.decode()

        match = re.search(r'<ul class="mb-0" id="acknowledged-symptoms">(.*?)</ul>', html, re.S)
        assert match
        assert FLAGS["both_legs"].text in match.group(1)
        assert FLAGS["weight_loss"].text not in match.group(1)
        assert screening.ACKNOWLEDGEMENTS[Urgency.EMERGENCY][1] in html


class OverrideConstraintTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        location = make_location()
        cls.consultation = make_consultation(make_surgeon(locations=[location]), location, NINE)

    def refused(self, *items: str, **overrides) -> None:
        with self.assertRaises(IntegrityError), transaction.atomic():
            make_red_flag_screen(self.consultation, *items, **overrides)

    def test_the_scope_must_be_among_the_symptoms_ticked(self) -> None:
        self.refused("fever", acknowledged_items=["bladder"])

    def test_an_emergency_needs_a_scope_and_nothing_else_may_have_one(self) -> None:
        self.refused("fever", acknowledged_items=[])
        self.refused("cancer", acknowledged_items=["cancer"])

    def test_a_scope_of_ticked_emergency_symptoms_is_kept(self) -> None:
        screen = make_red_flag_screen(self.consultation, "fever", "cancer")

        screen.refresh_from_db()
        assert screen.acknowledged_items == ["fever"]
        assert RedFlagScreen.objects.filter(acknowledged_items__contains=["fever"]).count() == 1
