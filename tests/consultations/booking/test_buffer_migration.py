"""The migration that puts the buffer into the exclusion constraint, on a table that holds consultations already:
they keep no buffer, so back-to-back ones booked before it stay valid, and the new constraint holds from then on."""

from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, connection, transaction
from django.db.migrations.executor import MigrationExecutor
from django.test import TransactionTestCase

from consultations.booking.availability import is_overlap
from consultations.models import Consultation
from tests.db_setup import let_the_test_runner_empty_the_access_log
from tests.migrations_setup import migrated_back_to_before, old_location_surgeon_and_patient

NINE = datetime(2026, 3, 9, 13, 0, tzinfo=UTC)


class BufferMigrationTests(TransactionTestCase):
    def test_existing_back_to_back_consultations_survive_and_keep_no_buffer(self) -> None:
        target, old = migrated_back_to_before("buffer_in_constraint")
        location, surgeon, patient = old_location_surgeon_and_patient(old)
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
