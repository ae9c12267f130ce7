import pytest


@pytest.fixture(autouse=True)
def _tasks_run_at_once(settings) -> None:
    """Tasks run inside the request that enqueues them (on commit), so their e-mail lands in the outbox."""
    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}
