"""The admins' per-patient access log and its export."""

import csv
import io
from datetime import timedelta

from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from consultations.models import AccessLog
from tests.factories import (
    make_consultation,
    make_location,
    make_submitted_intake,
    make_surgeon_user,
    make_user,
    sign_in,
)


class AdminAccessLogTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.admin = make_user(role="admin")
        cls.user, surgeon = make_surgeon_user()
        cls.consultation = make_consultation(surgeon, make_location(), timezone.now() + timedelta(days=3))
        cls.patient = cls.consultation.patient
        make_submitted_intake(cls.consultation)
        cls.page = reverse("consultations:access-log", args=[cls.patient.pk])
        cls.csv = reverse("consultations:access-log-csv", args=[cls.patient.pk])

    def surgeon_looks(self) -> None:
        sign_in(self.client, self.user)
        self.client.get(reverse("consultations:surgeon-summary", args=[self.consultation.public_id]))
        self.client.get(reverse("consultations:surgeon-print", args=[self.consultation.public_id]))

    def test_the_page_lists_who_saw_what_and_when(self) -> None:
        self.surgeon_looks()
        sign_in(self.client, self.admin)

        response = self.client.get(self.page)

        self.assertContains(response, self.user.username, count=2)
        self.assertContains(response, "Viewed the intake summary")
        self.assertContains(response, "Printed the intake summary")
        self.assertContains(response, "127.0.0.1")
        self.assertContains(response, self.consultation.reference)
        assert "no-store" in response["Cache-Control"]

    def test_behind_the_practices_proxy_the_row_keeps_the_clients_address(self) -> None:
        sign_in(self.client, self.user)
        summary = reverse("consultations:surgeon-summary", args=[self.consultation.public_id])

        with self.settings(PROXY_COUNT=1):
            # The client wrote the first entry itself; the proxy appended the address it saw.
            self.client.get(summary, HTTP_X_FORWARDED_FOR="203.0.113.9, 198.51.100.7", REMOTE_ADDR="10.0.0.2")

        assert AccessLog.objects.get().ip == "198.51.100.7"

    def test_the_csv_export_has_every_row_and_is_itself_logged(self) -> None:
        self.surgeon_looks()
        sign_in(self.client, self.admin)

        response = self.client.get(self.csv)

        assert response.status_code == 200
        assert response["Content-Type"].startswith("text/csv")
        assert f'filename="access-log-patient-{self.patient.pk}.csv"' in response["Content-Disposition"]
        assert self.patient.last_name not in response["Content-Disposition"]
        rows = list(csv.reader(io.StringIO(response.content.decode())))
        assert rows[0] == ["When", "Who", "Role", "Action", "What", "Consultation", "IP address"]
        assert [row[1:4] for row in rows[1:]] == [
            [self.admin.username, "Administrator", "Exported data"],
            [self.user.username, "Surgeon", "Printed the intake summary"],
            [self.user.username, "Surgeon", "Viewed the intake summary"],
        ]
        export = AccessLog.objects.get(action="export")
        assert (export.user, export.patient, export.consultation) == (self.admin, self.patient, None)

    def test_a_cell_that_looks_like_a_formula_is_defused(self) -> None:
        AccessLog.objects.create(
            username="=HYPERLINK(1)", role="surgeon", patient=self.patient, action="view_summary", what="+1"
        )
        sign_in(self.client, self.admin)

        rows = list(csv.reader(io.StringIO(self.client.get(self.csv).content.decode())))

        assert ["'=HYPERLINK(1)", "Surgeon", "Viewed the intake summary", "'+1"] in [row[1:5] for row in rows]

    def test_the_patients_admin_page_links_to_it(self) -> None:
        sign_in(self.client, self.admin)

        response = self.client.get(reverse("admin:consultations_patient_change", args=[self.patient.pk]))

        self.assertContains(response, f'href="{self.page}"')

    def test_only_admins_see_it(self) -> None:
        for role in ("front_desk", "surgeon"):
            with self.subTest(role):
                sign_in(self.client, make_user(role=role))
                assert self.client.get(self.page).status_code == 403
                assert self.client.get(self.csv).status_code == 403
        assert not AccessLog.objects.filter(action="export").exists()

    def test_an_unknown_patient_is_a_404(self) -> None:
        sign_in(self.client, self.admin)

        assert self.client.get(reverse("consultations:access-log", args=[999999])).status_code == 404
        assert self.client.get(reverse("consultations:access-log-csv", args=[999999])).status_code == 404
