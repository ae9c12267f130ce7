"""For practice admins: every view and download of one patient's data, on a page and as CSV (DOMAIN.md §7),
and all of that patient's data as a zip, as a patient is owed on request."""

import csv

from django.core.paginator import Paginator
from django.db.models import QuerySet
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_safe

from clinic.roles import ADMIN, role_required
from consultations.audit import csv_cell, record_export
from consultations.export import build_patient_export
from consultations.models import AccessLog, Patient

PER_PAGE = 100


def _entries(patient: Patient) -> QuerySet[AccessLog]:
    return AccessLog.objects.filter(patient=patient).select_related("consultation").order_by("-at", "-pk")


@role_required(ADMIN)
@require_safe
@never_cache
def access_log(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    page = Paginator(_entries(patient), PER_PAGE).get_page(request.GET.get("page"))
    return render(request, "consultations/access_log.html", {"patient": patient, "page": page})


@role_required(ADMIN)
@require_safe
@never_cache
def access_log_csv(request: HttpRequest, patient_id: int) -> HttpResponse:
    """The whole log as CSV. The export is itself logged first, so it appears in what it exports."""
    patient = get_object_or_404(Patient, pk=patient_id)
    record_export(request=request, patient=patient, what="access log as CSV")
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    # The file's name says nothing about who the patient is.
    response["Content-Disposition"] = f'attachment; filename="access-log-patient-{patient.pk}.csv"'
    writer = csv.writer(response)
    writer.writerow(["When", "Who", "Role", "Action", "What", "Consultation", "IP address"])
    for entry in _entries(patient).iterator():
        writer.writerow(
            [
                csv_cell(timezone.localtime(entry.at).isoformat(timespec="seconds")),
                csv_cell(entry.username or "Patient (signed link)"),
                csv_cell(entry.get_role_display()),
                csv_cell(entry.get_action_display()),
                csv_cell(entry.what),
                csv_cell(entry.consultation.reference if entry.consultation else ""),
                csv_cell(entry.ip),
            ]
        )
    return response


@role_required(ADMIN)
@require_safe
@never_cache
def patient_export(request: HttpRequest, patient_id: int) -> FileResponse:
    """Everything we hold about the patient, for their right of access; logged before it leaves."""
    patient = get_object_or_404(Patient, pk=patient_id)
    record_export(request=request, patient=patient, what="all their data for the right of access (zip)")
    response = FileResponse(
        build_patient_export(patient=patient),
        as_attachment=True,
        # The file's name says nothing about who the patient is.
        filename=f"patient-{patient.pk}-data.zip",
        content_type="application/zip",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
