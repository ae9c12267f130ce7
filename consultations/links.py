"""The patient's signed link: the token that names one consultation, and the `@patient_link` decorator that
turns it back into that consultation for a view, or into the page that says why the link no longer works."""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache

from consultations.models import Consultation

SALT = "consultations.patient-link"

View = Callable[..., HttpResponse]


def patient_token(consultation: Consultation) -> str:
    """The signed part of the patient's link: it names the consultation and nothing else."""
    return signing.dumps(str(consultation.public_id), salt=SALT)


def public_id_from_token(token: str) -> str:
    """Raises signing.BadSignature for a tampered or made-up link."""
    return signing.loads(token, salt=SALT)


def consultation_from_token(token: str) -> Consultation | None:
    try:
        public_id = public_id_from_token(token)
    except signing.BadSignature:
        return None
    return Consultation.objects.select_related("surgeon", "location", "patient").filter(public_id=public_id).first()


def link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/link_invalid.html", status=404)


def patient_link(view: View) -> View:
    """The consultation the URL's `token` names, handed to the view as `consultation`; a broken or unknown link
    is a 404 page and a finished consultation's link a 410 page, before the view runs. Like `role_required`, it
    comes first among a view's decorators. Nothing behind a patient's link is cached, its refusals included."""

    @never_cache
    @wraps(view)
    def resolved(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        consultation = consultation_from_token(token)
        if consultation is None:
            return link_invalid(request)
        if consultation.is_over:
            return render(request, "consultations/link_expired.html", {"consultation": consultation}, status=410)
        return view(request, token=token, consultation=consultation, **kwargs)

    return resolved
