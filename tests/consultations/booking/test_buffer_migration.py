"""The migration that puts the buffer into the exclusion constraint, on a table that holds consultations already:
they keep no buffer, so back-to-back ones booked before it stay valid, and the new constraint holds from then on."""

from datetime import UTC, date, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from consultations.booking.availability import is_overlap
from consultations.models import Consultation
from tests.db_setup import let_the_test_runner_empty_the_access_log

NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


def buffer_migration(executor: MigrationExecutor) -> tuple[tuple[str, str], tuple[str, str]]:
    """The migration (found by name, whatever its number) and the one before it."""
    (target,) = [
        key for key in executor.loader.graph.nodes if key[0] == "consultations" and "buffer_in_constraint" in key[1]
    ]
    (before,) = [key for key in executor.loader.graph.node_map[target].parents if key[0] == "consultations"]
    return target, before


class BufferMigrationTests(TransactionTestCase):
    def test_existing_back_to_back_consultations_survive_and_keep_no_buffer(self) -> None:
        executor = MigrationExecutor(connection)
        target, before = buffer_migration(executor)
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
        for start in (NINE, NINE + timedelta(minutes=30)):
            old.get_model("consultations", "Consultation").objects.create(
                surgeon_id=surgeon.pk,
                location_id=location.pk,
                patient_id=patient.pk,
                start=start,
                end=start + timedelta(minutes=30),
                status="confirmed",
                reason="Fictional.",
            )

        executor = MigrationExecutor(connection)
        executor.loader.build_graph()
        executor.migrate([target])
        executor.loader.build_graph()
        executor.migrate(executor.loader.graph.leaf_nodes())
        # Migrating forward made the access log's triggers anew.
        let_the_test_runner_empty_the_access_log()

        assert list(Consultation.objects.order_by("start").values_list("start", "buffer_minutes")) == [
            (NINE, 0),
            (NINE + timedelta(minutes=30), 0),
        ]
        first = Consultation.objects.order_by("start").first()
        with transaction.atomic(), self.assertRaises(IntegrityError) as caught:
            Consultation.objects.filter(pk=first.pk).update(buffer_minutes=15)
        assert is_overlap(caught.exception)
