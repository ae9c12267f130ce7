# Two commands: `make run` serves the site on http://127.0.0.1:8000, `make test` runs everything CI runs.
# Both set themselves up: a virtual environment in .venv, the packages, and (without DATABASE_URL)
# the project's own PostgreSQL in .pgdata.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
MANAGE := $(PY) manage.py
# Development values for `make run`; production reads the real ones from the environment.
DEV_ENV := DJANGO_DEBUG=1
# Tests run with production settings, less the redirect to HTTPS that a test server cannot answer.
TEST_ENV := DJANGO_DEBUG=0 DJANGO_SECRET_KEY=make-test-not-a-secret DJANGO_SECURE_SSL_REDIRECT=0

.PHONY: run test lint format check venv clean bench

$(VENV)/.installed: requirements.txt
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	touch $@

venv: $(VENV)/.installed

run: venv
	$(DEV_ENV) $(MANAGE) migrate --no-input
	$(DEV_ENV) $(MANAGE) seed_demo
	@# The task worker (e-mail) runs beside the server and stops with it.
	$(DEV_ENV) $(MANAGE) db_worker & worker=$$!; trap 'kill $$worker 2>/dev/null' EXIT INT TERM; \
		$(DEV_ENV) $(MANAGE) runserver 127.0.0.1:8000

test: lint check
	$(TEST_ENV) $(MANAGE) collectstatic --no-input -v0
	$(TEST_ENV) $(PY) -m pytest

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/djlint templates --lint
	$(VENV)/bin/lint-imports

format: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .
	$(VENV)/bin/djlint templates --reformat

check: venv
	$(DEV_ENV) $(MANAGE) check
	$(DEV_ENV) $(MANAGE) makemigrations --check --dry-run

# By hand only: measures the scheduling code and writes bench/README.md and bench/latency.png.
bench: venv
	$(TEST_ENV) $(PY) bench/run.py

clean:
	rm -rf $(VENV) staticfiles test-artifacts .pytest_cache .ruff_cache .import_linter_cache
