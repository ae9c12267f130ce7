"""The access log proves itself: PostgreSQL refuses changes, every row is linked into a hash chain, and
verify_access_log finds a row altered, removed or forged behind the triggers' back."""

import gc
import threading
from datetime import UTC, datetime, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.test import TestCase, TransactionTestCase
from django.utils import timezone

from consultations.chain import CHAINS_PER_DAY, GENESIS, canonical, link_hash, walk
from consultations.models import AccessLog, Patient
from tests.factories import make_consultation, make_location, make_patient, make_surgeon, make_user

TABLE = AccessLog._meta.db_table


def log(patient: Patient, **values: object) -> AccessLog:
    return AccessLog.objects.create(
        patient=patient, role=values.pop("role", "front_desk"), action=values.pop("action", "view_intake"), **values
    )


def verify() -> str:
    out = StringIO()
    call_command("verify_access_log", stdout=out)
    return out.getvalue()


def behind_the_triggers(sql: str, params: list[object]) -> None:
    """Change the table as its owner could, with the append-only trigger switched off for the moment."""
    with connection.cursor() as cursor:
        # Checks the deferred foreign keys of the rows just written, which ALTER TABLE will not leave pending.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute(f"ALTER TABLE {TABLE} DISABLE TRIGGER consultations_accesslog_append_only")
        cursor.execute(sql, params)
        cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER consultations_accesslog_append_only")


class AppendOnlyTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.entry = log(make_patient(), what="step about")

    def refused(self, sql: str) -> None:
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql, [self.entry.pk])

    def test_update_is_refused_by_postgresql(self) -> None:
        self.refused(f"UPDATE {TABLE} SET what = 'nothing' WHERE id = %s")
        self.entry.refresh_from_db()
        assert self.entry.what == "step about"

    def test_delete_is_refused_by_postgresql(self) -> None:
        self.refused(f"DELETE FROM {TABLE} WHERE id = %s")
        assert AccessLog.objects.filter(pk=self.entry.pk).exists()

    def test_truncate_is_refused_by_postgresql(self) -> None:
        # Off in the test database only, so the test runner can empty it (tests/conftest.py): on again here.
        with connection.cursor() as cursor:
            cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
            cursor.execute(f"ALTER TABLE {TABLE} ENABLE TRIGGER consultations_accesslog_no_truncate")
        with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"TRUNCATE {TABLE} CASCADE")
        assert AccessLog.objects.count() == 1

    def test_the_orm_cannot_change_a_row_either(self) -> None:
        with pytest.raises(DatabaseError), transaction.atomic():
            AccessLog.objects.filter(pk=self.entry.pk).update(what="nothing")


class ChainTests(TestCase):
    @classmethod
    def setUpTestData(cls) -> None:
        cls.patient = make_patient()
        cls.consultation = make_consultation(make_surgeon(), make_location(), timezone.now() + timedelta(days=3))
        cls.user = make_user(role="front_desk")

    def test_rows_are_linked_in_order_whatever_the_insert_claims(self) -> None:
        first = log(self.patient)
        second = AccessLog.objects.create(
            patient=self.patient, role="admin", action="export", chain="forged", seq=99, row_hash="f" * 64
        )

        assert first.chain == second.chain
        assert second.seq == first.seq + 1
        assert second.prev_hash == first.row_hash
        assert second.row_hash == link_hash(first.row_hash, canonical(second))

    def test_a_chain_is_per_utc_day(self) -> None:
        late = log(self.patient, at=datetime(2026, 3, 8, 23, 59, 59, 999999, tzinfo=UTC))
        early = log(self.patient, at=datetime(2026, 3, 9, 0, 0, tzinfo=UTC))

        assert late.chain.startswith("2026-03-08/") and early.chain.startswith("2026-03-09/")
        assert (late.seq, late.prev_hash, early.seq, early.prev_hash) == (1, GENESIS, 1, GENESIS)
        assert int(late.chain.rsplit("/")[1]) in range(CHAINS_PER_DAY)

    def test_the_database_and_the_verifier_agree_on_awkward_content(self) -> None:
        # Separators, line feeds, lengths in the text, non-ASCII, both address families, NULLs, and a bulk insert.
        log(self.patient, user=self.user, username="ünïcødé 名前", what="3:abc\n-\n", ip="2001:db8::1")
        log(self.patient, consultation=self.consultation, what="", ip="203.0.113.9", role="surgeon")
        AccessLog.objects.bulk_create(
            AccessLog(patient=self.patient, role="admin", action="export", what=f"row {n}|:") for n in range(5)
        )

        assert verify() == "Access log intact: 7 rows checked in 1 chains.\n"

    def test_verify_finds_a_row_altered_behind_the_triggers_back(self) -> None:
        rows = [log(self.patient, what=f"step {n}") for n in range(5)]
        behind_the_triggers(f"UPDATE {TABLE} SET what = 'step about' WHERE id = %s", [rows[2].pk])

        with pytest.raises(CommandError) as error:
            verify()

        assert f"row {rows[2].pk} " in str(error.value)
        assert f"link {rows[2].seq})" in str(error.value)
        assert "changed after it was written" in str(error.value)

    def test_verify_finds_a_row_removed(self) -> None:
        rows = [log(self.patient, what=f"step {n}") for n in range(4)]
        behind_the_triggers(f"DELETE FROM {TABLE} WHERE id = %s", [rows[1].pk])

        with pytest.raises(CommandError, match=f"row {rows[2].pk} .*expected link 2, found link 3"):
            verify()

    def test_verify_finds_a_row_whose_hash_was_recomputed_after_a_change(self) -> None:
        rows = [log(self.patient, what=f"step {n}") for n in range(3)]
        forged = AccessLog.objects.get(pk=rows[1].pk)
        forged.what = "nothing to see"
        behind_the_triggers(
            f"UPDATE {TABLE} SET what = %s, row_hash = %s WHERE id = %s",
            [forged.what, link_hash(forged.prev_hash, canonical(forged)), forged.pk],
        )

        # The forged row now hashes right; the next one no longer follows from it.
        with pytest.raises(CommandError, match=f"row {rows[2].pk} .*a row before it was changed"):
            verify()

    def test_a_broken_log_leaves_no_cursor_behind_to_break_the_next_transaction(self) -> None:
        rows = [log(self.patient, what=f"step {n}") for n in range(3)]
        behind_the_triggers(f"UPDATE {TABLE} SET what = %s WHERE id = %s", ["changed", rows[1].pk])

        # The walk stops at the first broken link, inside a transaction that then ends.
        with pytest.raises(CommandError), transaction.atomic():
            verify()
        gc.collect()

        # A reader left open would now send its CLOSE into this transaction, which would abort it.
        assert AccessLog.objects.count() == 3

    def test_an_empty_log_is_intact(self) -> None:
        assert verify() == "Access log intact: 0 rows checked in 0 chains.\n"


class WalkTests(TestCase):
    """The pure checker, on rows that never met the database."""

    def test_a_chain_must_start_at_its_first_link(self) -> None:
        class Row:
            id, chain, seq, at = 7, "2026-01-01/0", 2, datetime(2026, 1, 1, tzinfo=UTC)
            user_id = username = role = patient_id = consultation_id = action = what = ip = None
            prev_hash = GENESIS
            row_hash = ""

        result = walk([Row()])

        assert result.broken and result.broken.row_id == 7
        assert "expected link 1, found link 2" in str(result.broken)


class ConcurrentAppendTests(TransactionTestCase):
    """Sessions appending at the same moment each get their own link: no fork, no gap, nothing lost."""

    THREADS = 12
    ROWS_EACH = 5

    def test_concurrent_inserts_keep_every_chain_whole(self) -> None:
        patient = make_patient()
        barrier = threading.Barrier(self.THREADS)
        errors: list[BaseException] = []

        def append(number: int) -> None:
            try:
                barrier.wait()
                for row in range(self.ROWS_EACH):
                    with transaction.atomic():
                        log(patient, what=f"thread {number} row {row}")
                        log(patient, what=f"thread {number} row {row} again")
            except BaseException as error:
                errors.append(error)
            finally:
                connection.close()

        threads = [threading.Thread(target=append, args=(n,)) for n in range(self.THREADS)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()

        assert errors == []
        total = self.THREADS * self.ROWS_EACH * 2
        assert AccessLog.objects.count() == total
        assert verify().startswith(f"Access log intact: {total} rows checked in ")
        for chain in AccessLog.objects.values_list("chain", flat=True).distinct():
            seqs = sorted(AccessLog.objects.filter(chain=chain).values_list("seq", flat=True))
            assert seqs == list(range(1, len(seqs) + 1))
