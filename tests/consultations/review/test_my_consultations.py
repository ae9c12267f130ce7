"""My consultations: the signed-in surgeon's own, two weeks ahead by default, with what to look at first."""

import re
from datetime import UTC, date, datetime, time, timedelta

import time_machine
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from clinic.models import Surgeon
from consultations.models import Consultation, IntakeReview
from consultations.models.scheduling import SafetyFlag
from tests.factories import (
    make_consultation,
    make_intake,
    make_location,
    make_patient,
    make_red_flag_screen,
    make_submitted_intake,
    make_surgeon_user,
    make_user,
    sign_in,
)

HOME = reverse("consultations:surgeon-home")


def at(days: int, hour: int = 10) -> datetime:
    """`days` after the frozen today, at `hour` in New York."""
    local = timezone.localtime(timezone.now(), timezone.get_current_timezone())
    return datetime.combine(local.date() + timedelta(days=days), time(hour), tzinfo=local.tzinfo)


def rows(html: str) -> list[str]:
    body = re.search(r"<tbody>(.*?)</tbody>", html, re.S)
    return re.findall(r"<tr>(.*?)</tr>", body.group(1), re.S) if body else []


# Monday March 2, 2026, at noon in New York, the practice's zone.
@time_machine.travel(datetime(2026, 3, 2, 17, 0, tzinfo=UTC), tick=False)
class MyConsultationsTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.user, cls.surgeon = make_surgeon_user()
        cls.location = make_location()

    def setUp(self) -> None:
        sign_in(self.client, self.user)

    def consultation(self, days: int, hour: int = 10, surgeon: Surgeon | None = None, **overrides) -> Consultation:
        with timezone.override("America/New_York"):
            start = at(days, hour)
        return make_consultation(surgeon or self.surgeon, self.location, start, **overrides)

    def get(self, **params) -> str:
        response = self.client.get(HOME, params)
        assert response.status_code == 200
        return response.content.decode()

    def test_only_my_consultations_in_the_next_two_weeks_earliest_first(self) -> None:
        later = self.consultation(13, patient=make_patient(first_name="Later"))
        sooner = self.consultation(1, patient=make_patient(first_name="Sooner"))
        self.consultation(14, patient=make_patient(first_name="TooLate"))
        self.consultation(-1, patient=make_patient(first_name="Yesterday"))
        _, other = make_surgeon_user()
        self.consultation(2, surgeon=other, patient=make_patient(first_name="NotMine"))
        self.consultation(3, status=Consultation.Status.CANCELLED, patient=make_patient(first_name="Cancelled"))

        html = self.get()

        shown = rows(html)
        assert len(shown) == 2
        assert str(sooner.patient) in shown[0]
        assert str(later.patient) in shown[1]
        for name in ("TooLate", "Yesterday", "NotMine", "Cancelled"):
            assert name not in html
        assert "Monday, March 2 to Sunday, March 15, 2026" in html

    def test_a_date_range_shows_those_days(self) -> None:
        self.consultation(20, patient=make_patient(first_name="Twenty"))
        self.consultation(1, patient=make_patient(first_name="Tomorrow"))

        html = self.get(start="2026-03-20", end="2026-03-25")

        assert "Twenty" in html
        assert "Tomorrow" not in html
        assert 'value="2026-03-20"' in html

    def test_each_row_shows_name_age_visit_type_history_red_flag_and_review(self) -> None:
        patient = make_patient(first_name="Ada", date_of_birth=date(1960, 3, 3))
        flagged = self.consultation(1, patient=patient, visit_type=Consultation.VisitType.VIDEO)
        make_red_flag_screen(flagged, "weakness")
        Consultation.objects.filter(pk=flagged.pk).update(safety_flag=SafetyFlag.URGENT)
        reviewed = self.consultation(2)
        IntakeReview.objects.create(
            intake=make_submitted_intake(reviewed),
            reviewed_by=self.user,
            reviewed_at=timezone.now(),
            priority=IntakeReview.Priority.SOON,
        )
        started = self.consultation(3)
        make_intake(started)

        first, second, third = rows(self.get())

        assert f"{patient}</a><span" in first
        assert ", 65</span>" in first  # a day before the 66th birthday
        assert "Video call" in first
        assert "Not started" in first
        assert "⚠</span> Urgent: emergency symptom reported" in first
        assert "Not yet" in first
        assert "Sent" in second
        assert "✓</span> Reviewed" in second
        assert "Priority: soon" in second
        assert "In progress" in third
        assert "flag-danger" not in second + third

    def test_the_not_reviewed_filter_leaves_out_reviewed_histories(self) -> None:
        reviewed = self.consultation(1, patient=make_patient(first_name="Reviewed"))
        IntakeReview.objects.create(
            intake=make_submitted_intake(reviewed), reviewed_by=self.user, reviewed_at=timezone.now()
        )
        make_submitted_intake(self.consultation(2, patient=make_patient(first_name="Waiting")))
        self.consultation(3, patient=make_patient(first_name="Unstarted"))

        html = self.get(unreviewed="on")

        assert str(reviewed.patient) not in html
        assert "Waiting" in html
        assert "Unstarted" in html
        assert "only histories not yet reviewed" in html

    def test_a_bad_range_is_a_400_with_a_message(self) -> None:
        for params, message in (
            ({"start": "2026-03-10", "end": "2026-03-01"}, "must not be before"),
            ({"start": "2026-01-01", "end": "2027-06-01"}, "at most 366 days"),
            ({"start": "not a date"}, "Enter a valid date"),
            # The last days of the calendar: two weeks on, or the day after, would not exist.
            ({"start": "9999-12-25"}, "within 5 years of today"),
            ({"start": "9999-12-20", "end": "9999-12-31"}, "within 5 years of today"),
        ):
            with self.subTest(params):
                response = self.client.get(HOME, params)
                self.assertContains(response, message, status_code=400)

    def test_the_query_count_does_not_grow_with_the_rows(self) -> None:
        def add(days: int) -> None:
            consultation = self.consultation(days)
            make_red_flag_screen(consultation, "cancer")
            IntakeReview.objects.create(
                intake=make_submitted_intake(consultation), reviewed_by=self.user, reviewed_at=timezone.now()
            )

        add(1)
        with CaptureQueriesContext(connection) as one:
            self.get()
        for days in range(2, 8):
            add(days)

        with self.assertNumQueries(len(one)):
            html = self.get()
        assert len(rows(html)) == 7

    def test_only_surgeons_reach_it(self) -> None:
        for role in ("front_desk", "admin"):
            with self.subTest(role):
                sign_in(self.client, make_user(role=role))
                assert self.client.get(HOME).status_code == 403
