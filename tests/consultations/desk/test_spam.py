"""The desk's "possible spam" page: open requests grouped by the address or contact they came from, and a whole
group cancelled in one action, with the usual e-mails or, for spam, none."""

from datetime import UTC, datetime, time, timedelta

import time_machine
from django.core import mail
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from clinic.ratelimit import email_key, keyed_hash, phone_key
from consultations.models import Consultation, ConsultationEvent, SentMessage
from tests.factories import make_consultation, make_location, make_patient, make_rule, make_surgeon, make_user, sign_in

NOW = datetime(2026, 3, 2, 15, 0, tzinfo=UTC)
NEXT_MONDAY = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)
SPAM = reverse("consultations:desk-spam")
BOT = keyed_hash("address", "203.0.113.9")
CARE_HOME = keyed_hash("address", "198.51.100.4")


@time_machine.travel(NOW, tick=False)
class SpamTestCase(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", name="Albany Spine Clinic")
        cls.ana = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.ana, cls.albany, weekday=0, start_time=time(9), end_time=time(17))
        cls.desk = make_user(role=roles.FRONT_DESK, username="dana")

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def online(self, number: int, *, address: str = BOT, email: str = "", **fields) -> Consultation:
        """An online request sent `number` minutes before now, at the `number`th half-hour of next Monday."""
        email = email or f"person{number}@example.com"
        patient = make_patient(email=email, last_name=f"Fictional{number}")
        with time_machine.travel(NOW - timedelta(minutes=number), tick=False):
            return make_consultation(
                self.ana,
                self.albany,
                NEXT_MONDAY + timedelta(minutes=30 * number),
                patient=patient,
                address_hash=address,
                email_hash=email_key(email),
                phone_hash=phone_key(f"(518) 555-01{number:02d}"),
                **fields,
            )

    def group_form(self, kind: str, key: str, requests: list[Consultation], *, as_spam: bool) -> dict:
        data = {"kind": kind, "key": key, "requests": [str(c.public_id) for c in requests]}
        return data | ({"as_spam": "on"} if as_spam else {})


class PossibleSpamPageTests(SpamTestCase):
    def test_groups_of_three_or_more_open_requests_by_address_or_contact_newest_first(self) -> None:
        bots = [self.online(number) for number in (10, 11, 12, 13)]
        shared_email = [
            self.online(n, address=keyed_hash("address", f"192.0.2.{n}"), email="same@example.com") for n in (1, 2, 3)
        ]
        pair = [self.online(n, address=CARE_HOME) for n in (20, 21)]

        response = self.client.get(SPAM)

        assert response.status_code == 200
        groups = response.context["groups"]
        assert [(group.kind, group.count) for group in groups] == [("email_hash", 3), ("address_hash", 4)]
        assert groups[0].consultations == shared_email
        assert groups[1].consultations == bots
        self.assertContains(response, "4 open requests from the same internet address")
        self.assertContains(response, "3 open requests from the same e-mail address")
        self.assertNotContains(response, pair[0].reference)
        # The page names no hash a visitor could read back, only a form field the desk never sees.
        self.assertContains(response, "Cancel these 4 requests")

    def test_cancelled_past_and_desk_booked_requests_are_left_out(self) -> None:
        bots = [self.online(number) for number in (10, 11, 12)]
        Consultation.objects.filter(pk=bots[0].pk).update(status=Consultation.Status.CANCELLED)
        make_consultation(self.ana, self.albany, NEXT_MONDAY + timedelta(hours=7))

        response = self.client.get(SPAM)

        assert response.context["groups"] == []
        self.assertContains(response, "Nothing looks like spam right now")

    def test_the_query_count_does_not_grow_with_the_groups(self) -> None:
        for number in (10, 11, 12):
            self.online(number)
        with self.assertNumQueries(FLAT_QUERIES):
            assert len(self.client.get(SPAM).context["groups"]) == 1

        for number in range(21, 33):
            self.online(number, address=keyed_hash("address", f"192.0.2.{number // 3}"))
        with self.assertNumQueries(FLAT_QUERIES):
            assert len(self.client.get(SPAM).context["groups"]) == 5

    def test_the_desk_navigation_links_to_it(self) -> None:
        self.assertContains(self.client.get(reverse("consultations:desk-queue")), f'href="{SPAM}"')

    def test_a_surgeon_may_not_see_it(self) -> None:
        surgeon = make_user(role=roles.SURGEON, username="sam")
        sign_in(self.client, surgeon)

        assert self.client.get(SPAM).status_code == 403


# Session, user, second factor and roles (4); the three group counts and all the groups' requests (4); the
# session's save (3, in a savepoint).
FLAT_QUERIES = 11


class CancelGroupTests(SpamTestCase):
    def test_cancelling_a_group_e_mails_each_patient_as_any_desk_cancel(self) -> None:
        bots = [self.online(number) for number in (10, 11, 12)]

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(SPAM, self.group_form("address_hash", BOT, bots, as_spam=False), follow=True)

        self.assertContains(response, "Cancelled 3 requests and e-mailed each contact.")
        assert set(Consultation.objects.values_list("status", flat=True)) == {Consultation.Status.CANCELLED}
        cancelled_mail = [m for m in mail.outbox if m.subject == "Your consultation is cancelled"]
        assert sorted(m.to[0] for m in cancelled_mail) == [
            "person10@example.com",
            "person11@example.com",
            "person12@example.com",
        ]
        events = ConsultationEvent.objects.filter(action=ConsultationEvent.Action.CANCEL)
        assert events.count() == 3 and {event.by for event in events} == {self.desk}

    def test_marked_as_spam_no_e_mail_goes_out_and_the_history_says_why(self) -> None:
        bots = [self.online(number) for number in (10, 11, 12)]

        with self.captureOnCommitCallbacks(execute=True):
            response = self.client.post(SPAM, self.group_form("address_hash", BOT, bots, as_spam=True), follow=True)

        self.assertContains(response, "Cancelled 3 requests without e-mailing anyone.")
        assert set(Consultation.objects.values_list("status", flat=True)) == {Consultation.Status.CANCELLED}
        assert not [m for m in mail.outbox if m.subject == "Your consultation is cancelled"]
        assert not SentMessage.objects.filter(kind=SentMessage.Kind.CANCELLED).exists()
        notes = set(
            ConsultationEvent.objects.filter(action=ConsultationEvent.Action.CANCEL).values_list("note", flat=True)
        )
        assert notes == {"Cancelled as spam, without telling the contact."}

    def test_only_the_requests_shown_and_still_in_the_group_are_cancelled(self) -> None:
        bots = [self.online(number) for number in (10, 11, 12)]
        newer = self.online(13)
        other = self.online(14, address=CARE_HOME)

        self.client.post(SPAM, self.group_form("address_hash", BOT, [*bots, other], as_spam=True))

        assert Consultation.objects.get(pk=newer.pk).status == Consultation.Status.REQUESTED
        assert Consultation.objects.get(pk=other.pk).status == Consultation.Status.REQUESTED
        assert Consultation.objects.filter(status=Consultation.Status.CANCELLED).count() == 3

    def test_a_damaged_form_cancels_nothing_and_says_so(self) -> None:
        bots = [self.online(number) for number in (10, 11, 12)]
        broken = self.group_form("address_hash", "not-a-key", bots, as_spam=True)

        response = self.client.post(SPAM, broken)

        assert response.status_code == 400
        self.assertContains(response, "Nothing was cancelled", status_code=400)
        assert self.client.post(SPAM, broken | {"key": BOT, "requests": ["nonsense"]}).status_code == 400
        assert self.client.post(SPAM, broken | {"key": BOT, "kind": "patient_id"}).status_code == 400
        assert not Consultation.objects.filter(status=Consultation.Status.CANCELLED).exists()
