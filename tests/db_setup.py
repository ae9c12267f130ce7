"""The one change the test database needs: the test runner empties every table with TRUNCATE after each
transactional test, which the access log's trigger refuses. Off in the test database only (the conftest's set-up,
and again after a test that migrates the schema back and forth); a test of the refusal turns it on inside its own
transaction."""

from django.db import connection


def let_the_test_runner_empty_the_access_log() -> None:
    with connection.cursor() as cursor:
        cursor.execute("ALTER TABLE consultations_accesslog DISABLE TRIGGER consultations_accesslog_no_truncate")
