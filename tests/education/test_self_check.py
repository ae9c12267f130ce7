from django.contrib.sessions.models import Session
from django.db import connection
from django.test import SimpleTestCase, TestCase
from django.urls import reverse

from clinic.models import RateCount
from clinic.ratelimit import keyed_hash
from consultations.booking.red_flags import EMERGENCY_ACTION, SAME_DAY_ACTION
from tests.factories import make_article

SELF_CHECK = reverse("education:self-check")
NO_FLAGS = {"surgery": "earlier", "duration": "long", "where": "leg", "tried": ["therapy", "injections"]}


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


class SelfCheckFormTests(SimpleTestCase):
    def test_the_form_asks_plain_questions_including_the_red_flags(self) -> None:
        response = self.client.get(SELF_CHECK)

        questions = response.content.decode().count("<legend")
        assert 5 <= questions <= 8
        self.assertContains(response, "Have you had an operation on your spine?")
        self.assertContains(response, "Numbness or pins and needles between your legs")
        self.assertContains(response, "Nothing you answer here is saved")
        assert response["Cache-Control"].count("no-store") == 1


class SelfCheckRoutingTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        for slug in ("pain-after-back-surgery", "endoscopic-discectomy", "prepare-for-your-consultation"):
            make_article(slug=slug, title=f"About {slug}")

    def test_an_emergency_sign_shows_the_urgent_message_and_nothing_else(self) -> None:
        response = self.client.post(SELF_CHECK, NO_FLAGS | {"flags_nerves": ["bladder"]})

        self.assertContains(response, "These symptoms can be a medical emergency.")
        self.assertContains(response, EMERGENCY_ACTION)
        self.assertContains(response, '<a class="btn btn-danger btn-lg" href="tel:911">Call 911</a>', html=True)
        main = response.content.decode().split('<main id="main"')[1].split("</main>")[0]
        assert "/learn/" not in main
        assert reverse("consultations:request") not in main

    def test_recent_surgery_adds_calling_the_surgeon_who_operated(self) -> None:
        response = self.client.post(SELF_CHECK, {"surgery": "recent", "flags_weakness_infection": ["fever"]})

        self.assertContains(response, "also call the surgeon who operated on you")

    def test_a_same_day_sign_advises_a_doctor_today_and_nothing_else(self) -> None:
        response = self.client.post(SELF_CHECK, NO_FLAGS | {"flags_other": ["weight_loss"]})

        self.assertContains(response, SAME_DAY_ACTION)
        self.assertNotContains(response, "About endoscopic-discectomy")

    def test_a_red_flag_wins_even_when_another_answer_is_invalid(self) -> None:
        response = self.client.post(SELF_CHECK, {"where": "nonsense", "flags_nerves": ["saddle_numbness", "bogus"]})

        self.assertContains(response, EMERGENCY_ACTION)

    def test_without_red_flags_it_suggests_articles_and_a_consultation(self) -> None:
        response = self.client.post(SELF_CHECK, NO_FLAGS)

        self.assertContains(response, "Articles that may help")
        titles = [article.title for article in response.context["articles"]]
        assert titles == [
            "About pain-after-back-surgery",
            "About endoscopic-discectomy",
            "About prepare-for-your-consultation",
        ]
        self.assertContains(response, f'href="{reverse("consultations:request")}"')
        self.assertContains(response, "This is not a diagnosis")
        self.assertNotContains(response, EMERGENCY_ACTION)

    def test_an_invalid_answer_without_red_flags_is_asked_again(self) -> None:
        response = self.client.post(SELF_CHECK, {"where": "nonsense"})

        assert response.status_code == 400
        self.assertContains(response, "Some answers were not ones we offer", status_code=400)


class SelfCheckPrivacyTests(TestCase):
    def test_answers_leave_no_row_no_session_and_no_log_line(self) -> None:
        before = row_counts()

        with self.assertNoLogs(level="DEBUG"):
            for answers in (NO_FLAGS, NO_FLAGS | {"flags_nerves": ["bowel"]}, NO_FLAGS | {"flags_other": ["cancer"]}):
                response = self.client.post(SELF_CHECK, answers)
                assert response.status_code == 200
                assert "sessionid" not in response.cookies

        after = row_counts()
        # The one row added is the address's rate count: a bucket, a keyed hash (not the address) and a number.
        assert after.pop("clinic_ratecount") == before.pop("clinic_ratecount") + 1
        assert after == before
        assert list(RateCount.objects.values_list("bucket", "count")) == [("self-check", 3)]
        assert RateCount.objects.get().key == keyed_hash("address", "127.0.0.1")
        assert not Session.objects.exists()
        assert dict(self.client.session) == {}

    def test_answers_are_sent_in_the_body_never_in_the_address(self) -> None:
        self.assertContains(self.client.get(SELF_CHECK), '<form method="post"')
