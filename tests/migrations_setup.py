"""What a test of one data-keeping migration needs: the migration by name and the one before it, and the rows a
consultation stands on (a location, a surgeon, a patient) made with the models as they were before it."""

from datetime import date

from django.db import connection
from django.db.migrations.executor import MigrationExecutor


def migration_and_the_one_before(executor: MigrationExecutor, name_part: str) -> tuple[tuple, tuple]:
    """The consultations migration whose name holds `name_part` (whatever its number), and the one before it."""
    (target,) = [key for key in executor.loader.graph.nodes if key[0] == "consultations" and name_part in key[1]]
    (before,) = [key for key in executor.loader.graph.node_map[target].parents if key[0] == "consultations"]
    return target, before


def migrated_back_to_before(name_part: str):
    """Migrate the test database back to just before the migration named by `name_part`; returns the migration and
    the apps as they were before it."""
    executor = MigrationExecutor(connection)
    target, before = migration_and_the_one_before(executor, name_part)
    executor.migrate([before])
    return target, MigrationExecutor(connection).loader.project_state(before).apps


def old_location_surgeon_and_patient(old) -> tuple:
    """A fictional location, surgeon and patient, made with the models of `old` (a past project state's apps)."""
    location = old.get_model("clinic", "Location").objects.create(
        name="Fictional clinic", slug="fictional", timezone="America/New_York"
    )
    surgeon = old.get_model("clinic", "Surgeon").objects.create(
        slug="dr-fictional", first_name="Fictional", last_name="Surgeon"
    )
    patient = old.get_model("consultations", "Patient").objects.create(
        first_name="Pat", last_name="Fictional", date_of_birth=date(1970, 1, 1), email="pat@example.com"
    )
    return location, surgeon, patient
