import re
from datetime import UTC, date, datetime, timedelta

import time_machine
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from clinic import roles
from consultations.models import AccessLog, Consultation, Intake
from consultations.models.scheduling import SafetyFlag
from tests.consultations.desk.test_schedule import table_rows
from tests.factories import (
    make_consultation,
    make_intake,
    make_location,
    make_patient,
    make_surgeon,
    make_user,
    sign_in,
)

NOW = datetime(2026, 3, 2, 12, 0, tzinfo=UTC)
SEARCH = reverse("consultations:desk-patients")


@time_machine.travel(NOW, tick=False)
class PatientTestData(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.albany = make_location(name="Albany Spine Center", timezone="America/New_York")
        cls.phoenix = make_location(name="Phoenix Spine Center", timezone="America/Phoenix")
        cls.ana = make_surgeon(first_name="Ana", last_name="Alvarez")
        cls.robin = make_patient(
            first_name="Robin",
            last_name="Okafor",
            date_of_birth=date(1968, 4, 2),
            email="robin.okafor@example.com",
            phone="(518) 555-0123",
        )
        cls.sam = make_patient(
            first_name="Sam",
            last_name="Robinson",
            date_of_birth=date(1975, 11, 30),
            email="sam@example.org",
            phone="602-555-0188",
        )
        cls.other = make_patient(first_name="Lee", last_name="Fictional", date_of_birth=date(1968, 4, 2))
        cls.robins_visit = make_consultation(
            cls.ana, cls.albany, datetime(2026, 3, 9, 13, tzinfo=UTC), patient=cls.robin
        )
        cls.sams_visit = make_consultation(
            cls.ana,
            cls.phoenix,
            datetime(2026, 3, 10, 16, tzinfo=UTC),
            patient=cls.sam,
            contact_name="Samuel Robinson",
            contact_phone="+1 480 555 0142",
        )
        cls.desk = make_user(role=roles.FRONT_DESK)

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def search(self, **fields):
        return self.client.post(SEARCH, fields)

    def found(self, **fields) -> list[str]:
        response = self.search(**fields)
        assert response.status_code == 200
        if b"No patient matches" in response.content:
            return []
        return [row.split(" ")[0] + " " + row.split(" ")[1] for row in table_rows(response, "")]


class PatientSearchTests(PatientTestData):
    def test_the_search_form_is_labelled_and_empty_at_first(self) -> None:
        response = self.client.get(SEARCH)

        assert response.status_code == 200
        html = response.content.decode()
        for field, label in (
            ("name", "Name"),
            ("date_of_birth", "Date of birth"),
            ("email", "E-mail"),
            ("phone", "Phone"),
            ("reference", "Reference"),
        ):
            assert re.search(rf'<label\s+for="id_{field}"[^>]*>\s*{label}\s*</label>', html), label
        self.assertContains(response, 'method="post"')
        self.assertNotContains(response, "<table")

    def test_by_name_any_part_of_either_name_in_any_case(self) -> None:
        assert self.found(name="robin") == ["Okafor, Robin", "Robinson, Sam"]
        assert self.found(name="Robin Okafor") == ["Okafor, Robin"]
        assert self.found(name="okaf") == ["Okafor, Robin"]

    def test_a_typo_in_a_name_still_finds_the_patient_best_match_first(self) -> None:
        make_patient(first_name="Jordan", last_name="Fictional-Reyes", date_of_birth=date(1980, 5, 6))
        make_patient(first_name="Jordana", last_name="Fictional-Park", date_of_birth=date(1981, 5, 6))

        assert self.found(name="jordn") == ["Fictional-Reyes, Jordan", "Fictional-Park, Jordana"]
        assert self.found(name="Okafr") == ["Okafor, Robin"]
        assert self.found(name="jordn", date_of_birth="1981-05-06") == ["Fictional-Park, Jordana"]
        assert self.found(name="Zebedee") == []

    def test_by_the_name_a_patient_booked_with(self) -> None:
        assert self.found(name="Samuel") == ["Robinson, Sam"]

    def test_by_date_of_birth(self) -> None:
        assert self.found(date_of_birth="1968-04-02") == ["Fictional, Lee", "Okafor, Robin"]

    def test_by_email(self) -> None:
        assert self.found(email="ROBIN.okafor@") == ["Okafor, Robin"]
        assert self.found(email="example.org") == ["Robinson, Sam"]

    def test_by_phone_whatever_the_punctuation(self) -> None:
        assert self.found(phone="5185550123") == ["Okafor, Robin"]
        assert self.found(phone="555-0188") == ["Robinson, Sam"]
        # The number given with a request counts too.
        assert self.found(phone="(480) 555") == ["Robinson, Sam"]

    def test_by_reference_as_read_out_on_the_phone(self) -> None:
        reference = self.sams_visit.reference
        assert self.found(reference=reference) == ["Robinson, Sam"]
        assert self.found(reference=f" #{reference[:4]}-{reference[4:].lower()} ") == ["Robinson, Sam"]

    def test_boxes_combine_so_two_identifiers_narrow_to_one_patient(self) -> None:
        assert self.found(name="Robin", date_of_birth="1968-04-02") == ["Okafor, Robin"]
        assert self.found(name="Sam", date_of_birth="1968-04-02") == []

    def test_no_match_says_so(self) -> None:
        self.assertContains(self.search(name="Nobody"), "No patient matches all of that.")

    def test_results_show_contact_details_and_count_consultations(self) -> None:
        make_consultation(self.ana, self.albany, datetime(2026, 4, 6, 13, tzinfo=UTC), patient=self.robin)

        response = self.search(name="Okafor")

        assert table_rows(response, "1 patient found") == [
            "Okafor, Robin Apr 2, 1968 robin.okafor@example.com (518) 555-0123 2"
        ]
        self.assertContains(response, reverse("consultations:desk-patient", args=[self.robin.pk]))

    def test_bad_input_is_a_400_that_says_what_to_fix(self) -> None:
        for fields, message in (
            ({}, "Fill in at least one box."),
            ({"name": "   "}, "Fill in at least one box."),
            ({"reference": "XYZ12345"}, "A reference is 8 letters (A to F) and digits"),
            ({"reference": "ABC"}, "A reference is 8 letters (A to F) and digits"),
            ({"phone": "55"}, "Type at least 4 digits of the number."),
            ({"date_of_birth": "1968-02-30"}, "Enter a valid date."),
            ({"date_of_birth": "2030-01-01"}, "Check the date of birth."),
        ):
            with self.subTest(fields=fields):
                self.assertContains(self.search(**fields), message, status_code=400)

    def test_the_search_is_posted_so_names_stay_out_of_addresses(self) -> None:
        """What is searched for never goes into a URL, where it would reach logs and browser history."""
        response = self.client.get(SEARCH, {"name": "Robin"})

        assert response.status_code == 200
        self.assertNotContains(response, "Okafor")

    def test_the_result_count_is_capped(self) -> None:
        for number in range(52):
            make_patient(first_name="Many", last_name=f"Fictional{number:02d}")

        response = self.search(name="Many")

        assert len(table_rows(response, "The first 50 patients found")) == 50


class PatientPageTests(PatientTestData):
    def test_the_page_lists_each_consultation_with_its_intake_status_and_flags(self) -> None:
        earlier = make_consultation(
            self.ana,
            self.albany,
            datetime(2025, 11, 3, 14, tzinfo=UTC),
            patient=self.robin,
            status=Consultation.Status.COMPLETED,
        )
        make_intake(earlier, status=Intake.Status.COMPLETED, submitted_at=timezone.now() - timedelta(days=130))
        make_intake(self.robins_visit, chief_complaint="Burning pain down the right leg (fictional)")
        later = make_consultation(
            self.ana,
            self.phoenix,
            datetime(2026, 4, 6, 16, tzinfo=UTC),
            patient=self.robin,
            safety_flag=SafetyFlag.REVIEW,
            status=Consultation.Status.CANCELLED,
        )

        response = self.client.get(reverse("consultations:desk-patient", args=[self.robin.pk]))

        assert response.status_code == 200
        self.assertContains(response, "<h1>Robin Okafor</h1>", html=True)
        self.assertContains(response, "robin.okafor@example.com")
        doctor = "Dr. Ana Alvarez, MD"
        assert table_rows(response, "Consultations, latest first") == [
            f"Mon Apr 6, 2026, 9:00 AM MST {later.reference} {doctor} Phoenix Spine Center In person Cancelled "
            "Red flag: staff review Not started Robin Okafor (518) 555-0123",
            f"Mon Mar 9, 2026, 9:00 AM EDT {self.robins_visit.reference} {doctor} Albany Spine Center In person "
            "Requested In progress Robin Okafor (518) 555-0123",
            f"Mon Nov 3, 2025, 9:00 AM EST {earlier.reference} {doctor} Albany Spine Center In person Completed "
            "Sent Robin Okafor (518) 555-0123",
        ]
        self.assertContains(response, reverse("consultations:desk-consultation", args=[self.robins_visit.public_id]))
        # Minimum necessary: whether the intake is done, never what it says, nor the reason for the visit.
        self.assertNotContains(response, "Burning pain")
        self.assertNotContains(response, "Leg pain came back")

    def test_the_number_and_name_given_with_a_request_are_shown_with_it(self) -> None:
        response = self.client.get(reverse("consultations:desk-patient", args=[self.sam.pk]))

        assert table_rows(response, "Consultations, latest first")[0].endswith("Samuel Robinson +1 480 555 0142")

    def test_each_view_of_the_page_writes_an_access_log_row(self) -> None:
        self.client.get(reverse("consultations:desk-patient", args=[self.robin.pk]))

        entry = AccessLog.objects.get()
        assert (entry.patient, entry.consultation, entry.action, entry.role) == (
            self.robin,
            None,
            AccessLog.Action.VIEW_PATIENT,
            AccessLog.Role.FRONT_DESK,
        )

    def test_an_unknown_patient_is_a_404(self) -> None:
        response = self.client.get(reverse("consultations:desk-patient", args=[self.other.pk + 1000]))

        assert response.status_code == 404
        assert not AccessLog.objects.exists()


@time_machine.travel(NOW, tick=False)
class PatientQueryCountTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.location = make_location()
        cls.surgeon = make_surgeon()
        cls.desk = make_user(role=roles.FRONT_DESK)
        cls.patient = make_patient(first_name="Quinn", last_name="Fictional")
        make_consultation(cls.surgeon, cls.location, NOW + timedelta(days=7), patient=cls.patient)

    def setUp(self) -> None:
        sign_in(self.client, self.desk)

    def test_search_and_patient_pages_take_the_same_queries_for_one_row_or_many(self) -> None:
        patient_url = reverse("consultations:desk-patient", args=[self.patient.pk])
        # Signing in, the second factor and the role take 4 queries and saving the session 3; the patient's page
        # also writes its access-log row (the role again, and the INSERT).
        with self.assertNumQueries(8):
            one = self.client.post(SEARCH, {"name": "Quinn", "phone": "0199"})
        with self.assertNumQueries(11):
            self.client.get(patient_url)

        for number in range(1, 12):
            patient = make_patient(first_name="Quinn", last_name=f"Fictional{number:02d}")
            for days in (7, 14):
                consultation = make_consultation(
                    self.surgeon, self.location, NOW + timedelta(days=days, hours=number), patient=patient
                )
                make_intake(consultation)
            make_consultation(self.surgeon, self.location, NOW + timedelta(days=21, hours=number), patient=self.patient)

        with self.assertNumQueries(8):
            many = self.client.post(SEARCH, {"name": "Quinn", "phone": "0199"})
        with self.assertNumQueries(11):
            page = self.client.get(patient_url)
        assert len(table_rows(one, "1 patient found")) == 1
        assert len(table_rows(many, "12 patients found")) == 12
        assert len(table_rows(page, "Consultations, latest first")) == 12


class PatientAccessTests(PatientTestData):
    def test_surgeons_and_visitors_cannot_find_or_see_patients(self) -> None:
        urls = [SEARCH, reverse("consultations:desk-patient", args=[self.robin.pk])]
        self.client.logout()
        for url in urls:
            with self.subTest(url=url, who="anonymous"):
                response = self.client.get(url)
                assert response.status_code == 302
                assert response["Location"].startswith(reverse("clinic:sign-in"))
        response = self.client.post(SEARCH, {"name": "Robin"})
        assert response.status_code == 302
        self.assertNotIn("Robin", response["Location"])
        sign_in(self.client, make_user(role=roles.SURGEON))
        for url in urls:
            with self.subTest(url=url, who="surgeon"):
                assert self.client.get(url).status_code == 403
        self.assertNotContains(self.client.post(SEARCH, {"name": "Robin"}), "Okafor", status_code=403)
