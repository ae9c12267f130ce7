"""The red-flag screen before any free time is shown: routing, the cookie that carries its result, and the
record kept with a request (DOMAIN.md §3)."""

import re
import uuid
from datetime import UTC, date, datetime, time, timedelta
from html import unescape

import time_machine
from django.contrib.sessions.models import Session
from django.core import signing
from django.db import connection
from django.http import HttpResponse
from django.test import SimpleTestCase, TestCase, override_settings
from django.urls import reverse
from django.utils.html import escape

from clinic.models import RateCount
from clinic.ratelimit import keyed_hash
from consultations.booking import screening
from consultations.booking.red_flags import (
    CALL_YOUR_SURGEON_NOW,
    CANNOT_ASSESS,
    DO_NOT_DRIVE,
    EMERGENCY_ACTION,
    EMERGENCY_HEADLINE,
    FLAGS,
    QUESTIONS,
    SAME_DAY_ACTION,
    SAME_DAY_HEADLINE,
    Urgency,
)
from consultations.booking.services import PatientDetails, request_consultation
from consultations.links import patient_token
from consultations.models import Consultation, Patient, RedFlagScreen
from tests.factories import (
    make_consultation,
    make_location,
    make_rule,
    make_surgeon,
    request_form,
    screened,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday
NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # the next Monday, 09:00 EDT in Albany
SCREEN = reverse("consultations:screen")
START = reverse("consultations:request")
COOKIE = screening.COOKIE_NAME

CAUDA_EQUINA = ("saddle_numbness", "bladder", "bowel", "sexual", "both_legs")
WEAKNESS = ("weakness", "spreading_numbness")
INFECTION = ("fever", "wound", "pain_after_recent_surgery", "infection_risk")
CANCER = ("cancer", "weight_loss", "night_pain", "new_pain_over_50")
TRAUMA = ("injury",)
EXAMINED = screening.ACKNOWLEDGEMENTS[Urgency.EMERGENCY][1]
READ_ADVICE = screening.ACKNOWLEDGEMENTS[Urgency.SAME_DAY][1]


def answers(*items: str, recent_surgery: str = "no", **extra: str) -> dict:
    """The screen's form as a browser sends it: each ticked key under its question's field."""
    data: dict = {"recent_surgery": recent_surgery} if recent_surgery else {}
    for question in QUESTIONS:
        ticked = [flag.key for flag in question.flags if flag.key in items]
        if ticked:
            data[f"flags_{question.key}"] = ticked
    return data | extra


def confirmed(*items: str, **extra: str) -> dict:
    """The advice page's form sent back with its box ticked."""
    return answers(*items, **extra) | {"step": "acknowledge", "confirmed": "on"}


def contents(cookie_value: str) -> str:
    """What a screen cookie says, read without checking its signature."""
    payload = cookie_value.rsplit(":", 2)[0]
    return signing.b64_decode(payload.encode()).decode()


def signed_as_the_screen_signs(content: str) -> str:
    response = HttpResponse()
    response.set_signed_cookie(COOKIE, signing.b64_encode(content.encode()).decode(), salt=screening.SALT)
    return response.cookies[COOKIE].value


def main(response: HttpResponse) -> str:
    return response.content.decode().split('<main id="main"')[1].split("</main>")[0]


def shown_advice(response: HttpResponse) -> str:
    """The advice as the page shows it: the alert's heading and paragraphs, one a line, without the call button."""
    alert = re.search(r'<div class="alert[^"]*"\s+role="alert">(.*?)</div>', response.content.decode(), re.S)[1]
    parts = re.findall(r"<(h1|p)[^>]*>(.*?)</\1>", alert, re.S)
    return "\n".join(unescape(" ".join(text.split())) for _, text in parts if "<a " not in text)


def row_counts() -> dict[str, int]:
    with connection.cursor() as cursor:
        counts = {}
        for table in connection.introspection.table_names(cursor):
            cursor.execute(f'SELECT count(*) FROM "{table}"')
            counts[table] = cursor.fetchone()[0]
    return counts


class BookingSetup(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(slug="albany", timezone="America/New_York")
        cls.surgeon = make_surgeon(slug="ana", locations=[cls.albany], last_name="Lopez")
        make_rule(cls.surgeon, cls.albany, weekday=0, start_time=time(9), end_time=time(10))

    def pick_slot_url(self) -> str:
        return reverse("consultations:pick-slot", args=["ana"])

    def details_url(self) -> str:
        return reverse("consultations:request-details", args=["ana"])

    def form_data(self, **overrides: str) -> dict:
        values = request_form(f"{NINE.isoformat()}|albany")
        return values | overrides


@time_machine.travel(NOW, tick=False)
class ScreenPageTests(BookingSetup):
    def test_the_screen_asks_plain_yes_no_questions_in_fieldsets(self) -> None:
        response = self.client.get(SCREEN)

        html = main(response)
        assert html.count("<fieldset") == html.count("<legend") == len(QUESTIONS) + 1
        self.assertContains(response, "Have you had spine surgery in the last 12 weeks?")
        for flag in FLAGS.values():
            self.assertContains(response, flag.text)
        self.assertContains(response, '<form method="post"')
        assert "no-store" in response["Cache-Control"]
        assert COOKIE not in response.cookies

    def test_nothing_ticked_goes_straight_on_with_a_signed_cookie_for_the_booking_pages(self) -> None:
        with override_settings(DEBUG=False):
            response = self.client.post(SCREEN, answers())

        self.assertRedirects(response, START)
        cookie = response.cookies[COOKIE]
        assert cookie["path"] == START == "/request/"
        assert cookie["httponly"] and cookie["secure"]
        assert cookie["samesite"] == "Lax"
        assert cookie["max-age"] == 2 * 60 * 60
        self.assertContains(self.client.get(START), "Choose a surgeon")

    def test_the_surgeon_asked_for_is_where_the_screen_leads(self) -> None:
        response = self.client.get(self.pick_slot_url())
        self.assertRedirects(response, f"{SCREEN}?surgeon=ana")
        self.assertContains(self.client.get(response["Location"]), 'name="surgeon" value="ana"')

        response = self.client.post(SCREEN, answers(surgeon="ana"))

        self.assertRedirects(response, self.pick_slot_url())
        self.assertContains(self.client.get(self.pick_slot_url(), {"week": "2026-03-09"}), "9:00 AM EDT")

    def test_only_a_surgeon_taking_requests_can_be_the_destination(self) -> None:
        make_surgeon(slug="retired", accepts_new_patients=False)
        for destination in ("https://elsewhere.example/", "//elsewhere.example", "retired", "nobody", "a\x00b"):
            with self.subTest(destination=destination):
                page = self.client.get(SCREEN, {"surgeon": destination})
                assert page.status_code == 200
                self.assertNotContains(page, 'name="surgeon"')

                response = self.client.post(SCREEN, answers(surgeon=destination))

                self.assertRedirects(response, START)

    def test_the_answers_never_appear_in_the_address(self) -> None:
        for data in (answers("bladder"), confirmed("bladder"), confirmed("cancer", surgeon="ana"), answers()):
            with self.subTest(data=data):
                response = self.client.post(SCREEN, data)
                location = response.get("Location", "")
                assert not any(key in location for key in FLAGS)
                assert "surgery" not in location


@time_machine.travel(NOW, tick=False)
class ScreenRoutingTests(BookingSetup):
    def test_cauda_equina_weakness_and_infection_stop_at_the_urgent_message(self) -> None:
        for key in (*CAUDA_EQUINA, *WEAKNESS, *INFECTION):
            with self.subTest(key=key):
                response = self.client.post(SCREEN, answers(key, surgeon="ana"))

                assert response.status_code == 200
                html = main(response)
                for line in (EMERGENCY_HEADLINE, EMERGENCY_ACTION, DO_NOT_DRIVE, CANNOT_ASSESS):
                    assert line in html
                assert 'role="alert"' in html
                call = html.index('href="tel:911"')
                # The way to go on comes only after the call to action and the emergency instructions.
                assert call < html.index(CANNOT_ASSESS) < html.index("<form")
                self.assertContains(response, EXAMINED)
                assert "AM EDT" not in html and self.pick_slot_url() not in html
                assert CALL_YOUR_SURGEON_NOW not in html
                assert COOKIE not in response.cookies

    def test_recent_surgery_adds_calling_the_surgeon_who_operated(self) -> None:
        response = self.client.post(SCREEN, answers("wound", recent_surgery="yes"))

        self.assertContains(response, CALL_YOUR_SURGEON_NOW)

    def test_an_emergency_sign_is_shown_even_if_other_answers_are_missing_or_bogus(self) -> None:
        response = self.client.post(SCREEN, answers("bowel", recent_surgery="") | {"flags_other": ["bogus"]})

        self.assertContains(response, EMERGENCY_ACTION)

    def test_the_most_urgent_sign_wins(self) -> None:
        response = self.client.post(SCREEN, answers("cancer", "weakness"))

        self.assertContains(response, EMERGENCY_HEADLINE)
        self.assertNotContains(response, SAME_DAY_HEADLINE)

    def test_cancer_and_trauma_signs_advise_a_doctor_today_and_ask_for_an_acknowledgement(self) -> None:
        for key in (*CANCER, *TRAUMA):
            with self.subTest(key=key):
                response = self.client.post(SCREEN, answers(key))

                assert response.status_code == 200
                html = main(response)
                assert all(escape(line) in html for line in (SAME_DAY_HEADLINE, SAME_DAY_ACTION, CANNOT_ASSESS))
                assert READ_ADVICE in html
                assert 'type="checkbox" name="confirmed"' in " ".join(html.split())
                assert "btn-danger" not in html and EMERGENCY_HEADLINE not in html
                assert COOKIE not in response.cookies

    def test_acknowledged_advice_lets_the_patient_go_on(self) -> None:
        for data in (confirmed("injury", surgeon="ana"), confirmed("both_legs", surgeon="ana")):
            with self.subTest(data=data):
                self.client.cookies.clear()
                response = self.client.post(SCREEN, data)

                self.assertRedirects(response, self.pick_slot_url(), fetch_redirect_response=False)
                assert COOKIE in response.cookies
                assert self.client.get(self.pick_slot_url()).status_code == 200

    def test_going_on_without_the_confirmation_is_refused(self) -> None:
        cases = {
            "cancer": "tick the box to confirm that you have read this advice",
            "saddle_numbness": "tick the box to confirm that you have had exactly these symptoms, without change, "
            "for more than 6 weeks",
        }
        for key, message in cases.items():
            with self.subTest(key=key):
                data = confirmed(key)
                del data["confirmed"]

                response = self.client.post(SCREEN, data)

                self.assertContains(response, message, status_code=400)
                self.assertContains(response, 'aria-invalid="true"', status_code=400)
                assert COOKIE not in response.cookies
                self.assertRedirects(self.client.get(START), SCREEN)

    def test_a_missing_or_bogus_answer_without_red_flags_is_asked_again(self) -> None:
        for data in (answers(recent_surgery=""), answers(recent_surgery="maybe"), answers() | {"flags_nerves": "x"}):
            with self.subTest(data=data):
                response = self.client.post(SCREEN, data)

                self.assertContains(response, "Please answer the question about surgery", status_code=400)
                assert COOKIE not in response.cookies

    def test_a_confirmation_without_red_flags_is_just_a_screen_with_none(self) -> None:
        response = self.client.post(SCREEN, confirmed())

        self.assertRedirects(response, START)


@time_machine.travel(NOW, tick=False)
class ScreenGuardTests(BookingSetup):
    def assert_sent_to_screen(self) -> None:
        self.assertRedirects(self.client.get(START), SCREEN)
        self.assertRedirects(self.client.get(self.pick_slot_url()), f"{SCREEN}?surgeon=ana")
        response = self.client.get(self.details_url(), {"slot": f"{NINE.isoformat()}|albany"})
        self.assertRedirects(response, f"{SCREEN}?surgeon=ana")
        response = self.client.post(self.details_url(), self.form_data())
        self.assertRedirects(response, f"{SCREEN}?surgeon=ana")
        assert not Consultation.objects.exists()

    def test_pages_with_free_times_send_an_unscreened_visitor_to_the_screen(self) -> None:
        self.assert_sent_to_screen()

    def test_htmx_is_told_to_load_the_screen_instead_of_swapping_it_into_the_week(self) -> None:
        response = self.client.get(self.pick_slot_url(), {"week": "2026-03-09"}, HTTP_HX_REQUEST="true")

        assert response["HX-Redirect"] == f"{SCREEN}?surgeon=ana"
        self.assertNotContains(response, "AM EDT")

    def test_a_tampered_cookie_counts_as_not_screened(self) -> None:
        screened(self.client)
        value = self.client.cookies[COOKIE].value
        payload, stamp, signature = value.rsplit(":", 2)
        ticked = contents(value).replace('"items":[]', '"items":["bladder"]')
        forgeries = (
            f"{signing.b64_encode(ticked.encode()).decode()}:{stamp}:{signature}",
            value[:-2] + ("xx" if not value.endswith("xx") else "yy"),
            payload,
            contents(value),
        )
        for forged in forgeries:
            with self.subTest(forged=forged):
                self.client.cookies[COOKIE] = forged
                self.assert_sent_to_screen()

    def test_a_cookie_older_than_two_hours_counts_as_not_screened(self) -> None:
        screened(self.client)
        with time_machine.travel(NOW + timedelta(hours=1, minutes=59), tick=False):
            assert self.client.get(START).status_code == 200
        with time_machine.travel(NOW + timedelta(hours=2, minutes=1), tick=False):
            self.assert_sent_to_screen()

    def test_a_signed_cookie_that_does_not_hold_a_result_counts_as_not_screened(self) -> None:
        # Signed as the screen signs, but not something the screen would write.
        emergency_marked_clear = '{"items":["bladder"],"recent_surgery":false,"urgency":0,"acknowledgement":"","at":1}'
        for content in ("not json", "[]", emergency_marked_clear):
            with self.subTest(content=content):
                self.client.cookies[COOKIE] = signed_as_the_screen_signs(content)
                self.assert_sent_to_screen()
        response = HttpResponse()
        response.set_signed_cookie(COOKIE, "not base64 \u00e9", salt=screening.SALT)
        self.client.cookies.update(response.cookies)
        self.assert_sent_to_screen()

    def test_the_patients_own_link_needs_no_screen(self) -> None:
        consultation = make_consultation(self.surgeon, self.albany, NINE)
        token = patient_token(consultation)

        for name in ("my-consultation", "reschedule", "cancel"):
            with self.subTest(name=name):
                assert self.client.get(reverse(f"consultations:{name}", args=[token])).status_code == 200


@time_machine.travel(NOW, tick=False)
class ScreenPrivacyTests(BookingSetup):
    def test_a_visitor_who_stops_leaves_no_row_no_session_and_no_log_line(self) -> None:
        before = row_counts()
        stops = (answers("bladder", recent_surgery="yes"), answers("fever"), answers("cancer"), answers("injury"))

        with self.assertNoLogs(level="DEBUG"):
            assert self.client.get(SCREEN).status_code == 200
            for data in stops:
                response = self.client.post(SCREEN, data)
                assert response.status_code == 200
                assert "sessionid" not in response.cookies and COOKIE not in response.cookies
        with self.assertLogs("django.request", level="DEBUG") as logs:
            refused = answers("bladder", step="acknowledge")
            assert self.client.post(SCREEN, refused).status_code == 400
        # Django names the refused address, never what was ticked.
        assert not any(key in line for line in logs.output for key in (*FLAGS, "bladder", "surgery"))

        after = row_counts()
        # The one row added is the address's rate count: a bucket, a keyed hash (not the address) and a number.
        assert after.pop("clinic_ratecount") == before.pop("clinic_ratecount") + 1
        assert after == before
        assert list(RateCount.objects.values_list("bucket", "count")) == [("screen", 5)]
        assert RateCount.objects.get().key == keyed_hash("address", "127.0.0.1")
        assert (RedFlagScreen.objects.count(), Consultation.objects.count(), Patient.objects.count()) == (0, 0, 0)
        assert not Session.objects.exists()
        assert dict(self.client.session) == {}

    def test_the_cookie_holds_flag_keys_and_codes_never_text(self) -> None:
        response = self.client.post(SCREEN, confirmed("wound", recent_surgery="yes"))

        value = response.cookies[COOKIE].value
        content = contents(value)
        assert '"items":["wound"]' in content
        assert '"acknowledgement":"examined"' in content
        for text in (FLAGS["wound"].text, EXAMINED, EMERGENCY_ACTION, "wound"):
            assert text not in value  # the raw value shows no words at all
        assert FLAGS["wound"].text not in content and EXAMINED not in content


@time_machine.travel(NOW, tick=False)
class ScreenRecordTests(BookingSetup):
    def request(self) -> Consultation:
        response = self.client.post(self.details_url(), self.form_data())
        assert response.status_code == 302, response.content.decode()
        return Consultation.objects.get()

    def test_a_request_after_nothing_ticked_records_an_empty_screen(self) -> None:
        self.client.post(SCREEN, answers())

        consultation = self.request()

        assert consultation.safety_flag == ""
        screen = consultation.red_flag_screen
        assert (screen.items, screen.urgency, screen.recent_surgery) == ([], 0, False)
        assert (screen.message_shown, screen.acknowledgement, screen.acknowledged_at) == ("", "", None)
        assert screen.screened_at == NOW

    def test_a_request_after_same_day_advice_is_flagged_for_review_with_what_was_shown(self) -> None:
        advice_page = self.client.post(SCREEN, answers("cancer", "injury", recent_surgery="yes"))
        self.client.post(SCREEN, confirmed("cancer", "injury", recent_surgery="yes"))

        consultation = self.request()

        assert consultation.safety_flag == "review"
        screen = consultation.red_flag_screen
        assert (screen.items, screen.urgency, screen.recent_surgery) == (["cancer", "injury"], 1, True)
        assert screen.message_shown == shown_advice(advice_page)
        assert screen.message_shown.startswith(SAME_DAY_HEADLINE + "\n" + SAME_DAY_ACTION)
        assert screen.acknowledgement == READ_ADVICE
        self.assertContains(advice_page, screen.acknowledgement)
        assert screen.acknowledged_at == screen.screened_at == NOW

    def test_a_request_after_the_urgent_message_is_flagged_urgent_with_what_was_shown(self) -> None:
        advice_page = self.client.post(SCREEN, answers("saddle_numbness", "weakness", recent_surgery="yes"))
        self.client.post(SCREEN, confirmed("saddle_numbness", "weakness", recent_surgery="yes"))

        consultation = self.request()

        assert consultation.safety_flag == "urgent"
        screen = consultation.red_flag_screen
        assert (screen.items, screen.urgency) == (["saddle_numbness", "weakness"], 2)
        assert screen.message_shown == shown_advice(advice_page)
        assert CALL_YOUR_SURGEON_NOW in screen.message_shown.splitlines()
        assert screen.acknowledgement == EXAMINED
        assert screen.acknowledged_at == NOW
        assert screen.acknowledged_items == ["saddle_numbness", "weakness"]

    def test_an_override_covers_only_the_emergency_symptoms_ticked(self) -> None:
        self.client.post(SCREEN, confirmed("night_pain", "fever"))

        screen = self.request().red_flag_screen

        assert (screen.items, screen.urgency, screen.acknowledged_items) == (["fever", "night_pain"], 2, ["fever"])

    def test_a_form_sent_twice_records_one_screen(self) -> None:
        screened(self.client, "night_pain")
        data = self.form_data()
        first = self.client.post(self.details_url(), data)
        # A double click: the second POST left the browser with the cookie before the first answer cleared it.
        screened(self.client, "night_pain")
        second = self.client.post(self.details_url(), data)

        assert first["Location"] == second["Location"]
        assert RedFlagScreen.objects.count() == Consultation.objects.count() == 1
        assert Consultation.objects.get().safety_flag == "review"

    def test_a_sent_request_clears_the_screen_so_the_next_person_is_asked_again(self) -> None:
        screened(self.client)
        self.request()

        assert self.client.cookies[COOKIE].value == ""
        response = self.client.get(self.details_url())
        assert response.status_code == 302 and response["Location"].startswith(SCREEN)

    def test_a_request_refused_for_a_taken_slot_records_nothing(self) -> None:
        make_consultation(self.surgeon, self.albany, NINE)
        screened(self.client, "bladder")

        response = self.client.post(self.details_url(), self.form_data())

        assert response.status_code == 409
        assert not RedFlagScreen.objects.exists()


class ScreenResultTests(SimpleTestCase):
    """The cookie's contents on their own: no database, no request."""

    def test_a_result_survives_the_round_trip(self) -> None:
        result = screening.ScreenResult.passed(["bowel"], recent_surgery=True, acknowledged=True, at=NOW)

        assert screening.decode(screening.encode(result)) == result
        assert result.urgency == Urgency.EMERGENCY and result.acknowledgement == EXAMINED

    def test_a_red_flag_cannot_pass_without_its_acknowledgement(self) -> None:
        with self.assertRaises(screening.NotAcknowledged):
            screening.ScreenResult.passed(["cancer"], recent_surgery=False, acknowledged=False, at=NOW)
        clear = screening.ScreenResult.passed([], recent_surgery=False, acknowledged=False, at=NOW)
        assert (clear.urgency, clear.acknowledgement, clear.message_shown) == (Urgency.NONE, "", "")

    def test_contents_that_the_screen_would_not_write_are_refused(self) -> None:
        good = screening.encode(
            screening.ScreenResult.passed(["cancer"], recent_surgery=False, acknowledged=True, at=NOW)
        )
        for value in (
            good.replace('"urgency":1', '"urgency":0'),
            good.replace('"read_advice"', '"examined"'),
            # A result written before the emergency's confirmation was reworded is asked again.
            good.replace('"read_advice"', '"assessed"'),
            good.replace('"read_advice"', '""'),
            good.replace('"cancer"', '"headache"'),
            good.replace('"recent_surgery":false', '"recent_surgery":"no"'),
            good.replace(str(int(NOW.timestamp())), '"yesterday"'),
            good.replace(str(int(NOW.timestamp())), "99999999999999999999"),
            "",
            "null",
            "[1, 2]",
        ):
            with self.subTest(value=value):
                assert screening.decode(value) is None

    def test_the_message_is_the_advice_headline_and_instructions_one_a_line(self) -> None:
        result = screening.ScreenResult.passed(["fever"], recent_surgery=False, acknowledged=True, at=NOW)

        assert result.message_shown.splitlines() == [EMERGENCY_HEADLINE, EMERGENCY_ACTION, DO_NOT_DRIVE, CANNOT_ASSESS]


@time_machine.travel(NOW, tick=False)
class RequestConsultationScreenTests(BookingSetup):
    def test_the_service_records_the_screen_with_the_consultation(self) -> None:
        screen = screening.ScreenResult.passed(["weight_loss"], recent_surgery=False, acknowledged=True, at=NOW)

        consultation = request_consultation(
            surgeon=self.surgeon,
            location=self.albany,
            start=NINE,
            details=PatientDetails(
                first_name="Robin",
                last_name="Fictional",
                date_of_birth=date(1968, 4, 2),
                email="robin@example.com",
                phone="(518) 555-0123",
            ),
            visit_type=Consultation.VisitType.IN_PERSON,
            reason="Fictional.",
            idempotency_key=uuid.uuid4(),
            screen=screen,
        )

        record = RedFlagScreen.objects.get(consultation=consultation)
        assert (record.items, record.urgency, record.acknowledgement) == (["weight_loss"], 1, READ_ADVICE)
        assert record.message_shown == screen.message_shown
        assert Consultation.objects.get().safety_flag == "review"
