"""Simultaneous requests for one slot, each on its own database connection: the database lets exactly one win."""

import threading
import uuid
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.core import mail
from django.db import connection
from django.test import TransactionTestCase, override_settings

from consultations.booking.availability import SlotUnavailable
from consultations.booking.services import PatientDetails, request_consultation, reschedule_consultation
from consultations.models import Consultation
from tests.factories import make_consultation, make_location, make_rule, make_surgeon

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # Monday 09:00 EDT
THREADS = 20


def run_at_once(work, count: int) -> list[object]:
    """Release `count` threads together; return what each returned or raised."""
    barrier = threading.Barrier(count)
    results: list[object] = [None] * count

    def worker(index: int) -> None:
        try:
            barrier.wait()
            results[index] = work(index)
        except Exception as error:
            results[index] = error
        finally:
            connection.close()

    threads = [threading.Thread(target=worker, args=(index,)) for index in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return results


@time_machine.travel(NOW, tick=False)
class SimultaneousRequestTests(TransactionTestCase):
    def setUp(self) -> None:
        self.albany = make_location(slug="albany")
        self.surgeon = make_surgeon(locations=[self.albany])
        make_rule(self.surgeon, self.albany, weekday=0, start_time=time(9), end_time=time(12))

    def test_twenty_requests_for_one_slot_give_one_consultation(self) -> None:
        def request(index: int) -> Consultation:
            return request_consultation(
                surgeon=self.surgeon,
                location=self.albany,
                start=NINE,
                details=PatientDetails(
                    first_name="Robin",
                    last_name=f"Fictional{index}",
                    date_of_birth=date(1970, 1, 1) + timedelta(days=index),
                    email=f"robin{index}@example.com",
                    phone="(518) 555-0123",
                ),
                visit_type="in_person",
                reason="Fictional test request.",
                idempotency_key=uuid.uuid4(),
            )

        results = run_at_once(request, THREADS)

        won = [r for r in results if isinstance(r, Consultation)]
        refused = [r for r in results if isinstance(r, SlotUnavailable)]
        assert (len(won), len(refused)) == (1, THREADS - 1), results
        assert Consultation.objects.count() == 1
        assert Consultation.objects.get().patient.last_name == won[0].patient.last_name
        assert len([m for m in mail.outbox if m.subject == "We received your consultation request"]) == 1

    @override_settings(BOOKING_BUFFER_MINUTES=15)
    def test_two_adjacent_requests_with_a_buffer_give_one_consultation(self) -> None:
        # 09:00 and 09:30 are both free until one is taken; with a 15-minute buffer they cannot both be. Five
        # Mondays, two requests released together on each: the exclusion constraint refuses the one that loses.
        def request(index: int, monday: int) -> Consultation:
            return request_consultation(
                surgeon=self.surgeon,
                location=self.albany,
                start=NINE + timedelta(days=7 * monday, minutes=30 * index),
                details=PatientDetails(
                    first_name="Robin",
                    last_name=f"Fictional{monday}-{index}",
                    date_of_birth=date(1970, 1, 1) + timedelta(days=index),
                    email=f"robin{monday}-{index}@example.com",
                    phone="(518) 555-0123",
                ),
                visit_type="in_person",
                reason="Fictional test request.",
                idempotency_key=uuid.uuid4(),
            )

        for monday in range(5):
            results = run_at_once(lambda index, monday=monday: request(index, monday), 2)

            assert sum(isinstance(r, Consultation) for r in results) == 1, results
            assert sum(isinstance(r, SlotUnavailable) for r in results) == 1, results
        held = list(Consultation.objects.values_list("start", "end", "buffer_minutes"))
        assert len(held) == 5 and {buffer for _, _, buffer in held} == {15}

    def test_two_reschedules_into_one_free_slot_give_one_move(self) -> None:
        first = make_consultation(self.surgeon, self.albany, NINE)
        second = make_consultation(self.surgeon, self.albany, NINE + timedelta(minutes=30))
        target = NINE + timedelta(hours=2)

        def move(index: int) -> Consultation:
            return reschedule_consultation(consultation=[first, second][index], start=target, location=self.albany)

        results = run_at_once(move, 2)

        assert sum(isinstance(r, Consultation) for r in results) == 1, results
        assert sum(isinstance(r, SlotUnavailable) for r in results) == 1, results
        starts = sorted(Consultation.objects.values_list("start", flat=True))
        # One moved into the free slot and freed its old time; the other kept its own.
        assert target in starts and len(starts) == 2
        assert starts.count(target) == 1
