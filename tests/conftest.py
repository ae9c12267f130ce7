from collections.abc import Iterator

import pytest
from django.test import override_settings

from tests.db_setup import let_the_test_runner_empty_the_access_log


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
    """The test database, set up to let the test runner empty the access log (tests/db_setup.py)."""
    with django_db_blocker.unblock():
        let_the_test_runner_empty_the_access_log()
