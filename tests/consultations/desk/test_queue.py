"""The request queue at scale: filters kept in the query string, pages of fifty in the desk's order, and query
counts that do not grow with the backlog."""

from datetime import UTC, datetime, time, timedelta

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from clinic import roles
from consultations.desk.queue import PAGE_SIZE
from consultations.models import Consultation, Coverage
from consultations.models.scheduling import SafetyFlag
from tests.factories import make_consultation, make_location, make_rule, make_surgeon, make_user, sign_in

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
QUEUE = reverse("consultations:desk-queue")


@time_machine.travel(NOW, tick=False)
class QueueTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany Spine Clinic")
        cls.troy = make_location(slug="troy", name="Troy Spine Clinic")
        cls.ana = make_surgeon(slug="ana", locations=[cls.albany, cls.troy], last_name="Lopez")
        cls.ben = make_surgeon(slug="ben", locations=[cls.albany], last_name="Okoro")
        make_rule(cls.ana, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def request(self, number: int, *, days_ago: int = 0, surgeon=None, location=None, **fields) -> Consultation:
        with time_machine.travel(NOW - timedelta(days=days_ago, minutes=number), tick=False):
            return make_consultation(
                surgeon or self.ana, location or self.albany, NEXT_MONDAY + timedelta(hours=number), **fields
            )

    def shown(self, **query) -> list[Consultation]:
        response = self.client.get(QUEUE, query)
        assert response.status_code == 200
        html = response.content.decode()
        found = [c for c in Consultation.objects.filter(status="requested") if c.reference in html]
        return sorted(found, key=lambda c: html.index(c.reference))


class QueueFilterTests(QueueTestCase):
    def test_each_filter_keeps_only_the_requests_it_names(self) -> None:
        plain = self.request(1)
        bens = self.request(2, surgeon=self.ben)
        in_troy = self.request(3, location=self.troy)
        urgent = self.request(4, safety_flag=SafetyFlag.URGENT)
        old = self.request(5, days_ago=10)
        insured = self.request(6)
        Coverage.objects.create(
            consultation=insured, kind=Coverage.Kind.INSURANCE, payer="Fictional Health", member_id="FIC123"
        )
        verified = self.request(7)
        Coverage.objects.create(
            consultation=verified,
            kind=Coverage.Kind.INSURANCE,
            payer="Fictional Health",
            member_id="FIC123",
            verification=Coverage.Verification.VERIFIED,
            verified_by=self.desk,
            verified_at=NOW,
        )
        paying = self.request(8)
        Coverage.objects.create(consultation=paying, kind=Coverage.Kind.SELF_PAY)
        self.request(9, status=Consultation.Status.CONFIRMED)

        assert self.shown(surgeon="ben") == [bens]
        assert self.shown(location="troy") == [in_troy]
        assert self.shown(urgent="on") == [urgent]
        assert self.shown(unverified="on") == [insured]
        assert self.shown(days="7") == [old]
        assert self.shown(surgeon="ana", location="albany", days="0") == [
            urgent,
            old,
            paying,
            verified,
            insured,
            plain,
        ]
        assert self.shown(surgeon="ana", urgent="on", days="7") == []

    def test_counts_follow_the_filters(self) -> None:
        self.request(1)
        self.request(2, surgeon=self.ben, safety_flag=SafetyFlag.REVIEW)

        response = self.client.get(QUEUE, {"surgeon": "ben"})

        self.assertContains(response, "<strong>1</strong> request waiting")
        self.assertContains(response, "<strong>1</strong> flagged (filtered)")
        response = self.client.get(QUEUE, {"surgeon": "ben", "urgent": "on"})
        self.assertContains(response, "No waiting request matches these filters.")

    def test_a_bad_filter_is_a_400_that_says_what_to_fix(self) -> None:
        for query, message in (
            ({"surgeon": "nobody"}, "Select a valid choice."),
            ({"location": "nowhere"}, "Select a valid choice."),
            ({"days": "soon"}, "Enter a whole number."),
            ({"days": "-1"}, "Ensure this value is greater than or equal to 0."),
        ):
            with self.subTest(query=query):
                self.assertContains(self.client.get(QUEUE, query), message, status_code=400)

    def test_a_page_number_out_of_range_shows_the_last_page(self) -> None:
        last = self.request(1)

        assert self.shown(page="9") == [last]
        assert self.shown(page="x") == [last]


class QueuePageTests(QueueTestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        # Oldest first: request 0 came in first.
        cls.requests = [
            make_consultation(cls.ana, cls.albany, NEXT_MONDAY + timedelta(hours=n)) for n in range(PAGE_SIZE + 5)
        ]
        for number, consultation in enumerate(cls.requests):
            Consultation.objects.filter(pk=consultation.pk).update(created_at=NOW - timedelta(hours=100 - number))
        cls.urgent = make_consultation(cls.ana, cls.albany, NEXT_MONDAY - timedelta(hours=1), safety_flag="urgent")

    def test_fifty_a_page_urgent_first_then_the_oldest(self) -> None:
        first = self.shown()
        second = self.shown(page="2")

        assert len(first) == PAGE_SIZE
        assert first == [self.urgent, *self.requests[: PAGE_SIZE - 1]]
        assert second == self.requests[PAGE_SIZE - 1 :]

    def test_the_page_links_keep_the_filters(self) -> None:
        response = self.client.get(QUEUE, {"surgeon": "ana", "days": "1"})

        self.assertContains(response, "<strong>55</strong> requests waiting")
        self.assertContains(response, "Page 1 of 2")
        self.assertContains(response, 'href="?surgeon=ana&amp;days=1&amp;page=2"')

    def test_each_row_has_one_form_and_links_for_the_other_actions(self) -> None:
        html = self.client.get(QUEUE).content.decode()

        assert html.count('value="confirm"') == PAGE_SIZE
        assert html.count('<form method="post"') == PAGE_SIZE + 1  # the rows' and signing out
        assert html.count(">Decline or cancel<") == PAGE_SIZE

    def test_queries_do_not_grow_with_the_backlog(self) -> None:
        with CaptureQueriesContext(connection) as long_queue:
            self.client.get(QUEUE)
        with CaptureQueriesContext(connection) as last_page:
            self.client.get(QUEUE, {"page": "2"})
        Consultation.objects.exclude(pk__in=[self.urgent.pk, self.requests[0].pk]).delete()

        with self.assertNumQueries(len(long_queue)):
            response = self.client.get(QUEUE)

        assert len(last_page) == len(long_queue)
        self.assertContains(response, "<strong>2</strong> requests waiting")
