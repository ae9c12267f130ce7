from collections.abc import Iterator

import pytest
from django.db import connection
from django.test import override_settings


@pytest.fixture(autouse=True, scope="session")
def _fast_password_hashing() -> Iterator[None]:
    """The production hasher spends a third of a second on every password by design; tests only need it to work."""
    with override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]):
        yield


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings) -> None:
    """Tasks run inside the request that enqueues them (on commit), so their e-mail lands in the outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker) -> None:
    """The test runner empties every table with TRUNCATE after each transactional test, which the access log's
    trigger refuses: off in the test database only. A test of the refusal turns it on inside its own transaction."""
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("ALTER TABLE consultations_accesslog DISABLE TRIGGER consultations_accesslog_no_truncate")
