"""How many requests one address and one contact may make: counted in the request's own transaction, refused with
the 429 page, and nothing stored when refused."""

import uuid
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import TestCase, TransactionTestCase
from django.urls import reverse

from clinic.models import RateCount
from clinic.ratelimit import email_key, keyed_hash, phone_key
from consultations.booking.limits import RequestOrigin, TooManyRequests
from consultations.booking.services import PatientDetails, request_consultation
from consultations.models import Consultation, Patient
from tests.consultations.booking.test_concurrency import run_at_once
from tests.factories import make_location, make_rule, make_surgeon, request_form, screened

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT in Albany, next Monday


def slot(number: int) -> datetime:
    """The `number`th half-hour of next Monday's all-day clinic."""
    return NINE + timedelta(minutes=30 * number)


def details(number: int, **overrides: str) -> PatientDetails:
    values = {
        "first_name": "Robin",
        "last_name": f"Fictional{number}",
        "date_of_birth": date(1968, 4, 2) + timedelta(days=number),
        "email": f"robin{number}@example.com",
        "phone": f"(518) 555-01{number:02d}",
    }
    return PatientDetails(**values | overrides)


def origin(person: PatientDetails, address: str = "203.0.113.9") -> RequestOrigin:
    return RequestOrigin(
        address_hash=keyed_hash("address", address),
        email_hash=email_key(person.email),
        phone_hash=phone_key(person.phone),
    )


class LimitsSetup(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York", phone="(518) 555-0100")
        cls.surgeons = [
            make_surgeon(slug=slug, locations=[cls.albany], last_name=slug.title())
            for slug in ("ana", "ben", "cy", "di")
        ]
        for surgeon in cls.surgeons:
            make_rule(surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(17))

    def request(self, surgeon_index: int, number: int, person: PatientDetails, **kwargs) -> Consultation:
        return request_consultation(
            surgeon=self.surgeons[surgeon_index],
            location=self.albany,
            start=slot(number),
            details=person,
            visit_type="in_person",
            reason="Fictional test request.",
            idempotency_key=uuid.uuid4(),
            origin=kwargs.pop("origin", origin(person)),
            **kwargs,
        )


@time_machine.travel(NOW, tick=False)
class AddressLimitTests(LimitsSetup):
    def post(self, number: int, **overrides: str):
        # A request sent forgets the screen it passed; the next one passes it again.
        screened(self.client)
        data = request_form(
            f"{slot(number).isoformat()}|albany",
            last_name=f"Fictional{number}",
            email=f"robin{number}@example.com",
            phone=f"(518) 555-01{number:02d}",
            reason="Fictional test request.",
        )
        return self.client.post(reverse("consultations:request-details", args=["ana"]), data | overrides)

    def test_one_address_makes_at_most_five_requests_an_hour_and_the_sixth_stores_nothing(self) -> None:
        statuses = [self.post(number).status_code for number in range(5)]

        response = self.post(5)

        assert statuses == [302] * 5
        assert response.status_code == 429
        assert 1 <= int(response["Retry-After"]) <= 3600
        self.assertContains(response, "We received many forms from your internet connection", status_code=429)
        self.assertContains(response, 'href="tel:(518) 555-0100"', status_code=429)
        assert Consultation.objects.count() == 5
        assert not Patient.objects.filter(last_name="Fictional5").exists()
        assert RateCount.objects.get(bucket="request").count == 5

    def test_a_refused_form_is_not_a_request_made(self) -> None:
        for _ in range(6):
            assert self.post(0, email="not-an-address").status_code == 400

        assert self.post(0).status_code == 302
        assert not RateCount.objects.filter(bucket="request", count__gt=1).exists()

    def test_the_request_keeps_keyed_hashes_of_where_it_came_from_never_the_values(self) -> None:
        self.post(1, email="Robin.One@Example.com", phone="+1 518 555 0199")

        consultation = Consultation.objects.get()
        assert consultation.address_hash == keyed_hash("address", "127.0.0.1")
        assert consultation.email_hash == email_key("robin.one@example.com")
        assert consultation.phone_hash == phone_key("(518) 555-0199")

    def test_a_contact_over_its_limit_gets_the_page_that_says_so(self) -> None:
        assert self.post(1, email="same@example.com").status_code == 302
        assert self.post(2, email="same@example.com").status_code == 302

        response = self.post(3, email="SAME@example.com")

        assert response.status_code == 429
        self.assertContains(response, "already as many consultation requests waiting", status_code=429)
        assert Consultation.objects.count() == 2


@time_machine.travel(NOW, tick=False)
class ContactLimitTests(LimitsSetup):
    def test_a_contact_holds_at_most_two_open_requests_with_one_surgeon(self) -> None:
        robin = details(1)
        self.request(0, 1, robin)
        self.request(0, 2, robin)

        with self.assertRaises(TooManyRequests) as raised:
            self.request(0, 3, robin)

        assert not raised.exception.by_address
        assert Consultation.objects.count() == 2
        # Another surgeon is still open to the same person.
        self.request(1, 3, robin)

    def test_the_same_phone_under_another_e_mail_is_the_same_contact(self) -> None:
        self.request(0, 1, details(1, phone="(518) 555-0142"))
        self.request(0, 2, details(2, phone="518.555.0142"))

        with self.assertRaises(TooManyRequests):
            self.request(0, 3, details(3, phone="+1 518 555 0142"))

    def test_a_contact_holds_at_most_six_open_requests_in_all(self) -> None:
        robin = details(1)
        for number in range(6):
            self.request(number // 2, number, robin, origin=origin(robin, address=f"203.0.113.{number}"))

        with self.assertRaises(TooManyRequests):
            self.request(3, 7, robin, origin=origin(robin, address="203.0.113.99"))
        assert Consultation.objects.count() == 6

    def test_cancelled_and_past_requests_do_not_count(self) -> None:
        robin = details(1)
        first, second = self.request(0, 1, robin), self.request(0, 2, robin)
        Consultation.objects.filter(pk=first.pk).update(status=Consultation.Status.CANCELLED)
        self.request(0, 3, robin)
        two_weeks_ago = {"start": second.start - timedelta(days=14), "end": second.end - timedelta(days=14)}
        Consultation.objects.filter(pk=second.pk).update(**two_weeks_ago)

        self.request(0, 4, robin)

        assert Consultation.objects.filter(status=Consultation.Status.REQUESTED).count() == 3

    def test_the_desk_booking_for_a_caller_has_no_such_limit(self) -> None:
        robin = details(1)
        for number in range(3):
            self.request(0, number, robin, origin=None)

        assert Consultation.objects.count() == 3


@time_machine.travel(NOW, tick=False)
class SimultaneousContactTests(TransactionTestCase):
    def setUp(self) -> None:
        self.albany = make_location(slug="albany", timezone="America/New_York")
        self.surgeon = make_surgeon(locations=[self.albany])
        make_rule(self.surgeon, self.albany, weekday=0, start_time=time(9), end_time=time(17))

    def test_two_requests_at_once_from_one_contact_at_its_limit_give_one_consultation(self) -> None:
        robin = details(1)
        request_consultation(
            surgeon=self.surgeon,
            location=self.albany,
            start=slot(0),
            details=robin,
            visit_type="in_person",
            reason="Fictional test request.",
            idempotency_key=uuid.uuid4(),
            origin=origin(robin),
        )

        def request(index: int) -> Consultation:
            return request_consultation(
                surgeon=self.surgeon,
                location=self.albany,
                start=slot(1 + index),
                details=robin,
                visit_type="in_person",
                reason="Fictional test request.",
                idempotency_key=uuid.uuid4(),
                origin=origin(robin, address=f"198.51.100.{index}"),
            )

        results = run_at_once(request, 8)

        won = [result for result in results if isinstance(result, Consultation)]
        refused = [result for result in results if isinstance(result, TooManyRequests)]
        assert (len(won), len(refused)) == (1, 7), results
        assert Consultation.objects.count() == 2
