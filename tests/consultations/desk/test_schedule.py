import csv
import io
import re
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse

from clinic import roles
from consultations.audit import csv_cell
from consultations.models import AccessLog, Consultation
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

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)  # a Monday; the clocks went forward in New York on March 8
MONDAY = date(2026, 3, 9)


def albany(hour: int, minute: int = 0) -> datetime:
    """A time on Monday March 9, 2026 in Albany (EDT, UTC-4)."""
    return datetime(2026, 3, 9, hour + 4, minute, tzinfo=UTC)


def phoenix(hour: int, minute: int = 0) -> datetime:
    """A time on Monday March 9, 2026 in Phoenix (MST all year, UTC-7)."""
    return datetime(2026, 3, 9, hour + 7, minute, tzinfo=UTC)


def text(html: str) -> str:
    """What a reader sees: tags gone, white space collapsed, no space before punctuation."""
    return re.sub(r" ([,;])", r"\1", " ".join(re.sub(r"<[^>]+>", " ", html).split()))


def table_rows(response, caption_start: str) -> list[str]:
    """The body rows of the table whose caption starts with `caption_start`, each as its visible text."""
    html = response.content.decode()
    for table in re.findall(r"<table.*?</table>", html, flags=re.S):
        caption = re.search(r"<caption>(.*?)</caption>", table, flags=re.S)
        if caption and text(caption[1]).startswith(caption_start):
            body = re.search(r"<tbody>(.*?)</tbody>", table, flags=re.S)[1]
            return [text(row) for row in re.findall(r"<tr.*?</tr>", body, flags=re.S)]
    raise AssertionError(f"No table captioned {caption_start!r}")


@time_machine.travel(NOW, tick=False)
class ScheduleTestData(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(name="Albany Spine Center", slug="albany", timezone="America/New_York")
        cls.phoenix = make_location(name="Phoenix Spine Center", slug="phoenix", timezone="America/Phoenix")
        cls.ana = make_surgeon(slug="ana", first_name="Ana", last_name="Alvarez", locations=[cls.albany])
        cls.ben = make_surgeon(slug="ben", first_name="Ben", last_name="Brooks", locations=[cls.phoenix])
        make_rule(cls.ana, cls.albany, weekday=0, start_time=time(9), end_time=time(12))
        make_rule(cls.ben, cls.phoenix, weekday=0, start_time=time(9), end_time=time(10))
        cls.desk = make_user(role=roles.FRONT_DESK)
        cls.consultations = {}
        for minute, status in (
            (0, Consultation.Status.REQUESTED),
            (30, Consultation.Status.CONFIRMED),
            (60, Consultation.Status.CHECKED_IN),
            (90, Consultation.Status.CANCELLED),
            (120, Consultation.Status.DECLINED),
            (150, Consultation.Status.NO_SHOW),
            (150, Consultation.Status.COMPLETED),
        ):
            patient = make_patient(first_name=status.label.replace(" ", "").replace("-", ""), last_name="Fictional")
            cls.consultations[status] = make_consultation(
                cls.ana, cls.albany, albany(9) + timedelta(minutes=minute), patient=patient, status=status
            )
        make_time_off(cls.ana, albany(11), albany(12), reason="Department meeting")

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def schedule(self, **params):
        return self.client.get(reverse("consultations:desk-schedule"), params)


class DayViewTests(ScheduleTestData):
    def test_the_day_lists_each_status_free_slots_and_time_off_in_time_order(self) -> None:
        response = self.schedule(surgeon="ana", day="2026-03-09")

        assert response.status_code == 200
        refs = {status: consultation.reference for status, consultation in self.consultations.items()}
        phone = "(518) 555-0199"
        assert table_rows(response, "Dr. Ana Alvarez, MD, Monday, March 9, 2026") == [
            f"9:00 AM to 9:30 AM EDT Albany Spine Center Requested Fictional Ref. {refs['requested']} {phone} "
            "In person Requested Not started",
            f"9:30 AM to 10:00 AM EDT Albany Spine Center Confirmed Fictional Ref. {refs['confirmed']} {phone} "
            "In person Confirmed Not started",
            f"10:00 AM to 10:30 AM EDT Albany Spine Center Checkedin Fictional Ref. {refs['checked_in']} {phone} "
            "In person Checked in Not started",
            f"10:30 AM to 11:00 AM EDT Albany Spine Center Cancelled Fictional Ref. {refs['cancelled']} {phone} "
            "In person Cancelled Not started",
            # The cancelled consultation no longer holds its time: patients can book it again.
            "10:30 AM to 11:00 AM EDT Albany Spine Center Free",
            f"11:00 AM to 11:30 AM EDT Albany Spine Center Declined Fictional Ref. {refs['declined']} {phone} "
            "In person Declined Not started",
            "11:00 AM to 12:00 PM EDT Time off, Mon Mar 9, 2026, 11:00 AM EDT to Mon Mar 9, 2026, 12:00 PM EDT "
            "(Department meeting) Time off",
            f"11:30 AM to 12:00 PM EDT Albany Spine Center Noshow Fictional Ref. {refs['no_show']} {phone} "
            "In person No-show Not started",
            f"11:30 AM to 12:00 PM EDT Albany Spine Center Completed Fictional Ref. {refs['completed']} {phone} "
            "In person Completed Not started",
        ]
        self.assertContains(response, "Albany Spine Center, 9:00 AM to 12:00 PM EDT")

    def test_each_location_names_its_own_time_zone(self) -> None:
        response = self.schedule(day="2026-03-09")

        assert table_rows(response, "Dr. Ben Brooks, MD, Monday, March 9, 2026") == [
            "9:00 AM to 9:30 AM MST Phoenix Spine Center Free",
            "9:30 AM to 10:00 AM MST Phoenix Spine Center Free",
        ]
        self.assertContains(response, "Dr. Ana Alvarez, MD, Monday, March 9, 2026")

    def test_a_location_shows_only_what_happens_there(self) -> None:
        response = self.schedule(location="phoenix", day="2026-03-09")

        self.assertContains(response, "Dr. Ben Brooks, MD, Monday, March 9, 2026")
        self.assertNotContains(response, "Dr. Ana Alvarez, MD, Monday")
        self.assertNotContains(response, "Albany Spine Center, 9:00")
        self.assertNotContains(response, "Department meeting")

    def test_intake_progress_shows_but_not_its_content(self) -> None:
        make_intake(self.consultations["requested"], chief_complaint="Burning pain in the left calf (fictional)")

        response = self.schedule(surgeon="ana", day="2026-03-09")

        rows = table_rows(response, "Dr. Ana Alvarez, MD, Monday, March 9, 2026")
        assert rows[0].endswith("Requested In progress")
        self.assertNotContains(response, "Burning pain")
        self.assertNotContains(response, "Leg pain came back")

    def test_a_chosen_surgeon_with_nothing_that_day_says_so(self) -> None:
        response = self.schedule(surgeon="ana", day="2026-03-10")

        self.assertContains(response, "No clinic this day.")
        self.assertContains(response, "Nothing booked, no free slots and no time off.")

    def test_without_parameters_it_shows_today(self) -> None:
        response = self.schedule()

        assert response.status_code == 200
        self.assertContains(response, "Schedule for Monday, March 2, 2026")

    def test_bad_parameters_are_a_400_naming_them(self) -> None:
        for params, message in (
            ({"day": "2026-02-30"}, "Enter a valid date."),
            ({"day": "9999-12-31"}, "Choose a date within 5 years of today."),
            ({"surgeon": "nobody"}, "Select a valid choice."),
            ({"location": "mars"}, "Select a valid choice."),
            ({"view": "month"}, "Select a valid choice."),
        ):
            with self.subTest(params=params):
                response = self.schedule(**params)
                self.assertContains(response, message, status_code=400)

    def test_the_page_links_a_print_stylesheet_that_is_served(self) -> None:
        response = self.schedule(day="2026-03-09")

        link = re.search(
            r'<link rel="stylesheet"\s+href="([^"]*consultations/print[^"]*\.css)"\s+media="print">',
            response.content.decode(),
        )
        assert link is not None
        stylesheet = self.client.get(link[1])
        assert stylesheet.status_code == 200
        assert b"break-before: page" in b"".join(stylesheet.streaming_content)


class ClockChangeTests(ScheduleTestData):
    def test_the_day_the_clocks_go_forward(self) -> None:
        make_rule(self.ana, self.albany, weekday=6, start_time=time(1), end_time=time(4), slot_minutes=60)

        response = self.schedule(surgeon="ana", day="2026-03-08")

        # 2:00 AM does not exist that night: the 1:00 slot lasts its hour and ends at 3:00 daylight time.
        assert table_rows(response, "Dr. Ana Alvarez, MD, Sunday, March 8, 2026") == [
            "1:00 AM EST to 3:00 AM EDT Albany Spine Center Free",
            "3:00 AM to 4:00 AM EDT Albany Spine Center Free",
        ]
        self.assertContains(response, "Albany Spine Center, 1:00 AM EST to 4:00 AM EDT")

    def test_the_day_the_clocks_go_back(self) -> None:
        make_rule(self.ana, self.albany, weekday=6, start_time=time(0), end_time=time(3), slot_minutes=60)

        with time_machine.travel(datetime(2026, 10, 20, 12, tzinfo=UTC), tick=False):
            self.client.logout()
            sign_in(self.client, self.desk)
            response = self.schedule(surgeon="ana", day="2026-11-01")

        # 1:00 AM happens twice; it is offered once, at its first occurrence.
        assert table_rows(response, "Dr. Ana Alvarez, MD, Sunday, November 1, 2026") == [
            "12:00 AM to 1:00 AM EDT Albany Spine Center Free",
            "1:00 AM EDT to 1:00 AM EST Albany Spine Center Free",
            "2:00 AM to 3:00 AM EST Albany Spine Center Free",
        ]


class WeekViewTests(ScheduleTestData):
    def test_the_week_has_a_row_per_day_with_clinics_consultations_free_slots_and_time_off(self) -> None:
        make_consultation(
            self.ana,
            self.albany,
            datetime(2026, 3, 12, 14, tzinfo=UTC),
            status=Consultation.Status.CONFIRMED,
            patient=make_patient(first_name="Thursday", last_name="Fictional"),
        )
        make_time_off(self.ana, datetime(2026, 3, 13, 4, tzinfo=UTC), datetime(2026, 3, 14, 4, tzinfo=UTC), reason="")

        response = self.schedule(surgeon="ana", day="2026-03-11", view="week")

        assert response.status_code == 200
        self.assertContains(response, "Schedule for the week of Monday, March 9, 2026")
        rows = table_rows(response, "Dr. Ana Alvarez, MD, week of March 9, 2026")
        assert len(rows) == 7
        assert rows[0].startswith("Mon Mar 9 CSV for Monday, March 9 Albany Spine Center, 9:00 AM to 12:00 PM EDT")
        assert "9:00 AM EDT: Requested Fictional, Albany Spine Center, Requested" in rows[0]
        assert "1 free: 10:30 AM EDT" in rows[0]
        assert rows[0].endswith("11:00 AM to 12:00 PM EDT (Department meeting)")
        assert rows[1] == "Tue Mar 10 CSV for Tuesday, March 10 None None None None"
        # Thursday 10:00 EDT is 14:00 UTC; the rule is on Mondays only.
        assert "10:00 AM EDT: Thursday Fictional, Albany Spine Center, Confirmed" in rows[3]
        assert rows[4] == "Fri Mar 13 CSV for Friday, March 13 None None None All day (EDT)"

    def test_week_links_lead_to_each_day(self) -> None:
        response = self.schedule(surgeon="ana", day="2026-03-09", view="week")

        self.assertContains(response, 'href="?surgeon=ana&amp;view=day&amp;day=2026-03-11"')
        self.assertContains(response, 'href="?surgeon=ana&amp;view=week&amp;day=2026-03-16"')


class WeekOverviewTests(ScheduleTestData):
    def test_every_surgeons_week_counts_each_day_and_links_to_it(self) -> None:
        response = self.schedule(day="2026-03-11", view="week")

        assert response.status_code == 200
        rows = table_rows(response, "Consultations, requests among them, and free slots")
        no_clinic = " No clinic" * 6
        # Ana's Monday: five consultations hold or held a time (the cancelled and declined ones do not), one of them
        # a request; of six slots, 10:30 is free again (its consultation was cancelled) and 11:00 on is time off.
        assert rows == [
            f"Dr. Ana Alvarez, MD 5 booked, Dr. Ana Alvarez, MD, Monday 1 to confirm 1 free Time off{no_clinic}",
            f"Dr. Ben Brooks, MD 0 booked, Dr. Ben Brooks, MD, Monday 2 free{no_clinic}",
        ]
        self.assertContains(response, 'href="?&amp;surgeon=ana&amp;view=day&amp;day=2026-03-09"')
        self.assertContains(response, 'href="?&amp;surgeon=ben&amp;view=week&amp;day=2026-03-09"')

    def test_a_location_counts_only_what_happens_there(self) -> None:
        response = self.schedule(location="phoenix", day="2026-03-09", view="week")

        rows = table_rows(response, "Consultations, requests among them, and free slots")
        assert [row.split(" 0 booked")[0] for row in rows] == ["Dr. Ben Brooks, MD"]
        self.assertContains(response, 'href="?location=phoenix&amp;surgeon=ben&amp;view=day&amp;day=2026-03-09"')


class ScheduleCsvTests(ScheduleTestData):
    def csv(self, **params):
        return self.client.get(reverse("consultations:desk-schedule-csv"), params)

    def test_the_day_downloads_as_csv_with_only_what_the_desk_may_see(self) -> None:
        response = self.csv(day="2026-03-09", surgeon="ana")

        assert response.status_code == 200
        assert response["Content-Type"] == "text/csv; charset=utf-8"
        assert response["Content-Disposition"] == 'attachment; filename="schedule-2026-03-09-ana.csv"'
        content = response.content.decode("utf-8")
        assert content.startswith("\ufeffDate,Start,End,Time zone,Surgeon,Location,Patient,Phone,Visit type,Status\r\n")
        rows = list(csv.reader(io.StringIO(content.removeprefix("\ufeff"))))
        zone = "America/New_York (EDT)"
        doctor = "Dr. Ana Alvarez, MD"
        place = "Albany Spine Center"
        phone = "(518) 555-0199"
        assert rows[1:] == [
            [
                "2026-03-09",
                "9:00 AM",
                "9:30 AM",
                zone,
                doctor,
                place,
                "Requested Fictional",
                phone,
                "In person",
                "Requested",
            ],
            [
                "2026-03-09",
                "9:30 AM",
                "10:00 AM",
                zone,
                doctor,
                place,
                "Confirmed Fictional",
                phone,
                "In person",
                "Confirmed",
            ],
            [
                "2026-03-09",
                "10:00 AM",
                "10:30 AM",
                zone,
                doctor,
                place,
                "Checkedin Fictional",
                phone,
                "In person",
                "Checked in",
            ],
            [
                "2026-03-09",
                "10:30 AM",
                "11:00 AM",
                zone,
                doctor,
                place,
                "Cancelled Fictional",
                phone,
                "In person",
                "Cancelled",
            ],
            [
                "2026-03-09",
                "11:00 AM",
                "11:30 AM",
                zone,
                doctor,
                place,
                "Declined Fictional",
                phone,
                "In person",
                "Declined",
            ],
            [
                "2026-03-09",
                "11:30 AM",
                "12:00 PM",
                zone,
                doctor,
                place,
                "Noshow Fictional",
                phone,
                "In person",
                "No-show",
            ],
            [
                "2026-03-09",
                "11:30 AM",
                "12:00 PM",
                zone,
                doctor,
                place,
                "Completed Fictional",
                phone,
                "In person",
                "Completed",
            ],
        ]
        assert "Leg pain" not in content

    def test_cells_a_spreadsheet_would_run_as_formulas_are_quoted(self) -> None:
        patient = make_patient(first_name='=HYPERLINK("http://x")', last_name="@SUM(A1)", phone="+1 518 555 0100")
        make_consultation(self.ben, self.phoenix, phoenix(9), patient=patient, contact_phone="-2+3")

        response = self.csv(day="2026-03-09", location="phoenix")

        rows = list(csv.reader(io.StringIO(response.content.decode("utf-8").removeprefix("\ufeff"))))
        assert rows[1] == [
            "2026-03-09",
            "9:00 AM",
            "9:30 AM",
            "America/Phoenix (MST)",
            "Dr. Ben Brooks, MD",
            "Phoenix Spine Center",
            '\'=HYPERLINK("http://x") @SUM(A1)',
            "'-2+3",
            "In person",
            "Requested",
        ]
        assert response["Content-Disposition"] == 'attachment; filename="schedule-2026-03-09-phoenix.csv"'

    def test_every_formula_start_is_guarded_and_nothing_else(self) -> None:
        cells = ["=1+1", "+1", "-1", "@A1", "\tx", "\rx", "a=1", "1-2", ""]

        assert [csv_cell(cell) for cell in cells] == ["'=1+1", "'+1", "'-1", "'@A1", "'\tx", "'\rx", "a=1", "1-2", ""]

    def test_the_phone_given_with_the_request_comes_before_the_patients_first_one(self) -> None:
        make_consultation(self.ben, self.phoenix, phoenix(9), contact_phone="+1 602 555 0111")

        response = self.csv(day="2026-03-09", surgeon="ben")

        assert "'+1 602 555 0111" in response.content.decode()

    def test_the_download_is_recorded_per_patient(self) -> None:
        self.csv(day="2026-03-09", surgeon="ana")

        logged = AccessLog.objects.filter(action=AccessLog.Action.EXPORT)
        assert logged.count() == len(self.consultations)
        assert set(logged.values_list("username", "role", "what").distinct()) == {
            (self.desk.username, AccessLog.Role.FRONT_DESK, "day schedule CSV for 2026-03-09")
        }

    def test_a_day_is_required_and_checked(self) -> None:
        self.assertContains(self.csv(), "This field is required.", status_code=400)
        self.assertContains(self.csv(day="03/09/2026x"), "Enter a valid date.", status_code=400)
        assert not AccessLog.objects.exists()


@time_machine.travel(NOW, tick=False)
class ScheduleQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.location = make_location(slug="albany", timezone="America/New_York")
        cls.desk = make_user(role=roles.FRONT_DESK)
        cls.first = make_surgeon(locations=[cls.location])
        make_rule(cls.first, cls.location, weekday=0, start_time=time(9), end_time=time(12))
        make_consultation(cls.first, cls.location, albany(9))

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def add_many(self) -> None:
        for _ in range(4):
            surgeon = make_surgeon(locations=[self.location])
            make_rule(surgeon, self.location, weekday=0, start_time=time(9), end_time=time(12))
            make_rule(surgeon, self.location, weekday=2, start_time=time(13), end_time=time(17))
            for minute in (0, 30, 60, 90):
                consultation = make_consultation(surgeon, self.location, albany(9, 0) + timedelta(minutes=minute))
                make_intake(consultation)
            make_time_off(surgeon, albany(11), albany(12))

    def test_day_and_week_views_and_the_csv_take_the_same_queries_for_one_row_or_many(self) -> None:
        # Signing in, the second factor and the role take 4 queries and saving the session 3; the page 9, the CSV 3
        # (the consultations, the role their access-log rows are logged under, and those rows in one insert).
        urls = {
            reverse("consultations:desk-schedule") + "?day=2026-03-09": 16,
            reverse("consultations:desk-schedule") + "?day=2026-03-09&view=week": 16,
            reverse("consultations:desk-schedule-csv") + "?day=2026-03-09": 10,
        }
        few = {}
        for url, queries in urls.items():
            with self.assertNumQueries(queries):
                few[url] = self.client.get(url).content
        self.add_many()
        for url, queries in urls.items():
            with self.assertNumQueries(queries):
                many = self.client.get(url).content
            assert len(many) > len(few[url])


class ScheduleAccessTests(TestCase):
    def test_surgeons_and_visitors_cannot_see_schedules(self) -> None:
        surgeon_user = make_user(role=roles.SURGEON)
        for url in (reverse("consultations:desk-schedule"), reverse("consultations:desk-schedule-csv")):
            with self.subTest(url=url):
                response = self.client.get(url + "?day=2026-03-09")
                assert response.status_code == 302
                assert response["Location"].startswith(reverse("clinic:sign-in"))
                sign_in(self.client, surgeon_user)
                assert self.client.get(url + "?day=2026-03-09").status_code == 403
                self.client.logout()
