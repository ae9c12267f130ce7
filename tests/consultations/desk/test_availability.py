from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from consultations.booking.availability import free_slots_for
from consultations.desk.services import add_time_off, end_availability_rule
from consultations.models import AvailabilityRule, Consultation, TimeOff
from tests.consultations.desk.test_schedule import table_rows
from tests.factories import (
    make_consultation,
    make_intake,
    make_location,
    make_patient,
    make_rule,
    make_surgeon,
    make_time_off,
    make_user,
    sign_in,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # Monday March 2, 7:00 AM in New York
MARCH_9_NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)  # 9:00 AM EDT in Albany


def propose_href(consultation: Consultation) -> str:
    return f'href="{reverse("consultations:desk-propose", args=[consultation.public_id])}"'


@time_machine.travel(NOW, tick=False)
class AvailabilityTestData(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(name="Albany Spine Center", slug="albany", timezone="America/New_York")
        cls.phoenix = make_location(name="Phoenix Spine Center", slug="phoenix", timezone="America/Phoenix")
        cls.ana = make_surgeon(slug="ana", first_name="Ana", last_name="Alvarez", locations=[cls.albany])
        cls.rule = make_rule(cls.ana, cls.albany, weekday=0, start_time=time(9), end_time=time(10))
        cls.desk = make_user(role=roles.FRONT_DESK)

    def setUp(self) -> None:
        sign_in(self.client, self.desk)


class AddClinicTests(AvailabilityTestData):
    url = reverse("consultations:desk-rule-add", args=["ana"])

    def post(self, **overrides):
        data = {
            "location": str(self.phoenix.pk),
            "weekday": "2",
            "start_time": "13:00",
            "end_time": "17:00",
            "slot_minutes": "20",
            "valid_from": "",
            "valid_until": "",
        }
        return self.client.post(self.url, data | overrides)

    def test_a_weekly_clinic_is_added(self) -> None:
        response = self.post(valid_from="2026-03-04", valid_until="2026-06-30")

        self.assertRedirects(response, reverse("consultations:desk-availability-surgeon", args=["ana"]))
        rule = AvailabilityRule.objects.exclude(pk=self.rule.pk).get()
        assert (rule.surgeon, rule.location, rule.weekday, rule.start_time, rule.end_time, rule.slot_minutes) == (
            self.ana,
            self.phoenix,
            2,
            time(13),
            time(17),
            20,
        )
        assert (rule.valid_from, rule.valid_until) == (date(2026, 3, 4), date(2026, 6, 30))

    def test_the_form_is_labelled(self) -> None:
        response = self.client.get(self.url)

        assert response.status_code == 200
        for label in ("Clinic starts", "Clinic ends", "Minutes per consultation", "First day", "Last day"):
            self.assertContains(response, label)

    def test_bad_input_is_a_400_with_the_reason_and_saves_nothing(self) -> None:
        for overrides, message in (
            ({"start_time": "12:00", "end_time": "09:00"}, "The clinic must end after it starts."),
            ({"slot_minutes": "4"}, "A slot lasts between 5 minutes and 8 hours."),
            ({"slot_minutes": "481", "start_time": "00:00", "end_time": "23:00"}, "A slot lasts between 5 minutes"),
            (
                {"valid_from": "2026-05-01", "valid_until": "2026-04-01"},
                "The rule&#x27;s last day must not be before its first day.",
            ),
            ({"start_time": "09:00", "end_time": "09:20", "slot_minutes": "30"}, "shorter than one consultation"),
            ({"start_time": "25:00"}, "Enter a valid time."),
            ({"location": ""}, "This field is required."),
            ({"weekday": "7"}, "Select a valid choice."),
            ({"slot_minutes": "-1"}, "Ensure this value is greater than or equal to 0."),
            ({"valid_until": "9999-12-31"}, "within 5 years of today"),
        ):
            with self.subTest(overrides=overrides):
                response = self.post(**overrides)
                self.assertContains(response, message, status_code=400)
                assert AvailabilityRule.objects.count() == 1


class EditClinicTests(AvailabilityTestData):
    def test_a_clinic_is_changed(self) -> None:
        url = reverse("consultations:desk-rule-edit", args=[self.rule.pk])
        self.assertContains(self.client.get(url), 'value="09:00"')

        response = self.client.post(
            url,
            {"location": self.albany.pk, "weekday": 0, "start_time": "08:00", "end_time": "11:00", "slot_minutes": 45},
        )

        self.assertRedirects(response, reverse("consultations:desk-availability-surgeon", args=["ana"]))
        self.rule.refresh_from_db()
        assert (self.rule.start_time, self.rule.end_time, self.rule.slot_minutes) == (time(8), time(11), 45)

    def test_a_bad_change_is_a_400_and_keeps_the_clinic(self) -> None:
        response = self.client.post(
            reverse("consultations:desk-rule-edit", args=[self.rule.pk]),
            {"location": self.albany.pk, "weekday": 0, "start_time": "11:00", "end_time": "08:00", "slot_minutes": 30},
        )

        self.assertContains(response, "The clinic must end after it starts.", status_code=400)
        self.rule.refresh_from_db()
        assert (self.rule.start_time, self.rule.end_time) == (time(9), time(10))

    def test_an_unknown_clinic_is_a_404(self) -> None:
        response = self.client.get(reverse("consultations:desk-rule-edit", args=[self.rule.pk + 1000]))

        assert response.status_code == 404


class EndClinicTests(AvailabilityTestData):
    def end(self, last_day: str):
        return self.client.post(reverse("consultations:desk-rule-end", args=[self.rule.pk]), {"valid_until": last_day})

    def test_an_ended_clinic_offers_nothing_after_its_last_day_and_lists_who_is_booked_after_it(self) -> None:
        booked = make_consultation(self.ana, self.albany, MARCH_9_NINE, patient=make_patient(first_name="Robin"))
        self.assertContains(
            self.client.get(reverse("consultations:desk-rule-end", args=[self.rule.pk])), 'value="2026-03-02"'
        )

        response = self.end("2026-03-08")

        self.assertRedirects(response, reverse("consultations:desk-availability-surgeon", args=["ana"]))
        self.rule.refresh_from_db()
        assert self.rule.valid_until == date(2026, 3, 8)
        page = self.client.get(reverse("consultations:desk-availability-surgeon", args=["ana"]))
        self.assertContains(page, "No free slots in the next 14 days.")
        assert table_rows(page, "Booked consultations that need another time") == [
            f"Robin {booked.patient.last_name} Ref. {booked.reference} Mon Mar 9, 2026, 9:00 AM EDT "
            "Albany Spine Center (518) 555-0199 Requested Outside the clinic hours Propose another time to Robin "
            f"{booked.patient.last_name}"
        ]
        self.assertContains(page, propose_href(booked))

    def test_bad_last_days_are_a_400_and_change_nothing(self) -> None:
        AvailabilityRule.objects.filter(pk=self.rule.pk).update(valid_from=date(2026, 4, 1))
        for last_day, message in (
            ("2026-03-10", "The rule&#x27;s last day must not be before its first day."),
            ("2026-03-01", "Choose today or a later day"),
            ("", "This field is required."),
            ("someday", "Enter a valid date."),
        ):
            with self.subTest(last_day=last_day):
                self.assertContains(self.end(last_day), message, status_code=400)
                self.rule.refresh_from_db()
                assert self.rule.valid_until is None

    def test_the_service_keeps_earlier_weeks(self) -> None:
        end_availability_rule(rule=self.rule, last_day=date(2026, 3, 9))

        assert [slot.start for slot in free_slots_for(self.ana, first_day=date(2026, 3, 9), days=14)] == [
            MARCH_9_NINE,
            MARCH_9_NINE + timedelta(minutes=30),
        ]


class PreviewTests(AvailabilityTestData):
    def test_the_next_two_weeks_free_slots_are_previewed_in_each_locations_zone(self) -> None:
        make_rule(self.ana, self.phoenix, weekday=3, start_time=time(14), end_time=time(15), slot_minutes=60)
        make_consultation(self.ana, self.albany, MARCH_9_NINE + timedelta(minutes=30))
        # Thursday March 12 at the Phoenix clinic is taken by time off.
        make_time_off(self.ana, datetime(2026, 3, 12, 7, tzinfo=UTC), datetime(2026, 3, 13, 7, tzinfo=UTC))

        response = self.client.get(reverse("consultations:desk-availability-surgeon", args=["ana"]))

        # Monday March 2 at 9:00 is less than 24 hours away, so patients cannot book it; March 16 is past two weeks.
        assert table_rows(response, "Free slots by day") == [
            "Thu Mar 5 1 2:00 PM MST (Phoenix Spine Center)",
            "Mon Mar 9 1 9:00 AM EDT (Albany Spine Center)",
        ]

    def test_the_overview_lists_every_surgeons_clinics_and_coming_time_off(self) -> None:
        ben = make_surgeon(first_name="Ben", last_name="Brooks")
        make_time_off(ben, datetime(2026, 3, 20, 4, tzinfo=UTC), datetime(2026, 3, 21, 4, tzinfo=UTC))
        make_time_off(ben, datetime(2026, 2, 20, 5, tzinfo=UTC), datetime(2026, 2, 21, 5, tzinfo=UTC), reason="Past")

        response = self.client.get(reverse("consultations:desk-availability"))

        assert table_rows(response, "Dr. Ana Alvarez, MD: weekly clinics") == [
            "Monday 9:00 AM to 10:00 AM EST Albany Spine Center 30 Always No end"
        ]
        self.assertContains(response, "Fri Mar 20, 2026, 12:00 AM EDT to Sat Mar 21, 2026, 12:00 AM EDT")
        self.assertNotContains(response, "(Past)")


class TimeOffTests(AvailabilityTestData):
    url = reverse("consultations:desk-time-off-add", args=["ana"])

    @classmethod
    def setUpTestData(cls) -> None:
        super().setUpTestData()
        cls.robin = make_consultation(cls.ana, cls.albany, MARCH_9_NINE, patient=make_patient(first_name="Robin"))
        cls.sam = make_consultation(
            cls.ana,
            cls.albany,
            MARCH_9_NINE + timedelta(minutes=30),
            patient=make_patient(first_name="Sam"),
            status=Consultation.Status.CONFIRMED,
        )
        make_consultation(
            cls.ana,
            cls.albany,
            MARCH_9_NINE,
            patient=make_patient(first_name="Casey"),
            status=Consultation.Status.CANCELLED,
        )
        make_consultation(cls.ana, cls.albany, MARCH_9_NINE + timedelta(days=7), patient=make_patient(first_name="Lee"))

    def post(self, **overrides):
        data = {
            "first_day": "2026-03-09",
            "from_time": "",
            "last_day": "",
            "until_time": "",
            "zone": "America/New_York",
            "reason": "Spine conference",
        }
        return self.client.post(self.url, data | overrides)

    def test_time_off_over_booked_consultations_lists_each_patient_with_a_propose_link(self) -> None:
        make_intake(self.robin, chief_complaint="Numb left foot since the fusion (fictional)")

        response = self.post()

        time_off = TimeOff.objects.get()
        self.assertRedirects(
            response, reverse("consultations:desk-time-off", args=[time_off.pk]), fetch_redirect_response=False
        )
        assert (time_off.surgeon, time_off.start, time_off.end, time_off.reason) == (
            self.ana,
            datetime(2026, 3, 9, 4, tzinfo=UTC),
            datetime(2026, 3, 10, 4, tzinfo=UTC),
            "Spine conference",
        )
        page = self.client.get(response["Location"])
        self.assertContains(page, "Time off added. 2 booked consultations fall in it")
        rows = table_rows(page, "Booked consultations during this time off")
        assert [row.split(" Ref.")[0] for row in rows] == [str(self.robin.patient), str(self.sam.patient)]
        for consultation in (self.robin, self.sam):
            self.assertContains(page, propose_href(consultation))
            self.assertContains(page, consultation.reference)
        self.assertNotContains(page, "Casey")
        self.assertNotContains(page, "Lee ")
        self.assertNotContains(page, "Numb left foot")
        self.assertNotContains(page, "Leg pain came back")

    def test_the_surgeon_page_keeps_listing_who_is_booked_during_time_off(self) -> None:
        self.post()

        page = self.client.get(reverse("consultations:desk-availability-surgeon", args=["ana"]))

        rows = table_rows(page, "Booked consultations that need another time")
        assert [row.split(" Ref.")[0] for row in rows] == [str(self.robin.patient), str(self.sam.patient)]
        assert all("During time off" in row for row in rows)

    def test_time_off_with_nobody_booked_says_so(self) -> None:
        response = self.post(first_day="2026-03-10", last_day="2026-03-12", zone="America/Phoenix")

        time_off = TimeOff.objects.get()
        assert (time_off.start, time_off.end) == (
            datetime(2026, 3, 10, 7, tzinfo=UTC),
            datetime(2026, 3, 13, 7, tzinfo=UTC),
        )
        self.assertContains(self.client.get(response["Location"]), "No booked consultation falls in this time off.")

    def test_part_of_a_day_in_another_locations_zone(self) -> None:
        self.post(first_day="2026-03-11", from_time="13:00", until_time="15:30", zone="America/Phoenix")

        time_off = TimeOff.objects.get()
        assert (time_off.start, time_off.end) == (
            datetime(2026, 3, 11, 20, tzinfo=UTC),
            datetime(2026, 3, 11, 22, 30, tzinfo=UTC),
        )

    def test_bad_input_is_a_400_with_the_reason_and_saves_nothing(self) -> None:
        for overrides, message in (
            ({"last_day": "2026-03-08"}, "Time off must end after it starts."),
            ({"from_time": "15:00", "until_time": "14:00"}, "Time off must end after it starts."),
            ({"first_day": "2026-03-08", "from_time": "02:30"}, "02:30 does not exist on Mar 08 in America/New_York"),
            ({"first_day": ""}, "This field is required."),
            ({"first_day": "2040-01-01"}, "within 5 years of today"),
            ({"zone": "Mars/Olympus_Mons"}, "Select a valid choice."),
            ({"until_time": "24:00"}, "Enter a valid time."),
        ):
            with self.subTest(overrides=overrides):
                response = self.post(**overrides)
                self.assertContains(response, message, status_code=400)
                assert not TimeOff.objects.exists()

    def test_the_service_returns_the_consultations_that_hold_their_time(self) -> None:
        time_off, affected = add_time_off(
            surgeon=self.ana,
            start=MARCH_9_NINE + timedelta(minutes=15),
            end=MARCH_9_NINE + timedelta(hours=1),
            reason="",
            by=self.desk,
        )

        assert time_off.pk is not None
        assert affected == [self.robin, self.sam]

    def test_removing_time_off_offers_its_slots_again(self) -> None:
        time_off = make_time_off(self.ana, datetime(2026, 3, 16, 4, tzinfo=UTC), datetime(2026, 3, 17, 4, tzinfo=UTC))
        url = reverse("consultations:desk-time-off-remove", args=[time_off.pk])
        self.assertContains(self.client.get(url), "Remove time off")
        assert free_slots_for(self.ana, first_day=date(2026, 3, 16), days=1) == []

        with self.assertLogs("consultations.desk") as logged:
            response = self.client.post(url)

        self.assertRedirects(response, reverse("consultations:desk-availability-surgeon", args=["ana"]))
        assert not TimeOff.objects.exists()
        assert logged.output == [
            f"INFO:consultations.desk:Time off {time_off.pk} removed for surgeon ana by user {self.desk.pk}"
        ]
        # Lee holds 9:00 that day.
        assert [slot.start for slot in free_slots_for(self.ana, first_day=date(2026, 3, 16), days=1)] == [
            datetime(2026, 3, 16, 13, 30, tzinfo=UTC)
        ]


class AvailabilityAccessTests(AvailabilityTestData):
    def test_surgeons_and_visitors_can_neither_see_nor_change_availability(self) -> None:
        time_off = make_time_off(self.ana, datetime(2026, 3, 16, 4, tzinfo=UTC), datetime(2026, 3, 17, 4, tzinfo=UTC))
        pages = [
            reverse("consultations:desk-availability"),
            reverse("consultations:desk-availability-surgeon", args=["ana"]),
            reverse("consultations:desk-time-off", args=[time_off.pk]),
        ]
        forms = [
            reverse("consultations:desk-rule-add", args=["ana"]),
            reverse("consultations:desk-rule-edit", args=[self.rule.pk]),
            reverse("consultations:desk-rule-end", args=[self.rule.pk]),
            reverse("consultations:desk-time-off-add", args=["ana"]),
            reverse("consultations:desk-time-off-remove", args=[time_off.pk]),
        ]
        data = {"valid_until": "2026-03-20", "first_day": "2026-03-20", "zone": "America/New_York"}
        surgeon_user = make_user(role=roles.SURGEON)
        self.client.logout()
        for url in pages + forms:
            with self.subTest(url=url, who="anonymous"):
                sent = [self.client.get(url)] + ([self.client.post(url, data)] if url in forms else [])
                for response in sent:
                    assert response.status_code == 302
                    assert response["Location"].startswith(reverse("clinic:sign-in"))
        sign_in(self.client, surgeon_user)
        for url in pages + forms:
            with self.subTest(url=url, who="surgeon"):
                assert self.client.get(url).status_code == 403
                if url in forms:
                    assert self.client.post(url, data).status_code == 403
        assert TimeOff.objects.count() == 1
        self.rule.refresh_from_db()
        assert self.rule.valid_until is None
