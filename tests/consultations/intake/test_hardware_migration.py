"""The migration that asks levels and implants one by one and adds numbers to medicines, on a table that holds
answers given the old way: they keep their words (a from-to range, implants yes/no, a dose as text) and are not
turned into levels, implants or doses the patient never gave."""

from datetime import UTC, datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from consultations.intake.describe import implants_text, medicine_line
from consultations.intake.risks import risk_rows
from consultations.models import Intake, Medication, PriorOperation
from tests.db_setup import let_the_test_runner_empty_the_access_log
from tests.migrations_setup import migrated_back_to_before, old_location_surgeon_and_patient

NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


class HardwareMigrationTests(TransactionTestCase):
    def test_old_levels_implants_and_doses_read_as_written(self) -> None:
        target, old = migrated_back_to_before("hardware_and_medicines")
        location, surgeon, patient = old_location_surgeon_and_patient(old)
        consultation = old.get_model("consultations", "Consultation").objects.create(
            surgeon_id=surgeon.pk,
            location_id=location.pk,
            patient_id=patient.pk,
            start=NINE,
            end=NINE.replace(minute=30),
            status="confirmed",
            reason="Fictional.",
        )
        intake = old.get_model("consultations", "Intake").objects.create(
            consultation_id=consultation.pk, patient_id=patient.pk, takes_opioids="yes"
        )
        old.get_model("consultations", "PriorOperation").objects.create(
            intake_id=intake.pk, year=2016, procedure="fusion_plif", level_from=23, level_to=25, implants="yes"
        )
        old.get_model("consultations", "Medication").objects.create(
            intake_id=intake.pk, name="Oxycodone (fictional)", dose="5 mg twice a day", category="opioid"
        )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # Migrating forward made the access log's triggers anew.
        let_the_test_runner_empty_the_access_log()

        operation = PriorOperation.objects.get()
        assert (operation.segments, operation.hardware, operation.levels_other) == ([], {}, "")
        assert operation.levels == "L4-S1 (as given before)"
        assert implants_text(operation) == "Yes"
        medication = Medication.objects.get()
        assert (medication.drug, medication.strength, medication.times_per_day) == ("", None, None)
        assert medicine_line(medication, with_mme=True) == (
            "Oxycodone (fictional), 5 mg twice a day (MME not estimated: not chosen from our list of opioids)"
        )
        intake = Intake.objects.get()
        rows = {
            row.key: row for row in risk_rows(intake, medications=[medication], operations=[operation], treatments=[])
        }
        assert rows["opioids"].answer == "yes"
        # A fusion with implants "yes" names no stimulator or pump; the treatments step, never saved, might.
        assert (rows["devices"].answer, rows["devices"].detail) == (
            "not_answered",
            "none among operations; the treatments step not answered",
        )
        assert rows["diabetes"].answer == "not_answered"
