"""The patient's signed link: the token that names one consultation, and the `@patient_link` decorator that
turns it back into that consultation for a view, or into the page that says why the link no longer works (with
the way to have it sent again)."""

from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from django.conf import settings
from django.core import signing
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.cache import never_cache

from consultations.models import Consultation

SALT = "consultations.patient-link"

View = Callable[..., HttpResponse]


class LinkExpired(Exception):
    """A link this site signed, but older than PATIENT_LINK_MAX_AGE_DAYS (or with no date to tell its age)."""


def patient_token(consultation: Consultation) -> str:
    """The signed part of the patient's link: it names the consultation and nothing else. `signing.dumps` stamps
    it with the time it was made, which bounds its age."""
    return signing.dumps(str(consultation.public_id), salt=SALT)


def public_id_from_token(token: str) -> str:
    """Raises LinkExpired for a link of ours past its age, signing.BadSignature for a tampered or made-up one."""
    try:
        return signing.loads(token, salt=SALT, max_age=timedelta(days=settings.PATIENT_LINK_MAX_AGE_DAYS))
    except signing.SignatureExpired as error:
        raise LinkExpired from error
    except ValueError as error:
        # Signed with our key, but without the signer's timestamp: every link this site sent carries one, so its
        # age cannot be proven, and it is refused like an old link.
        raise LinkExpired from error


def consultation_from_token(token: str) -> Consultation | None:
    """The consultation a current link names; None for a broken or unknown link. Raises LinkExpired."""
    try:
        public_id = public_id_from_token(token)
    except signing.BadSignature:
        return None
    return Consultation.objects.select_related("surgeon", "location", "patient").filter(public_id=public_id).first()


def link_invalid(request: HttpRequest) -> HttpResponse:
    return render(request, "consultations/link_invalid.html", status=404)


def link_expired(request: HttpRequest) -> HttpResponse:
    context = {"days_after": settings.PATIENT_LINK_DAYS_AFTER}
    return render(request, "consultations/link_expired.html", context, status=410)


def patient_link(view: View) -> View:
    """The consultation the URL's `token` names, handed to the view as `consultation`; a broken or unknown link
    is a 404 page, and a link past its time (PATIENT_LINK_DAYS_AFTER the consultation's end, or
    PATIENT_LINK_MAX_AGE_DAYS after it was sent) a 410 page, before the view runs. Like `role_required`, it comes
    first among a view's decorators. Nothing behind a patient's link is cached, its refusals included."""

    @never_cache
    @wraps(view)
    def resolved(request: HttpRequest, token: str, **kwargs: Any) -> HttpResponse:
        try:
            consultation = consultation_from_token(token)
        except LinkExpired:
            return link_expired(request)
        if consultation is None:
            return link_invalid(request)
        if consultation.link_open_until <= timezone.now():
            return link_expired(request)
        return view(request, token=token, consultation=consultation, **kwargs)

    return resolved
