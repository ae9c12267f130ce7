"""Finding a patient at the front desk, and the patient's page: who, how to reach them, and their consultations.

The search is posted, never put in the query string: names, birth dates, e-mail addresses and phone numbers stay
out of URLs, access logs, browser history and Referer headers. The results come back in the same response.
"""

from django.contrib.postgres.search import TrigramSimilarity
from django.db.models import Count, Exists, F, Func, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Greatest
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.views.decorators.http import require_http_methods, require_safe

from clinic.roles import ADMIN, FRONT_DESK, role_required
from consultations.audit import record_patient_access
from consultations.desk.forms import PatientSearchForm
from consultations.models import AccessLog, Consultation, Patient

RESULTS_SHOWN = 50


def _digits(expression: F) -> Func:
    return Func(expression, Value(r"\D"), Value(""), Value("g"), function="regexp_replace")


def _matching(form: PatientSearchForm) -> QuerySet[Patient]:
    """Patients matching every box filled in; each name word in the patient's name or a name they booked with, or
    close to the patient's name (a typo: "jordn" finds Jordan, by trigram similarity), best matches first."""
    data = form.cleaned_data
    patients = Patient.objects.all()
    closeness = []
    for word in data["name"].split():
        # A union of index reads (the names' trigram indexes, the typed names' one): an OR with the typed names
        # made PostgreSQL read every patient and every consultation.
        named = Patient.objects.filter(
            Q(first_name__icontains=word)
            | Q(last_name__icontains=word)
            | Q(first_name__trigram_similar=word)
            | Q(last_name__trigram_similar=word)
        ).values("pk")
        typed = Consultation.objects.filter(contact_name__icontains=word).values("patient")
        patients = patients.filter(pk__in=named.union(typed))
        closeness.append(Greatest(TrigramSimilarity("first_name", word), TrigramSimilarity("last_name", word)))
    if data["date_of_birth"]:
        patients = patients.filter(date_of_birth=data["date_of_birth"])
    if data["email"]:
        patients = patients.filter(email__icontains=data["email"].strip())
    if data["phone"]:
        typed = Consultation.objects.alias(digits=_digits(F("contact_phone"))).filter(
            patient=OuterRef("pk"), digits__contains=data["phone"]
        )
        patients = patients.alias(digits=_digits(F("phone"))).filter(Q(digits__contains=data["phone"]) | Exists(typed))
    if data["reference"]:
        booked = Consultation.objects.filter(patient=OuterRef("pk"), public_id__range=form.reference_range())
        patients = patients.filter(Exists(booked))
    ordering = ["last_name", "first_name", "pk"]
    if closeness:
        patients = patients.alias(closeness=sum(closeness[1:], closeness[0]))
        ordering.insert(0, "-closeness")
    # Counted for the rows shown only: a join counted every consultation of every match before the first page.
    counted = Consultation.objects.filter(patient=OuterRef("pk")).order_by().values("patient")
    count = Subquery(counted.annotate(count=Count("pk")).values("count"))
    return patients.annotate(consultation_count=Coalesce(count, 0)).order_by(*ordering)


@role_required(FRONT_DESK, ADMIN)
@require_http_methods(["GET", "HEAD", "POST"])
def desk_patients(request: HttpRequest) -> HttpResponse:
    form = PatientSearchForm(request.POST if request.method == "POST" else None)
    context: dict = {"form": form, "searched": False}
    if request.method == "POST":
        if not form.is_valid():
            return render(request, "consultations/desk/patients.html", context, status=400)
        found = list(_matching(form)[: RESULTS_SHOWN + 1])
        context |= {"searched": True, "patients": found[:RESULTS_SHOWN], "more": len(found) > RESULTS_SHOWN}
    return render(request, "consultations/desk/patients.html", context | {"results_shown": RESULTS_SHOWN})


@role_required(FRONT_DESK, ADMIN)
@require_safe
def desk_patient(request: HttpRequest, patient_id: int) -> HttpResponse:
    patient = get_object_or_404(Patient, pk=patient_id)
    consultations = patient.consultations.for_desk().order_by("-start")
    record_patient_access(request=request, patient=patient, action=AccessLog.Action.VIEW_PATIENT)
    return render(request, "consultations/desk/patient.html", {"patient": patient, "consultations": consultations})
