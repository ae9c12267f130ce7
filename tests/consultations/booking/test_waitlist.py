"""The waitlist and the patient's answers through their link: earlier times offered when one is freed, first
come first served, and times the desk proposes."""

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.core import mail
from django.test import TestCase, TransactionTestCase
from django.urls import reverse

from clinic import roles
from consultations.booking import services as booking_services
from consultations.booking.availability import SlotUnavailable
from consultations.booking.services import (
    PatientDetails,
    request_consultation,
    reschedule_consultation,
    take_waitlist_offer,
)
from consultations.booking.waitlist import join_waitlist
from consultations.desk import services as desk_services
from consultations.desk.services import decline_consultation, propose_another_time
from consultations.links import patient_token
from consultations.models import (
    Consultation,
    ConsultationEvent,
    SentMessage,
    TimeOff,
    WaitlistEntry,
    WaitlistOffer,
)
from tests.consultations.booking.test_concurrency import run_at_once
from tests.factories import (
    make_consultation,
    make_location,
    make_rule,
    make_surgeon,
    make_user,
    request_form,
    screened,
    sign_in,
)

Status = Consultation.Status
NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)  # Monday 10:00 EST
NEXT_MONDAY = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 09:00 EDT
MONDAY_AFTER = NEXT_MONDAY + timedelta(days=7)
OFFER = "An earlier consultation time is free"


def offer_links(message) -> list[str]:
    return re.findall(r"http://\S+/earlier-time/\S+/", message.body)


class WaitlistTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany])
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        cls.desk = make_user(role=roles.FRONT_DESK)

    def waitlisted(self, start: datetime, surgeon=None, **overrides) -> Consultation:
        consultation = make_consultation(surgeon or self.surgeon, self.albany, start, **overrides)
        join_waitlist(consultation=consultation)
        return consultation


@time_machine.travel(NOW, tick=False)
class JoiningTheWaitlistTests(WaitlistTestCase):
    def form_data(self, **overrides) -> dict:
        values = request_form(f"{NEXT_MONDAY.isoformat()}|albany")
        return values | overrides

    def test_the_request_form_offers_the_waitlist(self) -> None:
        screened(self.client)
        url = reverse("consultations:request-details", args=["ana"])

        response = self.client.get(url, {"slot": f"{NEXT_MONDAY.isoformat()}|albany"})
        self.assertContains(response, "Tell me if an earlier time with this surgeon becomes free")

        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(url, self.form_data(waitlist="on"))
            self.client.post(
                url,
                self.form_data(slot=f"{(NEXT_MONDAY + timedelta(hours=1)).isoformat()}|albany", email="b@example.com"),
            )

        assert list(WaitlistEntry.objects.values_list("consultation__start", flat=True)) == [NEXT_MONDAY]

    def test_the_request_service_joins_the_waitlist_in_its_own_transaction(self) -> None:
        details = PatientDetails(
            first_name="Robin",
            last_name="Fictional",
            date_of_birth=date(1968, 4, 2),
            email="robin@example.com",
            phone="(518) 555-0123",
        )
        request = {
            "surgeon": self.surgeon,
            "location": self.albany,
            "details": details,
            "visit_type": Consultation.VisitType.IN_PERSON,
            "reason": "Leg pain came back after my fusion.",
        }

        waiting = request_consultation(**request, start=NEXT_MONDAY, idempotency_key=uuid.uuid4(), waitlist=True)
        not_waiting = request_consultation(
            **request, start=NEXT_MONDAY + timedelta(hours=1), idempotency_key=uuid.uuid4()
        )

        assert WaitlistEntry.objects.get().consultation == waiting
        assert not WaitlistEntry.objects.filter(consultation=not_waiting).exists()

    def test_asking_twice_changes_nothing(self) -> None:
        consultation = self.waitlisted(MONDAY_AFTER)

        join_waitlist(consultation=consultation)

        assert WaitlistEntry.objects.count() == 1


@time_machine.travel(NOW, tick=False)
class OfferingAFreedTimeTests(WaitlistTestCase):
    def setUp(self) -> None:
        self.freed = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        self.later = self.waitlisted(MONDAY_AFTER)
        self.later_still = self.waitlisted(MONDAY_AFTER + timedelta(minutes=30))

    def test_a_desk_cancellation_offers_the_time_to_everyone_waiting_for_an_earlier_one(self) -> None:
        self.waitlisted(NEXT_MONDAY - timedelta(days=3), status=Status.CONFIRMED)  # already earlier than the freed time
        other_surgeon = make_surgeon(locations=[self.albany])
        self.waitlisted(MONDAY_AFTER, surgeon=other_surgeon)
        make_consultation(self.surgeon, self.albany, MONDAY_AFTER + timedelta(hours=1))  # not waiting
        ended = self.waitlisted(MONDAY_AFTER + timedelta(hours=2))
        WaitlistEntry.objects.filter(consultation=ended).update(ended_at=NOW)

        with self.captureOnCommitCallbacks(execute=True):
            desk_services.cancel_consultation(consultation=self.freed, by=self.desk, reason="Moved away")

        offers = [message for message in mail.outbox if message.subject == OFFER]
        assert sorted(message.to[0] for message in offers) == sorted(
            [self.later.patient.email, self.later_still.patient.email]
        )
        assert "Monday March 9, 2026 at 9:00 AM EDT" in offers[0].body
        assert all(len(offer_links(message)) == 1 for message in offers)
        assert WaitlistOffer.objects.filter(start=NEXT_MONDAY).count() == 2
        assert SentMessage.objects.filter(kind="waitlist_offer", state="sent").count() == 2

    def test_a_patients_own_cancellation_and_a_decline_offer_it_too(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            booking_services.cancel_consultation(consultation=self.freed)
        assert [m.subject for m in mail.outbox].count(OFFER) == 2

        mail.outbox.clear()
        declined = make_consultation(self.surgeon, self.albany, NEXT_MONDAY + timedelta(minutes=30))
        with self.captureOnCommitCallbacks(execute=True):
            decline_consultation(consultation=declined, by=self.desk, reason="Not a spine problem")
        assert [m.subject for m in mail.outbox].count(OFFER) == 2

    def test_a_freed_time_that_can_no_longer_be_booked_is_not_offered(self) -> None:
        TimeOff.objects.create(surgeon=self.surgeon, start=NEXT_MONDAY, end=NEXT_MONDAY + timedelta(hours=3))

        with self.captureOnCommitCallbacks(execute=True):
            desk_services.cancel_consultation(consultation=self.freed, by=self.desk)

        assert OFFER not in [m.subject for m in mail.outbox]
        assert not WaitlistOffer.objects.exists()


@time_machine.travel(NOW, tick=False)
class TakingAnOfferTests(WaitlistTestCase):
    def setUp(self) -> None:
        make_user(role=roles.FRONT_DESK)  # told when a patient moves
        self.first = self.waitlisted(MONDAY_AFTER, status=Status.CONFIRMED)
        self.second = self.waitlisted(MONDAY_AFTER + timedelta(minutes=30))
        freed = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        with self.captureOnCommitCallbacks(execute=True):
            desk_services.cancel_consultation(consultation=freed, by=self.desk)
        mail.outbox.clear()

    def url(self, consultation: Consultation) -> str:
        offer = WaitlistOffer.objects.get(entry__consultation=consultation)
        return reverse("consultations:waitlist-offer", args=[patient_token(consultation), offer.public_id])

    def test_the_first_to_take_it_gets_it_and_the_next_gets_a_clean_already_taken_page(self) -> None:
        response = self.client.get(self.url(self.first))
        self.assertContains(response, "An earlier time is free")
        self.assertContains(response, "Monday, March 9, 2026 at 9:00 AM EDT")

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(self.first), {"confirm": "1"}, follow=True)

        self.assertContains(response, "Done: your consultation has the earlier time.")
        self.first.refresh_from_db()
        assert (self.first.start, self.first.status, self.first.sequence) == (NEXT_MONDAY, Status.REQUESTED, 1)
        assert WaitlistEntry.objects.get(consultation=self.first).ended_at == NOW
        assert WaitlistOffer.objects.get(entry__consultation=self.first).taken_at == NOW
        event = ConsultationEvent.objects.get(consultation=self.first)
        assert (event.action, event.by, event.from_status) == ("take_offer", None, Status.CONFIRMED)
        assert [m.subject for m in mail.outbox] == [
            "Your consultation has a new time",
            "A patient changed a consultation",
        ]

        self.assertContains(self.client.get(self.url(self.second)), "already taken", status_code=410)
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(self.second), {"confirm": "1"})
        self.assertContains(response, "Sorry, that time is already taken", status_code=409)
        self.assertContains(response, "We will e-mail you again", status_code=409)
        self.second.refresh_from_db()
        assert self.second.start == MONDAY_AFTER + timedelta(minutes=30)

    def test_an_offer_opens_only_with_its_own_patients_link(self) -> None:
        offer = WaitlistOffer.objects.get(entry__consultation=self.first)
        url = reverse("consultations:waitlist-offer", args=[patient_token(self.second), offer.public_id])

        self.assertContains(self.client.get(url), "We could not open that link", status_code=404)
        self.assertContains(self.client.post(url), "We could not open that link", status_code=404)
        self.first.refresh_from_db()
        assert self.first.start == MONDAY_AFTER

    def test_the_desk_sees_the_offer_and_the_move_in_the_messages_and_history(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            self.client.post(self.url(self.first), {"confirm": "1"})
        sign_in(self.client, self.desk)

        response = self.client.get(reverse("consultations:desk-consultation", args=[self.first.public_id]))

        self.assertContains(response, "Earlier time offered")
        self.assertContains(response, "Took an earlier time from the waitlist")
        self.assertContains(response, "Took an earlier time on")

    def assert_first_unchanged(self) -> None:
        first = Consultation.objects.get(pk=self.first.pk)
        assert (first.start, first.status, first.sequence) == (MONDAY_AFTER, Status.CONFIRMED, 0)
        assert WaitlistOffer.objects.get(entry__consultation=self.first).taken_at is None
        assert WaitlistEntry.objects.get(consultation=self.first).ended_at is None
        assert not ConsultationEvent.objects.filter(consultation=self.first).exists()
        assert not SentMessage.objects.filter(consultation=self.first).exclude(kind="waitlist_offer").exists()
        assert not mail.outbox

    def test_the_offer_shows_from_where_to_where_and_only_its_confirmation_moves(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.get(self.url(self.first))
            sent_without_confirming = self.client.post(self.url(self.first))

        text = " ".join(re.sub(r"<[^>]+>", " ", response.content.decode()).split())
        surgeon = self.surgeon.display_name
        assert (
            f"From Monday, March 16, 2026 at 9:00 AM EDT {surgeon}, {self.albany.name} "
            f"To Monday, March 9, 2026 at 9:00 AM EDT {surgeon}, {self.albany.name}"
        ) in text
        self.assertContains(response, '<button type="submit" class="btn btn-primary" name="confirm" value="1">')
        self.assertContains(response, "Confirm the move")
        self.assertContains(response, "Keep my current time")
        self.assertContains(sent_without_confirming, "Confirm the move")
        self.assert_first_unchanged()

    def test_a_time_booked_between_the_offer_page_and_the_confirmation_changes_nothing_and_says_so(self) -> None:
        self.assertContains(self.client.get(self.url(self.first)), "Confirm the move")
        make_consultation(self.surgeon, self.albany, NEXT_MONDAY)  # booked by another patient meanwhile

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url(self.first), {"confirm": "1"})

        self.assertContains(response, "Sorry, that time is already taken", status_code=409)
        self.assertContains(response, "Nothing has changed on your consultation.", status_code=409)
        self.assert_first_unchanged()


@time_machine.travel(NOW, tick=False)
class SimultaneousOfferTakingTests(TransactionTestCase):
    def test_two_patients_taking_the_same_freed_time_give_one_move(self) -> None:
        albany = make_location(slug="albany")
        surgeon = make_surgeon(locations=[albany])
        make_rule(surgeon, albany, weekday=0, start_time=time(9), end_time=time(12))
        waiting = [make_consultation(surgeon, albany, MONDAY_AFTER + timedelta(minutes=30 * n)) for n in range(2)]
        for consultation in waiting:
            join_waitlist(consultation=consultation)
        freed = make_consultation(surgeon, albany, NEXT_MONDAY)
        desk_services.cancel_consultation(consultation=freed, by=make_user(role="front_desk"))
        offers = [WaitlistOffer.objects.get(entry__consultation=consultation) for consultation in waiting]

        results = run_at_once(lambda index: take_waitlist_offer(offer=offers[index]), 2)

        assert sum(isinstance(result, Consultation) for result in results) == 1, results
        assert sum(isinstance(result, SlotUnavailable) for result in results) == 1, results
        assert Consultation.objects.occupying().filter(start=NEXT_MONDAY).count() == 1
        assert WaitlistOffer.objects.filter(taken_at__isnull=False).count() == 1
        assert sorted(Consultation.objects.occupying().values_list("start", flat=True)) in (
            [NEXT_MONDAY, MONDAY_AFTER],
            [NEXT_MONDAY, MONDAY_AFTER + timedelta(minutes=30)],
        )


@time_machine.travel(NOW, tick=False)
class AnsweringAProposalTests(WaitlistTestCase):
    def setUp(self) -> None:
        make_user(role=roles.FRONT_DESK)
        self.consultation = make_consultation(self.surgeon, self.albany, NEXT_MONDAY)
        self.url = reverse("consultations:proposal", args=[patient_token(self.consultation)])

    def propose(self) -> None:
        with self.captureOnCommitCallbacks(execute=True):
            propose_another_time(
                consultation=self.consultation,
                surgeon=self.surgeon,
                start=NEXT_MONDAY + timedelta(hours=2),
                location=self.albany,
                by=self.desk,
            )
        mail.outbox.clear()

    def test_accepting_the_proposed_time_confirms_it(self) -> None:
        self.propose()

        response = self.client.get(self.url)
        self.assertContains(response, "A new time for your consultation")
        self.assertContains(response, "Monday, March 9, 2026 at 11:00 AM EDT")
        self.assertContains(response, reverse("consultations:reschedule", args=[patient_token(self.consultation)]))

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(self.url, follow=True)

        self.assertContains(response, "Thank you: your consultation is confirmed.")
        self.consultation.refresh_from_db()
        assert (self.consultation.status, self.consultation.sequence) == (Status.CONFIRMED, 2)
        assert [m.subject for m in mail.outbox] == [
            "Your consultation is confirmed",
            "A patient changed a consultation",
        ]
        event = ConsultationEvent.objects.filter(consultation=self.consultation).last()
        assert (event.action, event.by, event.to_status) == ("accept", None, Status.CONFIRMED)

        response = self.client.get(self.url, follow=True)
        self.assertContains(response, "There is no proposed time waiting for your answer.")

    def test_without_a_proposal_the_page_sends_the_patient_to_their_consultation(self) -> None:
        response = self.client.post(self.url)

        self.assertRedirects(
            response,
            reverse("consultations:my-consultation", args=[patient_token(self.consultation)]),
            fetch_redirect_response=False,
        )
        self.consultation.refresh_from_db()
        assert self.consultation.status == Status.REQUESTED

    def test_choosing_another_time_instead_ends_the_proposal(self) -> None:
        self.propose()
        with self.captureOnCommitCallbacks(execute=True):
            reschedule_consultation(
                consultation=self.consultation, start=NEXT_MONDAY + timedelta(minutes=30), location=self.albany
            )

        response = self.client.post(self.url)

        assert response.status_code == 302
        self.consultation.refresh_from_db()
        assert self.consultation.status == Status.REQUESTED
        assert ConsultationEvent.objects.filter(consultation=self.consultation).last().action == "reschedule"
