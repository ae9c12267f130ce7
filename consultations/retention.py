"""How long a patient's intake data is kept: removed INTAKE_RETENTION_YEARS after their last consultation ended.

Removed: each intake history with all it holds (operations, treatments, medicines, scans, questionnaire answers and
scores, earlier versions, the surgeon's review and questions, reports uploaded with it and the e-mails that asked
those questions), and each consultation's insurance, referral, card photos and referral letters, files included.
Kept: the patient and consultation rows (the access log names them; its foreign keys are PROTECT, so the log
stays whole and verifiable) and the access log itself, which gains one row per patient saying what went.
"""

from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from functools import partial

from django.apps import apps
from django.db import transaction
from django.db.models import Exists, Max, OuterRef, Q, QuerySet

from consultations.audit import record_purge
from consultations.models import Coverage, Intake, Patient, Referral, Upload
from consultations.uploads import delete_stored_file

MAX_WHAT = 200


@dataclass
class PurgeReport:
    """What a purge removed (or, for a dry run, would remove): patients, and rows per kind."""

    patients: int = 0
    removed: Counter[str] = field(default_factory=Counter)


def years_before(moment: datetime, years: int) -> datetime:
    """The same calendar moment `years` earlier; 29 February becomes the 28th."""
    try:
        return moment.replace(year=moment.year - years)
    except ValueError:
        return moment.replace(year=moment.year - years, day=28)


def _intakes(patient: Patient) -> QuerySet[Intake]:
    return Intake.objects.filter(Q(patient=patient) | Q(consultation__patient=patient))


def patients_past_retention(*, cutoff: datetime) -> QuerySet[Patient]:
    """Patients whose last consultation ended before `cutoff` and who still have intake data to remove."""
    of_patient = {"consultation__patient": OuterRef("pk")}
    holds_data = (
        Exists(Intake.objects.filter(patient=OuterRef("pk")))
        | Exists(Intake.objects.filter(**of_patient))
        | Exists(Upload.objects.filter(**of_patient))
        | Exists(Coverage.objects.filter(**of_patient))
        | Exists(Referral.objects.filter(**of_patient))
    )
    return (
        Patient.objects.annotate(last_end=Max("consultations__end"))
        .filter(last_end__lt=cutoff)
        .filter(holds_data)
        .order_by("pk")
    )


def _kind(label: str) -> str:
    return str(apps.get_model(label)._meta.verbose_name_plural)


@transaction.atomic
def purge_intake_data_of(*, patient: Patient, dry_run: bool = False) -> Counter[str]:
    """Remove one patient's intake data (see the module's docstring) and log it; return the rows removed per kind.
    Files go once the transaction commits, so a rollback leaves every row with its file. A dry run does the same
    deletes and rolls them back, so its counts are exactly what a real run would remove."""
    documents = Upload.objects.filter(consultation__patient=patient)
    files = list(Upload.objects.filter(Q(intake__in=_intakes(patient)) | Q(pk__in=documents)).values_list("file"))
    removed: Counter[str] = Counter()
    for queryset in (
        _intakes(patient),
        documents,
        Coverage.objects.filter(consultation__patient=patient),
        Referral.objects.filter(consultation__patient=patient),
    ):
        _, per_model = queryset.delete()
        removed.update({_kind(label): count for label, count in per_model.items() if count})
    if dry_run:
        transaction.set_rollback(True)
        return removed
    summary = ", ".join(f"{count} {kind}" for kind, count in sorted(removed.items()))
    record_purge(patient_id=patient.pk, what=f"Intake data past retention: {summary}"[:MAX_WHAT])
    for (name,) in files:
        transaction.on_commit(partial(delete_stored_file, name))
    return removed


def purge_intake_data(*, cutoff: datetime, dry_run: bool = False) -> PurgeReport:
    """Purge every patient past retention, one transaction each, so one failure keeps the others' work."""
    report = PurgeReport()
    for patient in patients_past_retention(cutoff=cutoff).iterator():
        report.removed.update(purge_intake_data_of(patient=patient, dry_run=dry_run))
        report.patients += 1
    return report
