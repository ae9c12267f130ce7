"""Send me my link again: the same answer for everyone, an e-mail with working links only for a match."""

import re
from datetime import date, timedelta

from django.core import mail
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from consultations.models import SentMessage
from tests.factories import make_consultation, make_location, make_patient, make_surgeon

RESEND = reverse("consultations:resend-link")
SENT = reverse("consultations:resend-link-sent")
ANSWER = "If we found a consultation for those details, we've e-mailed a new link."
BORN = date(1961, 4, 5)


class ResendLinkTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        location = make_location()
        surgeon = make_surgeon(locations=[location])
        cls.patient = make_patient(email="Rita.Fictional@example.com", date_of_birth=BORN)
        now = timezone.now()
        cls.next_one = make_consultation(surgeon, location, now + timedelta(days=10), patient=cls.patient)
        cls.later = make_consultation(surgeon, location, now + timedelta(days=40), patient=cls.patient)
        cls.long_past = make_consultation(surgeon, location, now - timedelta(days=60), patient=cls.patient)
        cls.someone_else = make_consultation(surgeon, location, now + timedelta(days=11))

    def ask(self, email: str, born: date):
        with self.captureOnCommitCallbacks(execute=True):
            return self.client.post(RESEND, {"email": email, "date_of_birth": born.isoformat()}, follow=True)

    def test_a_match_gets_one_e_mail_with_a_working_link_to_each_current_consultation(self) -> None:
        response = self.ask(" rita.fictional@EXAMPLE.com", BORN)

        self.assertRedirects(response, SENT)
        self.assertContains(response, ANSWER)
        assert len(mail.outbox) == 1
        message = mail.outbox[0]
        assert message.to == ["Rita.Fictional@example.com"]
        assert message.subject == "Your consultation links"
        links = re.findall(r"https?://\S+/my-consultation/\S+/", message.body)
        assert len(links) == 2
        self.client.logout()
        opened = [self.client.get(link.split("8000", 1)[-1]) for link in links]
        assert [page.status_code for page in opened] == [200, 200]
        assert [page.context["consultation"] for page in opened] == [self.next_one, self.later]
        assert self.long_past.reference not in message.body
        assert self.someone_else.reference not in message.body
        # Nothing of the patient's history: only what the other link e-mails show.
        assert self.next_one.reason not in message.body
        sent = SentMessage.objects.get(kind=SentMessage.Kind.LINKS_RESENT)
        assert (sent.consultation, sent.state) == (self.next_one, SentMessage.State.SENT)

    def test_no_match_gets_the_same_answer_and_no_e_mail(self) -> None:
        for email, born in [
            ("rita.fictional@example.com", date(1961, 4, 6)),
            ("nobody@example.com", BORN),
            (self.someone_else.patient.email, BORN),
        ]:
            with self.subTest(email=email, born=born):
                response = self.ask(email, born)

                self.assertRedirects(response, SENT)
                self.assertContains(response, ANSWER)
        assert mail.outbox == []
        assert not SentMessage.objects.exists()

    def test_match_and_no_match_read_the_database_alike(self) -> None:
        data = {"email": "rita.fictional@example.com", "date_of_birth": BORN.isoformat()}
        unknown = data | {"email": "nobody@example.com"}
        # Each counter's first count of a window also clears ended windows: start both windows first.
        self.client.post(RESEND, unknown)
        self.client.post(RESEND, data)
        # The counts and the one look-up, both ways; a match then files the message (one INSERT).
        with CaptureQueriesContext(connection) as no_match:
            self.client.post(RESEND, unknown)
        with CaptureQueriesContext(connection) as match:
            self.client.post(RESEND, data)

        assert len(match) == len(no_match) + 1 == 6

    def test_one_e_mail_address_gets_three_e_mails_a_day_and_the_same_answer_after(self) -> None:
        for attempt in range(4):
            # From a new address each time: the limit per e-mail address holds whoever asks.
            with self.captureOnCommitCallbacks(execute=True):
                response = self.client.post(
                    RESEND,
                    {"email": self.patient.email, "date_of_birth": BORN.isoformat()},
                    REMOTE_ADDR=f"192.0.2.{attempt + 1}",
                    follow=True,
                )
            self.assertContains(response, ANSWER)

        assert len(mail.outbox) == 3

    def test_one_address_asks_five_times_an_hour_then_gets_the_429_page(self) -> None:
        answers = [
            self.client.post(RESEND, {"email": f"n{number}@example.com", "date_of_birth": BORN.isoformat()})
            for number in range(6)
        ]

        assert [answer.status_code for answer in answers] == [302] * 5 + [429]

    def test_a_patient_with_only_old_consultations_gets_nothing(self) -> None:
        response = self.ask(self.patient.email, BORN)
        assert len(mail.outbox) == 1
        mail.outbox.clear()
        self.next_one.delete()
        self.later.delete()

        response = self.ask(self.patient.email, BORN)

        self.assertContains(response, ANSWER)
        assert mail.outbox == []

    def test_bad_input_is_a_clear_400(self) -> None:
        for data in [{}, {"email": "not an address", "date_of_birth": "1961-04-05"}, {"email": "a@example.com"}]:
            with self.subTest(data=data):
                response = self.client.post(RESEND, data)
                expected = "This field is required" if len(data) < 2 else "Enter a valid email address"
                self.assertContains(response, expected, status_code=400)
        response = self.client.post(RESEND, {"email": "a@example.com", "date_of_birth": "5th of April"})
        self.assertContains(response, "Enter a valid date", status_code=400)

    def test_the_page_is_linked_from_every_page_footer(self) -> None:
        self.assertContains(self.client.get(reverse("clinic:home")), f'href="{RESEND}"')
        self.assertContains(self.client.get(RESEND), "<h1>Send me my link again</h1>")
