"""The migration that asks levels and implants one by one and adds numbers to medicines, on a table that holds
answers given the old way: they keep their words (a from-to range, implants yes/no, a dose as text) and are not
turned into levels, implants or doses the patient never gave."""

from datetime import UTC, date, datetime

from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from consultations.intake.describe import implants_text, medicine_line
from consultations.intake.risks import risk_rows
from consultations.models import Intake, Medication, PriorOperation
from tests.db_setup import let_the_test_runner_empty_the_access_log

NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def hardware_migration(executor: MigrationExecutor) -> tuple[tuple[str, str], tuple[str, str]]:
    """The migration (found by name, whatever its number) and the one before it."""
    (target,) = [
        key for key in executor.loader.graph.nodes if key[0] == "consultations" and "hardware_and_medicines" in key[1]
    ]
    (before,) = [key for key in executor.loader.graph.node_map[target].parents if key[0] == "consultations"]
    return target, before


class HardwareMigrationTests(TransactionTestCase):
    def test_old_levels_implants_and_doses_read_as_written(self) -> None:
        executor = MigrationExecutor(connection)
        target, before = hardware_migration(executor)
        executor.migrate([before])
        old = MigrationExecutor(connection).loader.project_state(before).apps
        location = old.get_model("clinic", "Location").objects.create(
            name="Fictional clinic", slug="fictional", timezone="America/New_York"
        )
        surgeon = old.get_model("clinic", "Surgeon").objects.create(
            slug="dr-fictional", first_name="Fictional", last_name="Surgeon"
        )
        patient = old.get_model("consultations", "Patient").objects.create(
            first_name="Pat", last_name="Fictional", date_of_birth=date(1970, 1, 1), email="pat@example.com"
        )
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
